package fhirmap

import (
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// conditionJSON is the part of a Condition mapping reads. Local struct:
// decoding the whole samply Condition (its narrative status is an enum that
// fails the resource on an unknown code, and most fields are never read)
// was a large share of a typical request. The fields read keep their samply
// types, so a wrongly typed one still makes the resource unreadable.
type conditionJSON struct {
	ClinicalStatus     *fhir.CodeableConcept  `json:"clinicalStatus"`
	VerificationStatus *fhir.CodeableConcept  `json:"verificationStatus"`
	Code               *fhir.CodeableConcept  `json:"code"`
	BodySite           []fhir.CodeableConcept `json:"bodySite"`
	Subject            fhir.Reference         `json:"subject"`
	OnsetDateTime      *string                `json:"onsetDateTime"`
	OnsetPeriod        *fhir.Period           `json:"onsetPeriod"`
	RecordedDate       *string                `json:"recordedDate"`
	Stage              []conditionStage       `json:"stage"`
	Evidence           []conditionEvidence    `json:"evidence"`
}

// conditionEvidence is the part of Condition.evidence mapping reads.
type conditionEvidence struct {
	Code []fhir.CodeableConcept `json:"code"`
}

// conditionStage is the part of Condition.stage mapping reads.
type conditionStage struct {
	Summary *fhir.CodeableConcept `json:"summary"`
}

// condClass is what a Condition code says.
type condClass int

const (
	condNone condClass = iota
	condPrimary
	condSecondary
	condInSitu
)

// classifyCoding interprets one coding of Condition.code (CODES.md
// "Conditions, primary and secondary").
func classifyCoding(c fhir.Coding) (class condClass, site logic.Site, lat logic.Laterality, male bool) {
	code := strings.TrimSpace(str(c.Code))
	switch str(c.System) {
	case systemSNOMED:
		switch code {
		case "254837009", "408643008":
			return condPrimary, 0, 0, false
		case "353431000119107": // primary malignant neoplasm of female left breast
			return condPrimary, 0, logic.Left, false
		case "128462008":
			return condSecondary, logic.SiteOther, 0, false
		case "94222008":
			return condSecondary, logic.SiteBone, 0, false
		case "94381002":
			return condSecondary, logic.SiteLiver, 0, false
		case "94391008":
			return condSecondary, logic.SiteLung, 0, false
		case "94392001":
			return condSecondary, logic.SiteLymphNode, 0, false
		case "94225005", "94224009", "94245002", "94247005", "94248000", "94267001", "94309003",
			"94448002", "94471000", "94489004", "94491007", "94622002", "188462001", "285641009", "96981000119102":
			return condSecondary, logic.SiteBrain, 0, false
		case "94253005":
			return condSecondary, logic.SiteChestWall, 0, false
		case "94579000":
			return condSecondary, logic.SiteSkin, 0, false
		case "94606003":
			return condSecondary, logic.SiteOther, 0, false
		case "145501000119108":
			return condSecondary, logic.SiteBreast, 0, false
		}
	case systemICD10CM:
		return classifyICD(strings.ToUpper(code))
	}
	return condNone, 0, 0, false
}

// classifyICD interprets ICD-10-CM: C50.* primary breast (C50.<site><sex>
// <side>: sex 1 female, 2 male; side 1 right, 2 left), D05.* in situ,
// C77-C79 secondary (mCODE VS_CancerCondition.fsh).
func classifyICD(code string) (condClass, logic.Site, logic.Laterality, bool) {
	c := strings.ReplaceAll(code, ".", "")
	switch {
	case strings.HasPrefix(c, "D05"):
		return condInSitu, 0, 0, false
	case strings.HasPrefix(c, "C50"):
		lat, male := logic.LateralityUnknown, false
		if len(c) == 6 {
			male = c[4] == '2'
			switch c[5] {
			case '1':
				lat = logic.Right
			case '2':
				lat = logic.Left
			}
		}
		return condPrimary, 0, lat, male
	case strings.HasPrefix(c, "C773"):
		return condSecondary, logic.SiteAxillaryNode, 0, false
	case strings.HasPrefix(c, "C77"):
		return condSecondary, logic.SiteLymphNode, 0, false
	case strings.HasPrefix(c, "C780"):
		return condSecondary, logic.SiteLung, 0, false
	case c == "C781":
		return condSecondary, logic.SiteMediastinum, 0, false
	case c == "C782":
		return condSecondary, logic.SitePleura, 0, false
	case c == "C786":
		return condSecondary, logic.SitePeritoneum, 0, false
	case c == "C787":
		return condSecondary, logic.SiteLiver, 0, false
	case c == "C7931", c == "C7932":
		return condSecondary, logic.SiteBrain, 0, false
	case c == "C7951":
		return condSecondary, logic.SiteBone, 0, false
	case c == "C7952":
		return condSecondary, logic.SiteBoneMarrow, 0, false
	case strings.HasPrefix(c, "C797"):
		return condSecondary, logic.SiteAdrenal, 0, false
	case c == "C7981":
		return condSecondary, logic.SiteBreast, 0, false
	case c == "C792":
		return condSecondary, logic.SiteSkin, 0, false
	case strings.HasPrefix(c, "C78"), strings.HasPrefix(c, "C79"):
		return condSecondary, logic.SiteOther, 0, false
	}
	return condNone, 0, 0, false
}

// condition maps a primary breast cancer or a secondary cancer Condition.
func (m *mapper) condition(r *resource) {
	cj, err := decodeCondition(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable Condition: %v", err)
		return
	}
	c := &cj
	class, site, lat, male := condNone, logic.SiteUnknown, logic.LateralityUnknown, false
	var code logic.Code
	inSitu := false
	for _, cd := range codings(c.Code) {
		cl, s, l, mm := classifyCoding(cd)
		if cl == condInSitu {
			inSitu = true
		}
		if cl == condNone || cl == condInSitu || class != condNone {
			continue
		}
		class, site, lat, male, code = cl, s, l, mm, toCode(cd)
	}
	if class == condNone || inSitu && class == condPrimary {
		return // not a cancer the rules use; carcinoma in situ is excluded
	}
	if m.otherPatient(str(c.Subject.Reference)) {
		m.skip(r, "subject %s is another patient", str(c.Subject.Reference))
		return
	}
	onset := firstDate(c.OnsetDateTime, periodStart(c.OnsetPeriod))
	base := logic.Condition{
		Source:       logic.Source{Ref: r.ref, Date: firstDate(c.RecordedDate, c.OnsetDateTime, periodStart(c.OnsetPeriod))},
		Code:         code,
		Onset:        onset,
		Clinical:     clinicalStatusOf(c.ClinicalStatus),
		Verification: verificationOf(c.VerificationStatus),
		Laterality:   lat,
	}
	bodySite := logic.SiteUnknown
	for i := range c.BodySite {
		if base.Laterality == logic.LateralityUnknown {
			base.Laterality = bodySiteLaterality(&c.BodySite[i])
		}
		if bodySite == logic.SiteUnknown {
			bodySite = bodySiteOf(&c.BodySite[i])
		}
	}
	if class == condPrimary {
		m.p.Primaries = append(m.p.Primaries, logic.Primary{Condition: base, Male: male})
		m.conditionStages(base.Source, c.Stage)
		return
	}
	site = refineSite(site, bodySite)
	mt := logic.Metastasis{Condition: base, Site: site}
	for _, ev := range c.Evidence {
		for i := range ev.Code {
			if k := evidenceOf(&ev.Code[i]); k != logic.EvidenceUnknown {
				mt.Evidence = append(mt.Evidence, k)
			}
		}
	}
	m.p.Metastases = append(m.p.Metastases, mt)
}

// bodySiteLaterality reads laterality from a bodySite concept and from the
// laterality qualifier extensions mCODE hangs on it.
func bodySiteLaterality(cc *fhir.CodeableConcept) logic.Laterality {
	if l := lateralityOf(cc); l != logic.LateralityUnknown {
		return l
	}
	for _, e := range cc.Extension {
		if l := lateralityOf(e.ValueCodeableConcept); l != logic.LateralityUnknown {
			return l
		}
	}
	return logic.LateralityUnknown
}

// refineSite lets the body site make a generic code specific (a lymph-node
// metastasis at the axilla is SiteAxillaryNode); it never overrides a
// specific organ code.
func refineSite(code, body logic.Site) logic.Site {
	switch code {
	case logic.SiteOther, logic.SiteUnknown:
		if body != logic.SiteUnknown {
			return body
		}
	case logic.SiteLymphNode:
		switch body {
		case logic.SiteAxillaryNode, logic.SiteSupraclavicular, logic.SiteInfraclavicular, logic.SiteInternalMammary:
			return body
		}
	}
	return code
}

// conditionStages reads Condition.stage.summary (mCODE: stage.assessment
// points at the TNM Observations, which are mapped on their own; CanDIG
// writes 258228008 plus an AJCC "c4" here).
func (m *mapper) conditionStages(src logic.Source, stages []conditionStage) {
	for i := range stages {
		if value, sub, code, ok := stagingFromConcept(logic.StagingGroup, stages[i].Summary); ok {
			m.p.Staging = append(m.p.Staging, logic.Staging{Source: src, Kind: logic.StagingGroup, Value: value, Sub: sub, Code: code})
		}
	}
}

// clinicalStatusOf maps FHIR condition-clinical.
func clinicalStatusOf(cc *fhir.CodeableConcept) logic.ClinicalStatus {
	if cc == nil || len(cc.Coding) == 0 {
		return logic.StatusAbsent
	}
	for _, c := range cc.Coding {
		if s := str(c.System); s != "" && s != systemConditionClinical {
			continue
		}
		switch strings.TrimSpace(str(c.Code)) {
		case "active":
			return logic.StatusActive
		case "recurrence":
			return logic.StatusRecurrence
		case "relapse":
			return logic.StatusRelapse
		case "inactive":
			return logic.StatusInactive
		case "remission":
			return logic.StatusRemission
		case "resolved":
			return logic.StatusResolved
		}
	}
	return logic.StatusOtherClinical
}

// verificationOf maps FHIR condition-ver-status.
func verificationOf(cc *fhir.CodeableConcept) logic.Verification {
	if cc == nil || len(cc.Coding) == 0 {
		return logic.VerificationAbsent
	}
	for _, c := range cc.Coding {
		if s := str(c.System); s != "" && s != systemConditionVerStatus {
			continue
		}
		switch strings.TrimSpace(str(c.Code)) {
		case "confirmed":
			return logic.VerificationConfirmed
		case "provisional":
			return logic.VerificationProvisional
		case "differential":
			return logic.VerificationDifferential
		case "unconfirmed":
			return logic.VerificationUnconfirmed
		case "refuted":
			return logic.VerificationRefuted
		case "entered-in-error":
			return logic.VerificationEnteredInError
		}
	}
	return logic.VerificationOther
}

// evidenceOf maps Condition.evidence.code (mCODE VS_Other.fsh L40-55).
func evidenceOf(cc *fhir.CodeableConcept) logic.EvidenceKind {
	for _, c := range codings(cc) {
		if str(c.System) != systemSNOMED {
			continue
		}
		switch strings.TrimSpace(str(c.Code)) {
		case "714797009":
			return logic.EvidenceHistologic
		case "116147009":
			return logic.EvidenceCytologic
		case "108257001":
			return logic.EvidencePathology
		case "363679005":
			return logic.EvidenceImaging
		case "386344002":
			return logic.EvidenceLab
		case "5880005":
			return logic.EvidenceClinical
		case "250724005":
			return logic.EvidenceTumorMarker
		}
	}
	return logic.EvidenceUnknown
}
