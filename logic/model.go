package logic

import "time"

// This file is the patient model: the facts the rules read. fhirmap fills it
// from FHIR; eval and the hook read it through the rules. Every fact keeps its
// provenance (Source) so a card can say "ER positive (Observation/abc,
// 2024-03-02)" as RULES.md "What the users will check" requires.
//
// Vocabulary is interpreted by fhirmap: the model holds domain values (Site,
// MarkerResult, DrugClass ...) plus the original Code for display. The zero
// value of every enum means "unknown"; a zero time means "date unknown".

// Code is a coded value as it arrived (system, code, display), kept for
// display and audit. Rules never branch on it; fhirmap has already mapped it to
// a domain value.
type Code struct {
	System  string
	Code    string
	Display string
}

// Source is the provenance of a fact: the FHIR reference it came from
// ("Observation/abc") and the clinically relevant date of the fact
// (effective, onset, performed, authored ...). Date is zero when unknown.
type Source struct {
	Ref  string
	Date time.Time
}

// Sex is the administrative sex the rules need (male breast cancer variants).
type Sex int

// Sex values.
const (
	SexUnknown Sex = iota
	SexFemale
	SexMale
	SexOther
)

// Laterality of a primary tumour, a lesion or a nodal metastasis.
type Laterality int

// Laterality values.
const (
	LateralityUnknown Laterality = iota
	Left
	Right
	Bilateral
	Midline
)

// ClinicalStatus of a Condition (FHIR condition-clinical). Absent is
// StatusAbsent; RULES.md counts it like active.
type ClinicalStatus int

// ClinicalStatus values.
const (
	StatusAbsent ClinicalStatus = iota
	StatusActive
	StatusRecurrence
	StatusRelapse
	StatusInactive
	StatusRemission
	StatusResolved
	StatusOtherClinical // a code outside the FHIR value set
)

// Verification of a Condition (FHIR condition-ver-status). RULES.md drops
// entered-in-error and refuted.
type Verification int

// Verification values.
const (
	VerificationAbsent Verification = iota
	VerificationConfirmed
	VerificationProvisional
	VerificationDifferential
	VerificationUnconfirmed
	VerificationRefuted
	VerificationEnteredInError
	VerificationOther
)

// Condition is what a primary and a secondary cancer Condition share.
type Condition struct {
	Source                 // Ref "Condition/x"; Date = recordedDate when present
	Code         Code      // the first recognised coding
	Onset        time.Time // onset[x] (dateTime or Period.start); zero if unknown
	Clinical     ClinicalStatus
	Verification Verification
	Laterality   Laterality // from bodySite or the code (e.g. C50.911 right)
}

// Primary is a primary breast cancer Condition (SNOMED 254837009 family or
// ICD-10-CM C50.*). fhirmap never puts carcinoma in situ here.
type Primary struct {
	Condition
	Male bool // coded as male breast (ICD-10-CM C50.x2x)
}

// Site is the anatomical site of a metastasis or a lesion.
type Site int

// Site values. The nodal sites are distinguished because ipsilateral
// axillary, supraclavicular, infraclavicular and internal-mammary nodes are
// regional (N) disease, not metastases (RULES.md Classification).
const (
	SiteUnknown Site = iota
	SiteBone
	SiteBoneMarrow
	SiteLiver
	SiteLung
	SitePleura
	SiteBrain // brain, meninges and the CNS family in CODES.md
	SiteAdrenal
	SitePeritoneum
	SiteSkin
	SiteChestWall
	SiteBreast          // breast (secondary malignant neoplasm of breast)
	SiteAxillaryNode    // regional when ipsilateral
	SiteSupraclavicular // regional when ipsilateral
	SiteInfraclavicular // regional when ipsilateral
	SiteInternalMammary // regional when ipsilateral
	SiteLymphNode       // lymph node, other or unspecified (cervical, mediastinal, ...)
	SiteMediastinum
	SiteOther // a secondary malignancy at a site not listed here
)

// EvidenceKind is the kind of evidence behind a metastasis diagnosis
// (Condition.evidence.code; mCODE CancerDiseaseStatusEvidenceTypeVS).
type EvidenceKind int

