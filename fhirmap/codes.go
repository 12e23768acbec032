package fhirmap

import (
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// Code systems (CODES.md §2, mCODE input/fsh/AL_CodeSystems.fsh).
const (
	systemSNOMED  = "http://snomed.info/sct"
	systemLOINC   = "http://loinc.org"
	systemICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
	systemRxNorm  = "http://www.nlm.nih.gov/research/umls/rxnorm"
	systemHGNC    = "http://www.genenames.org"
	systemAJCC    = "http://cancerstaging.org"
	// systemDICOM is the DICOM system of CODES.md; systemDICOMSynthea is the
	// one Synthea resolves "DICOM-DCM" to since 2020 (MODULE.md §4).
	systemDICOM              = "http://dicom.nema.org/resources/ontology/DCM"
	systemDICOMSynthea       = "http://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_29.html"
	systemConditionClinical  = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	systemConditionVerStatus = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	systemInterpretation     = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
)

// str dereferences an optional samply string.
func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// toCode converts a samply Coding into the model's Code.
func toCode(c fhir.Coding) logic.Code {
	return logic.Code{System: str(c.System), Code: strings.TrimSpace(str(c.Code)), Display: str(c.Display)}
}

// codings returns the codings of an optional CodeableConcept.
func codings(cc *fhir.CodeableConcept) []fhir.Coding {
	if cc == nil {
		return nil
	}
	return cc.Coding
}

// conceptText is the CodeableConcept's text, else the first coding display.
func conceptText(cc *fhir.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	if t := str(cc.Text); t != "" {
		return t
	}
	for _, c := range cc.Coding {
		if d := str(c.Display); d != "" {
			return d
		}
	}
	return ""
}

// displayCode returns the code to keep for display when none was recognised:
// the first coding, with the concept text as display when the coding has
// none.
func displayCode(cc *fhir.CodeableConcept) logic.Code {
	if cc == nil {
		return logic.Code{}
	}
	var c logic.Code
	if len(cc.Coding) > 0 {
		c = toCode(cc.Coding[0])
	}
	if c.Display == "" {
		c.Display = str(cc.Text)
	}
	return c
}

// hasCode reports whether the concept carries system|code.
func hasCode(cc *fhir.CodeableConcept, system, code string) bool {
	for _, c := range codings(cc) {
		if str(c.System) == system && strings.TrimSpace(str(c.Code)) == code {
			return true
		}
	}
	return false
}

// conceptFold returns the lower-cased text and displays of a concept, for
// the name matches issue 3 allows (tumour board, drug ingredient names).
func conceptFold(cc *fhir.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(str(cc.Text)))
	for _, c := range cc.Coding {
		b.WriteByte('|')
		b.WriteString(strings.ToLower(str(c.Display)))
	}
	return b.String()
}

// lateralityOf reads laterality from a concept: the SNOMED laterality
// qualifiers (mCODE LateralityQualifierVS) and the left/right breast
// structures (CODES.md "Body site / laterality").
func lateralityOf(cc *fhir.CodeableConcept) logic.Laterality {
	for _, c := range codings(cc) {
		if str(c.System) != systemSNOMED {
			continue
		}
		switch strings.TrimSpace(str(c.Code)) {
		case "7771000", "80248007":
			return logic.Left
		case "24028007", "73056007":
			return logic.Right
		case "51440002":
			return logic.Bilateral
		case "399488007":
			return logic.Midline
		}
	}
	return logic.LateralityUnknown
}

// bodySiteOf maps a body-location concept to a Site (CODES.md "Body site /
// laterality").
func bodySiteOf(cc *fhir.CodeableConcept) logic.Site {
	for _, c := range codings(cc) {
		if str(c.System) != systemSNOMED {
			continue
		}
		switch strings.TrimSpace(str(c.Code)) {
		case "272673000":
			return logic.SiteBone
		case "10200004":
			return logic.SiteLiver
		case "12738006":
			return logic.SiteBrain
		case "39607008", "31094006":
			return logic.SiteLung
		case "78904004":
			return logic.SiteChestWall
		case "80248007", "73056007":
			return logic.SiteBreast
		case "68171009":
			return logic.SiteAxillaryNode
		case "76838003":
			return logic.SiteSupraclavicular
		case "245282001":
			return logic.SiteInternalMammary
		case "62683002":
			return logic.SiteLymphNode
		case "59441001":
			return logic.SiteLymphNode
		}
	}
	return logic.SiteUnknown
}

// matchesAny reports whether the concept carries one of the configured codes
// (an empty System matches any system).
func matchesAny(cc *fhir.CodeableConcept, codes []logic.Code) bool {
	for _, c := range codings(cc) {
		for _, want := range codes {
			if want.Code == strings.TrimSpace(str(c.Code)) && (want.System == "" || want.System == str(c.System)) {
				return true
			}
		}
	}
	return false
}
