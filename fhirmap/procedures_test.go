package fhirmap

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"ombc-cds/logic"
)

func proc(id, status, code, extra string) string {
	s := `{"resourceType":"Procedure","id":"` + id + `","status":"` + status + `","subject":{"reference":"Patient/p1"},` +
		`"code":{"coding":[{"system":"http://snomed.info/sct","code":"` + code + `"}],"text":"procedure ` + code + `"},"performedDateTime":"2024-02-01T08:00:00-05:00"`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func TestProceduresAndImaging(t *testing.T) {
	runMappingCases(t, []mappingCase{
		{"surgery, biopsy and radiotherapy", []string{proc("a", "completed", "392021009", ""), proc("b", "completed", "122548005", ""), proc("c", "completed", "33195004", "")},
			func(p logic.Patient) string {
				want := []logic.ProcedureKind{logic.ProcedureBreastSurgery, logic.ProcedureBiopsy, logic.ProcedureRadiotherapy}
				if len(p.Procedures) != 3 {
					return fmt.Sprintf("got %d procedures, want 3", len(p.Procedures))
				}
				for i, w := range want {
					if p.Procedures[i].Kind != w || p.Procedures[i].Date.IsZero() || p.Procedures[i].Status != "completed" {
						return fmt.Sprintf("procedure %d = %+v, want kind %d", i, p.Procedures[i], w)
					}
				}
				return ""
			}},
		{"PET procedure is imaging", []string{proc("a", "completed", "443271005", "")},
			func(p logic.Patient) string {
				if len(p.Imaging) != 1 || !p.Imaging[0].PET || p.Imaging[0].Modality != "PT" || len(p.Procedures) != 0 {
					return fmt.Sprintf("imaging = %+v, want one PET", p.Imaging)
				}
				return ""
			}},
		{"not-done procedure is skipped", []string{proc("a", "not-done", "392021009", "")},
			func(p logic.Patient) string {
				if len(p.Procedures) != 0 || len(p.Skipped) != 1 {
					return "not-done procedure kept"
				}
				return ""
			}},
		{"tumour board procedure by text", []string{`{"resourceType":"Procedure","id":"tb","status":"completed","subject":{"reference":"Patient/p1"},"code":{"text":"Multidisciplinary Tumor Board review"},"performedDateTime":"2024-04-01"}`},
			func(p logic.Patient) string {
				if len(p.TumorBoards) != 1 || p.TumorBoards[0].Ref != "Procedure/tb" || p.TumorBoards[0].Date.IsZero() {
					return fmt.Sprintf("tumour boards = %+v", p.TumorBoards)
				}
				return ""
			}},
		{"tumour board care plan by category display", []string{`{"resourceType":"CarePlan","id":"cp","status":"completed","intent":"plan","subject":{"reference":"Patient/p1"},"category":[{"coding":[{"system":"urn:local","code":"x","display":"Tumour board recommendation"}]}],"period":{"start":"2024-04-02"}}`},
			func(p logic.Patient) string {
				if len(p.TumorBoards) != 1 || p.TumorBoards[0].Ref != "CarePlan/cp" {
					return fmt.Sprintf("tumour boards = %+v", p.TumorBoards)
				}
				return ""
			}},
		{"an ordinary care plan is not a tumour board", []string{`{"resourceType":"CarePlan","id":"cp","status":"active","intent":"plan","category":[{"text":"Diabetes self management plan"}]}`},
			func(p logic.Patient) string {
				if len(p.TumorBoards) != 0 {
					return "diabetes plan mapped as a tumour board"
				}
				return ""
			}},
		{"ImagingStudy PT under the DCM URI", []string{`{"resourceType":"ImagingStudy","id":"is1","status":"available","subject":{"reference":"Patient/p1"},"started":"2024-05-01T10:00:00+02:00","series":[{"uid":"1","modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"}},{"uid":"2","modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"PT"},"bodySite":{"display":"Whole body"}}]}`},
			func(p logic.Patient) string {
				if len(p.Imaging) != 1 || !p.Imaging[0].PET || p.Imaging[0].Modality != "PT" || p.Imaging[0].BodySite != "Whole body" || p.Imaging[0].Date.IsZero() {
					return fmt.Sprintf("imaging = %+v, want PET with body site and date", p.Imaging)
				}
				return ""
			}},
		{"ImagingStudy CT under Synthea's DICOM URI", []string{`{"resourceType":"ImagingStudy","id":"is1","status":"available","subject":{"reference":"urn:uuid:p1"},"started":"2024-05-01","series":[{"uid":"1","modality":{"system":"http://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_29.html","code":"CT"}}]}`},
			func(p logic.Patient) string {
				if len(p.Imaging) != 1 || p.Imaging[0].PET || p.Imaging[0].Modality != "CT" {
					return fmt.Sprintf("imaging = %+v, want CT", p.Imaging)
				}
				return ""
			}},
		{"ImagingStudy without status is skipped", []string{`{"resourceType":"ImagingStudy","id":"is1","started":"2024-05-01"}`},
			func(p logic.Patient) string {
				if len(p.Imaging) != 0 || len(p.Skipped) != 1 {
					return "ImagingStudy without status kept"
				}
				return ""
			}},
		{"PET report", []string{`{"resourceType":"DiagnosticReport","id":"dr","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"44139-4"}]},"effectiveDateTime":"2024-05-02"}`},
			func(p logic.Patient) string {
				if len(p.Imaging) != 1 || !p.Imaging[0].PET || p.Imaging[0].Ref != "DiagnosticReport/dr" {
					return fmt.Sprintf("imaging = %+v, want one PET report", p.Imaging)
				}
				return ""
			}},
		{"mCODE tumor body structures are lesions, others are not", []string{
			`{"resourceType":"BodyStructure","id":"t1","meta":{"profile":["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor|4.0.0"]},"identifier":[{"value":"lesion-1"}],"location":{"coding":[{"system":"http://snomed.info/sct","code":"272673000"}]},"locationQualifier":[{"coding":[{"system":"http://snomed.info/sct","code":"7771000"}]}],"patient":{"reference":"Patient/p1"}}`,
			`{"resourceType":"BodyStructure","id":"t2","meta":{"profile":["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor"]},"active":false,"location":{"coding":[{"system":"http://snomed.info/sct","code":"10200004"}]},"patient":{"reference":"Patient/p1"}}`,
			`{"resourceType":"BodyStructure","id":"mole","location":{"coding":[{"system":"http://snomed.info/sct","code":"272673000"}]},"patient":{"reference":"Patient/p1"}}`},
			func(p logic.Patient) string {
				if len(p.Lesions) != 2 {
					return fmt.Sprintf("got %d lesions, want 2", len(p.Lesions))
				}
				a, b := p.Lesions[0], p.Lesions[1]
				if a.Site != logic.SiteBone || a.Laterality != logic.Left || !a.Active || a.Identifier != "lesion-1" || b.Site != logic.SiteLiver || b.Active {
					return fmt.Sprintf("lesions = %+v", p.Lesions)
				}
				return ""
			}},
	})
}

func TestTumorBoardCodesOption(t *testing.T) {
	carePlan := `{"resourceType":"CarePlan","id":"cp","status":"completed","intent":"plan","category":[{"coding":[{"system":"urn:site:codes","code":"TB-1"}]}]}`
	tests := []struct {
		name  string
		codes []logic.Code
		want  int
	}{
		{"no configured code", nil, 0},
		{"configured system and code", []logic.Code{{System: "urn:site:codes", Code: "TB-1"}}, 1},
		{"configured code in any system", []logic.Code{{Code: "TB-1"}}, 1},
		{"other system", []logic.Code{{System: "urn:other", Code: "TB-1"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Patient(map[string]json.RawMessage{"patient": json.RawMessage(patientJSONText), "careplans": json.RawMessage(carePlan)}, Options{TumorBoardCodes: tt.codes})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.TumorBoards) != tt.want {
				t.Errorf("got %d tumour boards, want %d", len(p.TumorBoards), tt.want)
			}
		})
	}
}

func TestDemographics(t *testing.T) {
	tests := []struct {
		name, patient string
		check         func(p logic.Patient) string
	}{
		{"female with birth date", patientJSONText, func(p logic.Patient) string {
			if p.ID != "p1" || p.Sex != logic.SexFemale || p.BirthDate.Year() != 1970 || p.Deceased {
				return "demographics not read"
			}
			return ""
		}},
		{"male deceased by dateTime", `{"resourceType":"Patient","id":"p1","gender":"male","deceasedDateTime":"2022-03-19T10:00:00+01:00"}`, func(p logic.Patient) string {
			if p.Sex != logic.SexMale || !p.Deceased || p.DeceasedDate.Year() != 2022 {
				return "male or deceased date not read"
			}
			return ""
		}},
		{"deceased boolean", `{"resourceType":"Patient","id":"p1","deceasedBoolean":true}`, func(p logic.Patient) string {
			if !p.Deceased {
				return "deceasedBoolean not read"
			}
			return ""
		}},
		{"unknown gender code leaves sex unknown and is reported", `{"resourceType":"Patient","id":"p1","gender":"f"}`, func(p logic.Patient) string {
			if p.Sex != logic.SexUnknown || len(p.Skipped) != 1 {
				return "unknown gender not reported"
			}
			return ""
		}},
		{"a bad name use does not lose the patient", `{"resourceType":"Patient","id":"p1","gender":"female","name":[{"use":"nickname-ish","family":"X"}]}`, func(p logic.Patient) string {
			if p.Sex != logic.SexFemale || len(p.Skipped) != 1 || !strings.Contains(p.Skipped[0].Reason, "demographics only") {
				return fmt.Sprintf("fallback not used: %+v", p.Skipped)
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Patient(map[string]json.RawMessage{"patient": json.RawMessage(tt.patient)}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.check(p); msg != "" {
				t.Errorf("%s: got %+v", msg, p)
			}
		})
	}
}
