package fhirmap

import (
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// procedureJSON is the part of a Procedure mapping reads. Local struct:
// samply's EventStatus enum turns a missing status into "preparation".
type procedureJSON struct {
	Status            *string                `json:"status"`
	Code              *fhir.CodeableConcept  `json:"code"`
	Category          *fhir.CodeableConcept  `json:"category"`
	Subject           *ref                   `json:"subject"`
	PerformedDateTime *string                `json:"performedDateTime"`
	PerformedPeriod   *fhir.Period           `json:"performedPeriod"`
	BodySite          []fhir.CodeableConcept `json:"bodySite"`
}

// procedureClass is what a Procedure code says (CODES.md "Procedures" and
// "Imaging"; Synthea codes from MODULE.md §2c).
func procedureClass(cc *fhir.CodeableConcept) (kind logic.ProcedureKind, modality string, pet, known bool) {
	for _, c := range codings(cc) {
		if str(c.System) != systemSNOMED {
			continue
		}
		switch strings.TrimSpace(str(c.Code)) {
		case "64368001", "69031006", "392021009", "392023007":
			return logic.ProcedureBreastSurgery, "", false, true
		case "723990008", "122548005":
			return logic.ProcedureBiopsy, "", false, true
		case "1217123003", "1156506007", "441799006", "1156530009", "1162782007",
			"33195004", "385798007", "1287742003", "108290001", "447759004", "113120007", "384692006":
			return logic.ProcedureRadiotherapy, "", false, true
		case "82918005", "443271005":
			return 0, "PT", true, true
		case "241055006", "24623002", "71651007":
			return 0, "MG", false, true
		case "1571000087109", "16310003":
			return 0, "US", false, true
		case "241615005", "113091000":
			return 0, "MR", false, true
		case "77477000":
			return 0, "CT", false, true
		}
	}
	return 0, "", false, false
}

// isTumorBoard applies the RULES.md tumor-board row: a configured code, or
// the words "tumor board", "tumour board" or "multidisciplinary" in the text
// or a display (there is no standard code, CODES.md §2.1).
func (v *vocab) isTumorBoard(concepts ...*fhir.CodeableConcept) bool {
	for _, cc := range concepts {
		if cc == nil {
			continue
		}
		if matchesAny(cc, v.opts.TumorBoardCodes) {
			return true
		}
		t := conceptFold(cc)
		if strings.Contains(t, "tumor board") || strings.Contains(t, "tumour board") || strings.Contains(t, "multidisciplinary") {
			return true
		}
	}
	return false
}

// procedure maps breast surgery, biopsy, radiotherapy, imaging procedures
// (PET among them) and tumour-board Procedures.
func (m *mapper) procedure(r *resource) {
	pj, err := decodeProcedure(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable Procedure: %v", err)
		return
	}
	board := m.v.isTumorBoard(pj.Code, pj.Category)
	kind, modality, pet, known := procedureClass(pj.Code)
	if !board && !known {
		return
	}
	if pj.Subject != nil && m.otherPatient(pj.Subject.Reference) {
		m.skip(r, "subject %s is another patient", pj.Subject.Reference)
		return
	}
	status := strings.TrimSpace(str(pj.Status))
	switch status {
	case "preparation", "in-progress", "on-hold", "stopped", "completed", "unknown":
	case "":
		m.skip(r, "Procedure.status missing (required)")
		return
	case "not-done", "entered-in-error":
		m.skip(r, "Procedure.status %s: not a procedure fact", status)
		return
	default:
		m.skip(r, "Procedure.status %q is not an R4 code", status)
		return
	}
	src := logic.Source{Ref: r.ref, Date: firstDate(pj.PerformedDateTime, periodStart(pj.PerformedPeriod))}
	switch {
	case board:
		m.p.TumorBoards = append(m.p.TumorBoards, logic.TumorBoard{Source: src, Description: conceptText(pj.Code)})
	case modality != "":
		img := logic.Imaging{Source: src, Modality: modality, PET: pet, Description: conceptText(pj.Code)}
		if len(pj.BodySite) > 0 {
			img.BodySite = conceptText(&pj.BodySite[0])
		}
		m.p.Imaging = append(m.p.Imaging, img)
	default:
		m.p.Procedures = append(m.p.Procedures, logic.Procedure{Source: src, Kind: kind, Status: status, Code: displayCode(pj.Code)})
	}
}

// imagingStudyJSON is the part of an ImagingStudy mapping reads.
type imagingStudyJSON struct {
	Status        *string                `json:"status"`
	Subject       *ref                   `json:"subject"`
	Started       *string                `json:"started"`
	Description   *string                `json:"description"`
	Modality      []fhir.Coding          `json:"modality"`
	ProcedureCode []fhir.CodeableConcept `json:"procedureCode"`
	Series        []imagingSeries        `json:"series"`
}

// imagingSeries is the part of an ImagingStudy.series mapping reads.
type imagingSeries struct {
	Modality    *fhir.Coding `json:"modality"`
	BodySite    *fhir.Coding `json:"bodySite"`
	Started     *string      `json:"started"`
	Description *string      `json:"description"`
}

// dicomModality returns the DICOM modality code of a coding in either
// system URI Synthea has used (MODULE.md §4).
func dicomModality(c *fhir.Coding) string {
	if c == nil {
		return ""
	}
	switch str(c.System) {
	case systemDICOM, systemDICOMSynthea:
		return strings.ToUpper(strings.TrimSpace(str(c.Code)))
	}
	return ""
}

// imagingStudy maps an ImagingStudy to an imaging event; PET when any
// modality is PT.
func (m *mapper) imagingStudy(r *resource) {
	is, err := decodeImagingStudy(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable ImagingStudy: %v", err)
		return
	}
	if is.Subject != nil && m.otherPatient(is.Subject.Reference) {
		m.skip(r, "subject %s is another patient", is.Subject.Reference)
		return
	}
	status := strings.TrimSpace(str(is.Status))
	switch status {
	case "registered", "available", "unknown":
	case "":
		m.skip(r, "ImagingStudy.status missing (required)")
		return
	case "cancelled", "entered-in-error":
		m.skip(r, "ImagingStudy.status %s: not an imaging fact", status)
		return
	default:
		m.skip(r, "ImagingStudy.status %q is not an R4 code", status)
		return
	}
	img := logic.Imaging{Source: logic.Source{Ref: r.ref}, Description: str(is.Description)}
	var starts []*string
	starts = append(starts, is.Started)
	consider := func(mod string) {
		if mod == "" {
			return
		}
		if mod == "PT" {
			img.PET = true
			img.Modality = "PT"
		} else if img.Modality == "" {
			img.Modality = mod
		}
	}
	for i := range is.Modality {
		consider(dicomModality(&is.Modality[i]))
	}
	for _, s := range is.Series {
		consider(dicomModality(s.Modality))
		starts = append(starts, s.Started)
		if img.BodySite == "" && s.BodySite != nil {
			img.BodySite = str(s.BodySite.Display)
		}
		if img.Description == "" {
			img.Description = str(s.Description)
		}
	}
	for i := range is.ProcedureCode {
		if _, _, pet, _ := procedureClass(&is.ProcedureCode[i]); pet {
			img.PET = true
		}
		if img.Description == "" {
			img.Description = conceptText(&is.ProcedureCode[i])
		}
	}
	img.Date = firstDate(starts...)
	m.p.Imaging = append(m.p.Imaging, img)
}

// diagnosticReportJSON is the part of a DiagnosticReport mapping reads.
type diagnosticReportJSON struct {
	Status            *string               `json:"status"`
	Code              *fhir.CodeableConcept `json:"code"`
	Subject           *ref                  `json:"subject"`
	EffectiveDateTime *string               `json:"effectiveDateTime"`
	EffectivePeriod   *fhir.Period          `json:"effectivePeriod"`
	Issued            *string               `json:"issued"`
}

// reportModality maps the imaging report codes (CODES.md "Imaging").
func reportModality(cc *fhir.CodeableConcept) (modality string, pet bool) {
	for _, c := range codings(cc) {
		switch str(c.System) + "|" + strings.TrimSpace(str(c.Code)) {
		case systemLOINC + "|44139-4", systemLOINC + "|44136-0", systemSNOMED + "|82918005", systemSNOMED + "|443271005":
			return "PT", true
		case systemLOINC + "|25045-6":
			return "CT", false
		case systemLOINC + "|25056-3":
			return "MR", false
		case systemLOINC + "|49118-3":
			return "NM", false
		}
	}
	return "", false
}

// diagnosticReport maps an imaging report (PET among them).
func (m *mapper) diagnosticReport(r *resource) {
	dr, err := decodeDiagnosticReport(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable DiagnosticReport: %v", err)
		return
	}
	modality, pet := reportModality(dr.Code)
	if modality == "" {
		return
	}
	if dr.Subject != nil && m.otherPatient(dr.Subject.Reference) {
		m.skip(r, "subject %s is another patient", dr.Subject.Reference)
		return
	}
	status := strings.TrimSpace(str(dr.Status))
	switch status {
	case "registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "unknown":
	case "":
		m.skip(r, "DiagnosticReport.status missing (required)")
		return
	case "cancelled", "entered-in-error":
		m.skip(r, "DiagnosticReport.status %s: not an imaging fact", status)
		return
	default:
		m.skip(r, "DiagnosticReport.status %q is not an R4 code", status)
		return
	}
	m.p.Imaging = append(m.p.Imaging, logic.Imaging{
		Source:      logic.Source{Ref: r.ref, Date: firstDate(dr.EffectiveDateTime, periodStart(dr.EffectivePeriod), dr.Issued)},
		Modality:    modality,
		PET:         pet,
		Description: conceptText(dr.Code),
	})
}

// carePlanJSON is the part of a CarePlan mapping reads.
type carePlanJSON struct {
	Status      *string                `json:"status"`
	Subject     *ref                   `json:"subject"`
	Category    []fhir.CodeableConcept `json:"category"`
	Title       *string                `json:"title"`
	Description *string                `json:"description"`
	Period      *fhir.Period           `json:"period"`
	Created     *string                `json:"created"`
}

// carePlan maps a tumour-board CarePlan (the German MII oncology module's
// model of a tumour board, CODES.md §2.1).
func (m *mapper) carePlan(r *resource) {
	cp, err := decodeCarePlan(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable CarePlan: %v", err)
		return
	}
	cats := make([]*fhir.CodeableConcept, len(cp.Category))
	for i := range cp.Category {
		cats[i] = &cp.Category[i]
	}
	if !m.v.isTumorBoard(cats...) {
		return
	}
	if cp.Subject != nil && m.otherPatient(cp.Subject.Reference) {
		m.skip(r, "subject %s is another patient", cp.Subject.Reference)
		return
	}
	status := strings.TrimSpace(str(cp.Status))
	switch status {
	case "draft", "active", "on-hold", "completed", "unknown":
	case "":
		m.skip(r, "CarePlan.status missing (required)")
		return
	case "revoked", "entered-in-error":
		m.skip(r, "CarePlan.status %s: not a tumour-board fact", status)
		return
	default:
		m.skip(r, "CarePlan.status %q is not an R4 code", status)
		return
	}
	desc := str(cp.Title)
	if desc == "" {
		desc = str(cp.Description)
	}
	for _, c := range cats {
		if desc == "" {
			desc = conceptText(c)
		}
	}
	m.p.TumorBoards = append(m.p.TumorBoards, logic.TumorBoard{
		Source:      logic.Source{Ref: r.ref, Date: firstDate(periodStart(cp.Period), cp.Created)},
		Description: desc,
	})
}

// bodyStructureJSON is the part of an mCODE Tumor BodyStructure mapping
// reads.
type bodyStructureJSON struct {
	Meta              *profileMeta           `json:"meta"`
	Active            *bool                  `json:"active"`
	Identifier        []identifierValue      `json:"identifier"`
	Location          *fhir.CodeableConcept  `json:"location"`
	LocationQualifier []fhir.CodeableConcept `json:"locationQualifier"`
	Patient           *ref                   `json:"patient"`
}

// profileMeta is the part of a Meta mapping reads.
type profileMeta struct {
	Profile []string `json:"profile"`
}

// identifierValue is the part of an Identifier mapping reads.
type identifierValue struct {
	Value string `json:"value"`
}

// mcodeTumor is the mCODE Tumor profile: the only mCODE way to count lesions
// (CODES.md §2.1). Other BodyStructures (moles, implants) are not lesions.
const mcodeTumor = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor"

// bodyStructure maps an mCODE Tumor BodyStructure to a lesion.
func (m *mapper) bodyStructure(r *resource) {
	bs, err := decodeBodyStructure(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable BodyStructure: %v", err)
		return
	}
	tumor := false
	if bs.Meta != nil {
		for _, p := range bs.Meta.Profile {
			if base, _, _ := strings.Cut(p, "|"); base == mcodeTumor {
				tumor = true
			}
		}
	}
	if !tumor {
		return
	}
	if bs.Patient != nil && m.otherPatient(bs.Patient.Reference) {
		m.skip(r, "patient %s is another patient", bs.Patient.Reference)
		return
	}
	l := logic.Lesion{
		Source:     logic.Source{Ref: r.ref},
		Site:       bodySiteOf(bs.Location),
		Laterality: lateralityOf(bs.Location),
		Active:     bs.Active == nil || *bs.Active,
		Code:       displayCode(bs.Location),
	}
	for i := range bs.LocationQualifier {
		if l.Laterality == logic.LateralityUnknown {
			l.Laterality = lateralityOf(&bs.LocationQualifier[i])
		}
	}
	if len(bs.Identifier) > 0 {
		l.Identifier = bs.Identifier[0].Value
	}
	m.p.Lesions = append(m.p.Lesions, l)
}
