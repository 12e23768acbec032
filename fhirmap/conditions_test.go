package fhirmap

import (
	"fmt"
	"testing"
	"time"

	"ombc-cds/logic"
)

// cond builds a Condition with one coding and extra members.
func cond(id, system, code, extra string) string {
	s := `{"resourceType":"Condition","id":"` + id + `","subject":{"reference":"Patient/p1"},` +
		`"code":{"coding":[{"system":"` + system + `","code":"` + code + `"}]}`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

const (
	active    = `"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]}`
	confirmed = `"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]}`
)

// mappingCase is one small-JSON mapping case: check returns "" when the
// patient is as expected, else what is wrong.
type mappingCase struct {
	name      string
	resources []string
	check     func(p logic.Patient) string
}

func runMappingCases(t *testing.T, tests []mappingCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mapOne(t, tt.resources...)
			if msg := tt.check(p); msg != "" {
				t.Errorf("%s\ngot patient: %+v", msg, p)
			}
		})
	}
}

func onePrimary(p logic.Patient) (logic.Primary, string) {
	if len(p.Primaries) != 1 {
		return logic.Primary{}, fmt.Sprintf("got %d primaries, want 1", len(p.Primaries))
	}
	return p.Primaries[0], ""
}

func oneMetastasis(p logic.Patient) (logic.Metastasis, string) {
	if len(p.Metastases) != 1 {
		return logic.Metastasis{}, fmt.Sprintf("got %d metastases, want 1", len(p.Metastases))
	}
	return p.Metastases[0], ""
}

