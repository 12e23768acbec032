package fhirmap

import "ombc-cds/logic"

// Options configures mapping.
type Options struct {
	// TumorBoardCodes is the configurable code list of the RULES.md
	// tumor-board row: a CarePlan or Procedure whose code or category
	// carries one of these codes is a tumour-board record. A code with an
	// empty System matches that code in any system. There is no standard
	// code (CODES.md §2.1), so sites configure their own.
	TumorBoardCodes []logic.Code
}

// DefaultOptions returns the options used when a site configures nothing:
// no tumour-board codes, so tumour boards are recognised by their text only
// ("tumor board", "tumour board", "multidisciplinary").
func DefaultOptions() Options {
	return Options{}
}
