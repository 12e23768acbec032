package fhirmap

import (
	"fmt"
	"strings"
	"testing"

	"ombc-cds/logic"
)

// medReq builds a MedicationRequest with the given medication members.
func medReq(id, status, medication string) string {
	s := `{"resourceType":"MedicationRequest","id":"` + id + `","intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2024-01-15T09:00:00+01:00",` + medication
	if status != "" {
		s += `,"status":"` + status + `"`
	}
	return s + "}"
}

func rx(code, display string) string {
	return `"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"` + code + `","display":"` + display + `"}]}`
}

const medicationDenosumab = `{"resourceType":"Medication","id":"m1","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"993449"}]}}`

// drugsAre checks the drug names (and, when given, classes) in order.
func drugsAre(names ...string) func(logic.Patient) string {
	return func(p logic.Patient) string {
		var got []string
		for _, m := range p.Medications {
			got = append(got, m.Drug)
		}
		if strings.Join(got, ",") != strings.Join(names, ",") {
			return fmt.Sprintf("drugs = %v, want %v", got, names)
		}
		return ""
	}
}

func TestMedications(t *testing.T) {
	runMappingCases(t, []mappingCase{
		{"request by ingredient code with status, record and dates", []string{medReq("r1", "active", rx("1601374", "palbociclib"))},
			func(p logic.Patient) string {
				if len(p.Medications) != 1 {
					return fmt.Sprintf("got %d medications, want 1", len(p.Medications))
				}
				m := p.Medications[0]
				if m.Drug != "palbociclib" || m.Class != logic.DrugCDK46 || m.Record != logic.RecordRequest || m.Status != "active" ||
					m.Ref != "MedicationRequest/r1" || m.Date.IsZero() || !m.Start.Equal(m.Date) {
					return fmt.Sprintf("medication %+v", m)
				}
				return ""
			}},
		{"brand code (Synthea Femara)", []string{medReq("r1", "stopped", rx("203769", "Femara"))}, drugsAre("letrozole")},
		{"clinical drug code (Synthea tamoxifen SCD)", []string{medReq("r1", "stopped", rx("198240", "Tamoxifen 10 MG Oral Tablet"))}, drugsAre("tamoxifen")},
		{"placeholder 1234 is ignored by code but read by name", []string{medReq("r1", "stopped", rx("1234", "Ibrance"))}, drugsAre("palbociclib")},
		{"placeholder 1234 without a known name is ignored and reported", []string{medReq("r1", "stopped", rx("1234", "1298949"))}, medSkipped("placeholder")},
		{"co-pack yields one fact per ingredient", []string{medReq("r1", "active", rx("1923053", "Kisqali Femara Co-Pack"))}, drugsAre("ribociclib", "letrozole")},
		{"co-pack by name", []string{medReq("r1", "active", `"medicationCodeableConcept":{"text":"Kisqali Femara Co-Pack"}`)}, drugsAre("letrozole", "ribociclib")},
		{"trastuzumab deruxtecan by name is not also trastuzumab", []string{medReq("r1", "active", `"medicationCodeableConcept":{"text":"fam-trastuzumab deruxtecan-nxki 100 MG Injection"}`)}, drugsAre("trastuzumab deruxtecan")},
		{"chemotherapy by ingredient name", []string{medReq("r1", "active", `"medicationCodeableConcept":{"text":"Docetaxel 20 MG/ML Injectable Solution"}`)},
			func(p logic.Patient) string {
				if len(p.Medications) != 1 || p.Medications[0].Class != logic.DrugChemotherapy {
					return "docetaxel not chemotherapy"
				}
				return ""
			}},
		{"Prolia and Reclast are osteoporosis doses", []string{medReq("r1", "active", rx("993453", "Prolia")), medReq("r2", "active", `"medicationCodeableConcept":{"text":"Reclast 5 MG in 100 ML"}`), medReq("r3", "active", rx("1046399", "Xgeva"))},
			func(p logic.Patient) string {
				if len(p.Medications) != 3 || !p.Medications[0].OsteoporosisDose || !p.Medications[1].OsteoporosisDose || p.Medications[2].OsteoporosisDose {
					return fmt.Sprintf("medications = %+v, want Prolia and Reclast flagged, Xgeva not", p.Medications)
				}
				return ""
			}},
		{"medicationReference by urn:uuid", []string{medReq("r1", "active", `"medicationReference":{"reference":"urn:uuid:m1"}`), medicationDenosumab}, drugsAre("denosumab")},
		{"medicationReference relative", []string{medReq("r1", "active", `"medicationReference":{"reference":"Medication/m1"}`), medicationDenosumab}, drugsAre("denosumab")},
		{"medicationReference absolute", []string{medReq("r1", "active", `"medicationReference":{"reference":"https://ehr.example/fhir/Medication/m1"}`), medicationDenosumab}, drugsAre("denosumab")},
		{"medicationReference contained", []string{medReq("r1", "active", `"contained":[{"resourceType":"Medication","id":"med","code":{"text":"zoledronic acid 4 MG"}}],"medicationReference":{"reference":"#med"}`)}, drugsAre("zoledronic acid")},
		{"conditional medicationReference read by display", []string{medReq("r1", "active", `"medicationReference":{"reference":"Medication?identifier=urn:x|1","display":"Xgeva 120 MG"}`)}, drugsAre("denosumab")},
		{"conditional medicationReference without display is reported", []string{medReq("r1", "active", `"medicationReference":{"reference":"Medication?identifier=urn:x|1"}`)},
			func(p logic.Patient) string {
				if len(p.Medications) != 0 || len(p.Skipped) != 1 || !strings.Contains(p.Skipped[0].Reason, "not resolved") {
					return fmt.Sprintf("Skipped = %+v, want one unresolved reference", p.Skipped)
				}
				return ""
			}},
		{"statement with effective period", []string{`{"resourceType":"MedicationStatement","id":"s1","status":"active","subject":{"reference":"Patient/p1"},` + rx("10324", "tamoxifen") + `,"effectivePeriod":{"start":"2023-05","end":"2024-05-01"}}`},
			func(p logic.Patient) string {
				if len(p.Medications) != 1 || p.Medications[0].Record != logic.RecordStatement || p.Medications[0].Start.IsZero() || p.Medications[0].End.IsZero() {
					return fmt.Sprintf("medications = %+v", p.Medications)
				}
				return ""
			}},
		{"administration", []string{`{"resourceType":"MedicationAdministration","id":"a1","status":"completed","subject":{"reference":"Patient/p1"},` + rx("77655", "zoledronic acid") + `,"effectiveDateTime":"2024-06-01T10:00:00Z"}`},
			func(p logic.Patient) string {
				if len(p.Medications) != 1 || p.Medications[0].Record != logic.RecordAdministration || p.Medications[0].Class != logic.DrugBoneModifying {
					return fmt.Sprintf("medications = %+v", p.Medications)
				}
				return ""
			}},
		{"missing status is skipped", []string{medReq("r1", "", rx("10324", "tamoxifen"))}, medSkipped("missing")},
		{"entered-in-error is skipped", []string{medReq("r1", "entered-in-error", rx("10324", "tamoxifen"))}, medSkipped("entered-in-error")},
		{"unknown status is skipped", []string{medReq("r1", "taking", rx("10324", "tamoxifen"))}, medSkipped("not an R4 code")},
		{"a drug the rules do not use is ignored", []string{medReq("r1", "active", rx("1535362", "sodium fluoride 0.0272 MG/MG Oral Gel"))}, drugsAre()},
	})
}

func medSkipped(reason string) func(logic.Patient) string {
	return func(p logic.Patient) string {
		if len(p.Medications) != 0 || len(p.Skipped) != 1 || p.Skipped[0].Ref != "MedicationRequest/r1" || !strings.Contains(p.Skipped[0].Reason, reason) {
			return fmt.Sprintf("Skipped = %+v, want MedicationRequest/r1 %q", p.Skipped, reason)
		}
		return ""
	}
}