// EvidenceKind values. Histologic, cytologic and pathology are tissue
// evidence (rule biopsy-metastasis).
const (
	EvidenceUnknown EvidenceKind = iota
	EvidenceHistologic
	EvidenceCytologic
	EvidencePathology
	EvidenceImaging
	EvidenceLab
	EvidenceClinical
	EvidenceTumorMarker
)

// Metastasis is one secondary cancer Condition: one per site, not per lesion
// (mCODE Secondary Cancer Condition).
type Metastasis struct {
	Condition
	Site     Site
	Evidence []EvidenceKind
}

// Lesion is one mCODE Tumor BodyStructure: the only mCODE way to count
// lesions. Breast lesions (the primary) have Site SiteBreast.
type Lesion struct {
	Source
	Identifier string // the BodyStructure's stable identifier value, if any
	Site       Site
	Laterality Laterality
	Active     bool // BodyStructure.active, true when absent
	Code       Code // location as it arrived
}

// StagingKind says what a staging fact states.
type StagingKind int

// StagingKind values.
const (
	StagingUnknown StagingKind = iota
	StagingM                   // TNM distant metastasis category
	StagingN                   // TNM regional nodes category
	StagingT                   // TNM primary tumour category
	StagingGroup               // stage group (I ... IV)
)

// Staging is one staging fact from a TNM Observation or Condition.stage.
// Value is normalised: "M0", "M1"; "N0".."N3"; "T0".."T4"; stage groups "0",
// "I", "II", "III", "IV" (sub-stages reduced to the group, Sub keeps them).
type Staging struct {
	Source
	Kind  StagingKind
	Value string
	Sub   string // the exact value when more specific, e.g. "IIIA", "M1b"
	Code  Code
}

// MetastasisHistory is an mCODE History of Metastatic Cancer observation;
// Present false is a negation.
type MetastasisHistory struct {
	Source
	Present bool
	Code    Code
}

// MarkerKind names a tumour marker or genomic result the rules use.
type MarkerKind int

// MarkerKind values.
const (
	MarkerUnknown MarkerKind = iota
	MarkerER
	MarkerPR
	MarkerHER2
	MarkerBRCA // germline or unspecified-origin BRCA1/2
	MarkerPDL1
	MarkerHR // combined ER+PR observation (Synthea 10480-2)
)

// Method is how a marker was measured; HER2 equivocal needs ISH.
type Method int

// Method values.
const (
	MethodUnspecified Method = iota
	MethodIHC
	MethodISH
	MethodOverall // an overall interpretation (LOINC 48676-1)
	MethodGenomic
)

// Result is the interpretation of a marker.
type Result int

// Result values. For BRCA, Positive means pathogenic or likely pathogenic,
// Negative means absent, benign or likely benign, Equivocal means a variant of
// uncertain significance.
const (
	ResultUnknown Result = iota
	Positive
	Negative
	Equivocal
)

// Origin is the genomic source class of a variant.
type Origin int

// Origin values.
const (
	OriginUnknown Origin = iota
	Germline
	Somatic
)

// Marker is one tumour-marker or genomic result.
type Marker struct {
	Source
	Kind   MarkerKind
	Method Method
	Result Result
	Gene   string // "BRCA1", "BRCA2" for MarkerBRCA
	Origin Origin
	Text   string // the value as reported when useful, e.g. "less than 1.8", "CPS 12"
	Code   Code   // the observation code
}

// DiseaseStatus is a Cancer Disease Status value (LOINC 97509-4, or Synthea's
// 88040-1 "Response to cancer treatment").
type DiseaseStatus int

// DiseaseStatus values.
const (
	DiseaseStatusUnknown DiseaseStatus = iota
	Improved                           // 268910001; Synthea 385633008 Improving; remission codes
	Stable                             // 359746009
	Worsened                           // 271299001; Synthea 230993007 Worsening
	Undetermined                       // 709137006
)

// StatusReport is one disease-status observation.
type StatusReport struct {
	Source
	Status DiseaseStatus
	Code   Code // the value as it arrived
}

// PerformanceScale is ECOG or Karnofsky.
type PerformanceScale int

// PerformanceScale values.
const (
	ScaleUnknown PerformanceScale = iota
	ECOG
	Karnofsky
)