func TestConditions(t *testing.T) {
	runMappingCases(t, []mappingCase{
		{"SNOMED breast cancer with onset, status and provenance",
			[]string{cond("c1", systemSNOMED, "254837009", active+","+confirmed+`,"onsetDateTime":"2021-08-18T13:37:46+02:00","recordedDate":"2021-08-19"`)},
			func(p logic.Patient) string {
				pr, msg := onePrimary(p)
				switch {
				case msg != "":
					return msg
				case pr.Ref != "Condition/c1" || !pr.Date.Equal(time.Date(2021, 8, 19, 0, 0, 0, 0, time.UTC)):
					return fmt.Sprintf("source = %+v, want Condition/c1 dated by recordedDate", pr.Source)
				case pr.Onset.IsZero() || pr.Clinical != logic.StatusActive || pr.Verification != logic.VerificationConfirmed:
					return "onset, clinical or verification status not read"
				}
				return ""
			}},
		{"ICD-10-CM left female breast", []string{cond("c1", systemICD10CM, "C50.912", "")},
			func(p logic.Patient) string {
				pr, msg := onePrimary(p)
				if msg == "" && (pr.Laterality != logic.Left || pr.Male) {
					msg = fmt.Sprintf("laterality %d male %v, want left female", pr.Laterality, pr.Male)
				}
				return msg
			}},
		{"ICD-10-CM right male breast", []string{cond("c1", systemICD10CM, "C50.921", "")},
			func(p logic.Patient) string {
				pr, msg := onePrimary(p)
				if msg == "" && (pr.Laterality != logic.Right || !pr.Male) {
					msg = fmt.Sprintf("laterality %d male %v, want right male", pr.Laterality, pr.Male)
				}
				return msg
			}},
		{"laterality from bodySite", []string{cond("c1", systemSNOMED, "254837009", `"bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"73056007"}]}]`)},
			func(p logic.Patient) string {
				if pr, msg := onePrimary(p); msg != "" || pr.Laterality != logic.Right {
					return "want one right primary " + msg
				}
				return ""
			}},
		{"carcinoma in situ is not a primary", []string{cond("c1", systemICD10CM, "D05.11", "")},
			func(p logic.Patient) string {
				if len(p.Primaries) != 0 {
					return "carcinoma in situ mapped as a primary"
				}
				return ""
			}},
		{"a cancer that is not breast is ignored", []string{cond("c1", systemSNOMED, "363406005", "")},
			func(p logic.Patient) string {
				if len(p.Primaries)+len(p.Metastases) != 0 {
					return "colon cancer mapped"
				}
				return ""
			}},
		{"entered-in-error is kept with its verification for the rules to drop",
			[]string{cond("c1", systemSNOMED, "254837009", `"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"entered-in-error"}]}`)},
			func(p logic.Patient) string {
				if pr, msg := onePrimary(p); msg != "" || pr.Verification != logic.VerificationEnteredInError {
					return "verification entered-in-error not kept " + msg
				}
				return ""
			}},
		{"absent and unknown clinical status", []string{
			cond("c1", systemSNOMED, "254837009", ""),
			cond("c2", systemSNOMED, "94222008", `"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"dormant"}]}`)},
			func(p logic.Patient) string {
				if len(p.Primaries) != 1 || p.Primaries[0].Clinical != logic.StatusAbsent {
					return "absent clinical status not StatusAbsent"
				}
				if len(p.Metastases) != 1 || p.Metastases[0].Clinical != logic.StatusOtherClinical {
					return "unknown clinical status not StatusOtherClinical"
				}
				return ""
			}},
		{"onset at year precision and as a period", []string{
			cond("c1", systemSNOMED, "254837009", `"onsetDateTime":"2019"`),
			cond("c2", systemSNOMED, "94222008", `"onsetPeriod":{"start":"2024-03"}`)},
			func(p logic.Patient) string {
				if len(p.Primaries) != 1 || p.Primaries[0].Onset.Year() != 2019 {
					return "year onset not read"
				}
				if len(p.Metastases) != 1 || p.Metastases[0].Onset.Month() != time.March {
					return "period onset not read"
				}
				return ""
			}},
		{"stage IV on Condition.stage.summary (CanDIG)", []string{cond("c1", systemSNOMED, "254837009",
			`"stage":[{"summary":{"coding":[{"system":"http://snomed.info/sct","code":"258228008"},{"system":"http://cancerstaging.org","code":"c4"}]}}]`)},
			func(p logic.Patient) string {
				if len(p.Staging) != 1 || p.Staging[0].Kind != logic.StagingGroup || p.Staging[0].Value != "IV" || p.Staging[0].Ref != "Condition/c1" {
					return "stage IV not read from the Condition"
				}
				return ""
			}},
		{"bone metastasis with histologic evidence", []string{cond("m1", systemSNOMED, "94222008",
			`"evidence":[{"code":[{"coding":[{"system":"http://snomed.info/sct","code":"714797009"}]}]},{"code":[{"coding":[{"system":"http://snomed.info/sct","code":"363679005"}]}]}]`)},
			func(p logic.Patient) string {
				m, msg := oneMetastasis(p)
				if msg == "" && (m.Site != logic.SiteBone || len(m.Evidence) != 2 || m.Evidence[0] != logic.EvidenceHistologic || m.Evidence[1] != logic.EvidenceImaging) {
					msg = fmt.Sprintf("site %d evidence %v, want bone with histologic and imaging", m.Site, m.Evidence)
				}
				return msg
			}},
		{"regional axillary node with laterality qualifier extension", []string{cond("m1", systemICD10CM, "C77.3",
			`"bodySite":[{"extension":[{"url":"http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier","valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"7771000"}]}}],"coding":[{"system":"http://snomed.info/sct","code":"68171009"}]}]`)},
			func(p logic.Patient) string {
				m, msg := oneMetastasis(p)
				if msg == "" && (m.Site != logic.SiteAxillaryNode || m.Laterality != logic.Left) {
					msg = fmt.Sprintf("site %d laterality %d, want left axillary node", m.Site, m.Laterality)
				}
				return msg
			}},
		{"lymph node metastasis refined to supraclavicular by body site", []string{cond("m1", systemSNOMED, "94392001",
			`"bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"76838003"}]}]`)},
			func(p logic.Patient) string {
				if m, msg := oneMetastasis(p); msg != "" || m.Site != logic.SiteSupraclavicular {
					return "want supraclavicular " + msg
				}
				return ""
			}},
		{"generic secondary refined to liver by body site", []string{cond("m1", systemSNOMED, "128462008",
			`"bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"10200004"}]}]`)},
			func(p logic.Patient) string {
				if m, msg := oneMetastasis(p); msg != "" || m.Site != logic.SiteLiver {
					return "want liver " + msg
				}
				return ""
			}},
		{"ICD-10-CM secondary sites", []string{
			cond("a", systemICD10CM, "C79.51", ""), cond("b", systemICD10CM, "C79.31", ""), cond("c", systemICD10CM, "C78.7", ""),
			cond("d", systemICD10CM, "C78.01", ""), cond("e", systemICD10CM, "C79.72", ""), cond("f", systemICD10CM, "C79.81", "")},
			func(p logic.Patient) string {
				want := []logic.Site{logic.SiteBone, logic.SiteBrain, logic.SiteLiver, logic.SiteLung, logic.SiteAdrenal, logic.SiteBreast}
				if len(p.Metastases) != len(want) {
					return fmt.Sprintf("got %d metastases, want %d", len(p.Metastases), len(want))
				}
				for i, w := range want {
					if p.Metastases[i].Site != w {
						return fmt.Sprintf("metastasis %d site %d, want %d", i, p.Metastases[i].Site, w)
					}
				}
				return ""
			}},
		{"brain metastasis family code", []string{cond("m1", systemSNOMED, "94225005", "")},
			func(p logic.Patient) string {
				if m, msg := oneMetastasis(p); msg != "" || m.Site != logic.SiteBrain {
					return "want brain " + msg
				}
				return ""
			}},
	})
}
