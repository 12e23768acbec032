package logic

// This file holds what the rules produce: recommendations that the protocol
// layer (cdshooks) turns into CDS Hooks cards and that eval prints. It is
// FHIR-free: a suggestion names domain orders, and fhirmap.Draft turns each
// Order into a draft FHIR resource.

// Indicator is the urgency of a recommendation (CDS Hooks card.indicator).
type Indicator int

// Indicator values.
const (
	Info Indicator = iota
	Warning
	Critical
)

// String returns the CDS Hooks indicator value.
func (i Indicator) String() string {
	switch i {
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	default:
		return "info"
	}
}

// Selection is how many suggestions of a recommendation a clinician may
// accept (CDS Hooks card.selectionBehavior).
type Selection int

// Selection values. SelectNone is only valid when there are no suggestions.
const (
	SelectNone Selection = iota
	SelectAtMostOne
	SelectAny
)

// String returns the CDS Hooks selectionBehavior value ("" for SelectNone).
func (s Selection) String() string {
	switch s {
	case SelectAtMostOne:
		return "at-most-one"
	case SelectAny:
		return "any"
	default:
		return ""
	}
}

// OrderKind is the FHIR resource type a draft order becomes.
type OrderKind int

// OrderKind values.
const (
	ServiceRequest OrderKind = iota
	MedicationRequest
)

// OrderCode is the stable domain identity of an orderable; fhirmap maps each
// one to the codes of CODES.md when it builds the draft resource.
type OrderCode string

// The orders the rule book suggests (RULES.md "suggestions" column).
const (
	OrderTumorBoard       OrderCode = "tumor-board-referral"     // referral to multidisciplinary tumour board
	OrderPETCT            OrderCode = "fdg-pet-ct"               // FDG PET/CT whole body
	OrderMetastasisBiopsy OrderCode = "metastasis-biopsy"        // biopsy of a metastasis with ER/PR/HER2 re-testing
	OrderERTest           OrderCode = "er-ihc"                   // estrogen receptor by IHC
	OrderPRTest           OrderCode = "pr-ihc"                   // progesterone receptor by IHC
	OrderHER2IHC          OrderCode = "her2-ihc"                 // HER2 by IHC
	OrderHER2ISH          OrderCode = "her2-ish"                 // HER2 (ERBB2) by ISH
	OrderGermlineBRCA     OrderCode = "germline-brca"            // germline BRCA1/2 testing
	OrderPDL1             OrderCode = "pdl1-ihc"                 // PD-L1 IHC (22C3)
	OrderDenosumab        OrderCode = "denosumab-120mg-q4w"      // denosumab 120 mg SC every 4 weeks
	OrderZoledronicAcid   OrderCode = "zoledronic-acid-4mg-q12w" // zoledronic acid 4 mg IV every 12 weeks
)

// Order is one orderable inside a suggestion.
type Order struct {
	Kind  OrderKind
	Code  OrderCode
	Label string // what the draft is, in words ("FDG PET/CT, whole body")
}

// Suggestion is one choice on a card: accepting it creates every Order as a
// draft resource.
type Suggestion struct {
	Label       string
	Recommended bool
	Orders      []Order
}

// Link is a reference for the clinician (evidence, trial registry entry).
type Link struct {
	Label string
	URL   string // absolute https URL
}

// Recommendation is one fired rule for one patient.
type Recommendation struct {
	Code      string // rule code from RULES.md, e.g. "tumor-board"
	Title     string // short display of the rule code, for source.topic.display
	Summary   string // < 140 characters
	Indicator Indicator
	// Detail is GitHub-flavoured Markdown without raw HTML: the facts that
	// fired the rule with dates and references, what to do, and an Evidence
	// section.
	Detail      string
	SourceLabel string // card source.label: the main evidence source
	SourceURL   string // card source.url (absolute https)
	Suggestions []Suggestion
	Selection   Selection // set whenever Suggestions is not empty
	Links       []Link
}