// Performance is one performance-status observation (valueInteger).
type Performance struct {
	Source
	Scale PerformanceScale
	Value int
}

// DrugClass groups the drugs the rules reason about.
type DrugClass int

// DrugClass values.
const (
	DrugOther         DrugClass = iota
	DrugEndocrine               // tamoxifen, aromatase inhibitors, fulvestrant
	DrugGnRH                    // goserelin, leuprolide (ovarian function suppression)
	DrugCDK46                   // palbociclib, ribociclib, abemaciclib
	DrugAntiHER2                // trastuzumab, pertuzumab, T-DM1, T-DXd, tucatinib, lapatinib, neratinib
	DrugPARP                    // olaparib, talazoparib
	DrugCheckpoint              // pembrolizumab, atezolizumab
	DrugBoneModifying           // denosumab, zoledronic acid
	DrugChemotherapy            // cytotoxic chemotherapy, matched by ingredient name
)

// MedicationRecord says which FHIR resource a medication fact came from,
// because "active" is defined per resource (RULES.md Medications).
type MedicationRecord int

// MedicationRecord values.
const (
	RecordUnknown MedicationRecord = iota
	RecordRequest
	RecordStatement
	RecordAdministration
)

// Medication is one medication fact for one ingredient (a co-pack yields one
// fact per ingredient).
type Medication struct {
	Source                  // Date = authoredOn / effective / administration date
	Record MedicationRecord //
	Status string           // the resource's status code as sent ("active", "on-hold", "stopped" ...)
	Drug   string           // ingredient name, lower case ("palbociclib")
	Class  DrugClass
	Start  time.Time // start of therapy when known (period start, authoredOn)
	End    time.Time // end of therapy when known
	// OsteoporosisDose marks a bone-modifying product sold at the
	// osteoporosis dose (Prolia, Reclast): it does not suppress
	// bone-modifying-agent; the card asks to review the dose.
	OsteoporosisDose bool
	Code             Code
}

// ProcedureKind is the kind of procedure the rules need.
type ProcedureKind int

// ProcedureKind values.
const (
	ProcedureOther ProcedureKind = iota
	ProcedureBreastSurgery
	ProcedureBiopsy
	ProcedureRadiotherapy
)

// Procedure is one Procedure the rules use (imaging procedures go to Imaging,
// tumour boards to TumorBoards).
type Procedure struct {
	Source
	Kind   ProcedureKind
	Status string // FHIR Procedure.status as sent
	Code   Code
}

// Imaging is one imaging event for the imaging history and the PET window:
// an ImagingStudy, an imaging Procedure or an imaging DiagnosticReport.
type Imaging struct {
	Source
	Modality    string // DICOM modality code: "PT", "CT", "MR", "NM", ... ("" if unknown)
	PET         bool   // PET or PET/CT by modality or procedure/report code
	Description string // study description or code display
	BodySite    string // display of the body site, if any
}

// TumorBoard is a record that the patient was discussed at a
// multidisciplinary tumour board (CarePlan or Procedure; there is no
// standard code, see CODES.md §2.1).
type TumorBoard struct {
	Source
	Description string
}

// Skipped is a resource fhirmap could not use, kept so the card can say what
// was left out (issue: one bad resource is skipped and reported).
type Skipped struct {
	Ref    string // "Observation/abc" or "prefetch observations entry 12"
	Reason string
}

// Patient is everything the rules know about one patient. Slices are in the
// order the data arrived; rules that need "latest" sort by Date themselves.
type Patient struct {
	ID           string // Patient.id
	Sex          Sex
	BirthDate    time.Time // zero if unknown
	Deceased     bool      // deceasedBoolean true or deceasedDateTime set
	DeceasedDate time.Time

	Primaries         []Primary
	Metastases        []Metastasis
	Lesions           []Lesion
	Staging           []Staging
	MetastasisHistory []MetastasisHistory
	Markers           []Marker
	DiseaseStatus     []StatusReport
	Performance       []Performance
	Medications       []Medication
	Procedures        []Procedure
	Imaging           []Imaging
	TumorBoards       []TumorBoard
	Skipped           []Skipped
}
