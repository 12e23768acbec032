package fhirmap

import (
	"fmt"
	"strings"
	"testing"

	"ombc-cds/logic"
)

func oneMarker(p logic.Patient) (logic.Marker, string) {
	if len(p.Markers) != 1 {
		return logic.Marker{}, fmt.Sprintf("got %d markers, want 1", len(p.Markers))
	}
	return p.Markers[0], ""
}

// markerIs checks kind, method and result of the only marker.
func markerIs(kind logic.MarkerKind, method logic.Method, result logic.Result) func(logic.Patient) string {
	return func(p logic.Patient) string {
		m, msg := oneMarker(p)
		if msg == "" && (m.Kind != kind || m.Method != method || m.Result != result) {
			msg = fmt.Sprintf("marker kind %d method %d result %d, want %d %d %d", m.Kind, m.Method, m.Result, kind, method, result)
		}
		return msg
	}
}

// stagingIs checks the only staging fact.
func stagingIs(kind logic.StagingKind, value, sub string) func(logic.Patient) string {
	return func(p logic.Patient) string {
		if len(p.Staging) != 1 {
			return fmt.Sprintf("got %d staging facts, want 1", len(p.Staging))
		}
		s := p.Staging[0]
		if s.Kind != kind || s.Value != value || s.Sub != sub {
			return fmt.Sprintf("staging %d %q %q, want %d %q %q", s.Kind, s.Value, s.Sub, kind, value, sub)
		}
		return ""
	}
}

// skippedWith checks that exactly one resource was skipped for a reason.
func skippedWith(ref, reason string) func(logic.Patient) string {
	return func(p logic.Patient) string {
		if len(p.Skipped) != 1 || p.Skipped[0].Ref != ref || !strings.Contains(p.Skipped[0].Reason, reason) {
			return fmt.Sprintf("Skipped = %+v, want %s: %q", p.Skipped, ref, reason)
		}
		if len(p.Markers)+len(p.Staging)+len(p.DiseaseStatus)+len(p.Performance) != 0 {
			return "a skipped Observation still produced a fact"
		}
		return ""
	}
}

func TestObservationsStaging(t *testing.T) {
	runMappingCases(t, []mappingCase{
		{"Synthea M1 finding", []string{obs("o1", systemLOINC, "21907-1", cc(systemSNOMED, "55440008"))}, stagingIs(logic.StagingM, "M1", "")},
		{"AJCC SNOMED cM1", []string{obs("o1", systemSNOMED, "399387003", cc(systemSNOMED, "1229903009"))}, stagingIs(logic.StagingM, "M1", "")},
		{"AJCC code with sub-category", []string{obs("o1", systemLOINC, "21907-1", cc(systemAJCC, "pM1b"))}, stagingIs(logic.StagingM, "M1", "M1b")},
		{"M0", []string{obs("o1", systemLOINC, "21907-1", cc(systemSNOMED, "30893008"))}, stagingIs(logic.StagingM, "M0", "")},
		{"Synthea stage 2A", []string{obs("o1", systemLOINC, "21908-9", cc(systemSNOMED, "261614003"))}, stagingIs(logic.StagingGroup, "II", "IIA")},
		{"Stage 4", []string{obs("o1", systemLOINC, "21908-9", cc(systemSNOMED, "258228008"))}, stagingIs(logic.StagingGroup, "IV", "")},
		{"AJCC stage group in Roman numerals", []string{obs("o1", systemLOINC, "21908-9", cc(systemAJCC, "IIIB"))}, stagingIs(logic.StagingGroup, "III", "IIIB")},
		{"regional nodes N1", []string{obs("o1", systemLOINC, "21906-3", cc(systemSNOMED, "53623008"))}, stagingIs(logic.StagingN, "N1", "")},
		{"primary tumour cT4", []string{obs("o1", systemLOINC, "21905-5", cc(systemSNOMED, "1228944003"))}, stagingIs(logic.StagingT, "T4", "")},
		{"unknown staging value is skipped, not guessed", []string{obs("o1", systemLOINC, "21907-1", cc(systemSNOMED, "12345"))}, skippedWith("Observation/o1", "staging value")},
	})
}

func TestObservationsMarkers(t *testing.T) {
	runMappingCases(t, []mappingCase{
		{"ER positive by SNOMED answer", []string{obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004"))}, markerIs(logic.MarkerER, logic.MethodIHC, logic.Positive)},
		{"ER negative by LOINC answer", []string{obs("o1", systemLOINC, "85337-4", cc(systemLOINC, "LA6577-6"))}, markerIs(logic.MarkerER, logic.MethodIHC, logic.Negative)},
		{"PR overall (CanDIG 16113-3)", []string{obs("o1", systemLOINC, "16113-3", cc(systemSNOMED, "260385009"))}, markerIs(logic.MarkerPR, logic.MethodOverall, logic.Negative)},
		{"HER2 IHC equivocal", []string{obs("o1", systemLOINC, "85319-2", cc(systemSNOMED, "280414007"))}, markerIs(logic.MarkerHER2, logic.MethodIHC, logic.Equivocal)},
		{"HER2 IHC score 2+ as string", []string{obs("o1", systemLOINC, "85319-2", `"valueString":"2+"`)}, markerIs(logic.MarkerHER2, logic.MethodIHC, logic.Equivocal)},
		{"HER2 FISH Synthea text amplified", []string{obs("o1", systemLOINC, "85318-4", `"valueString":"greater than 2.2"`)}, markerIs(logic.MarkerHER2, logic.MethodISH, logic.Positive)},
		{"HER2 FISH Synthea text not amplified", []string{obs("o1", systemLOINC, "85318-4", `"valueString":"less than 1.8"`)}, markerIs(logic.MarkerHER2, logic.MethodISH, logic.Negative)},
		{"HER2 overall interpretation", []string{obs("o1", systemLOINC, "48676-1", cc(systemSNOMED, "10828004"))}, markerIs(logic.MarkerHER2, logic.MethodOverall, logic.Positive)},
		{"HR combined (Synthea 10480-2)", []string{obs("o1", systemLOINC, "10480-2", cc(systemSNOMED, "10828004"))}, markerIs(logic.MarkerHR, logic.MethodIHC, logic.Positive)},
		{"ICHOM ER-negative finding value", []string{obs("o1", systemSNOMED, "445028008", cc(systemSNOMED, "373572006"))}, markerIs(logic.MarkerER, logic.MethodUnspecified, logic.Negative)},
		{"PD-L1 positive", []string{obs("o1", systemLOINC, "83052-1", cc(systemLOINC, "LA6576-8"))}, markerIs(logic.MarkerPDL1, logic.MethodIHC, logic.Positive)},
		{"PD-L1 as a number keeps the text, no guessed result", []string{obs("o1", systemLOINC, "83053-9", `"valueQuantity":{"value":12,"unit":"%"}`)},
			func(p logic.Patient) string {
				m, msg := oneMarker(p)
				if msg == "" && (m.Kind != logic.MarkerPDL1 || m.Result != logic.ResultUnknown || m.Text != "12 %") {
					msg = fmt.Sprintf("marker %+v, want PD-L1 unknown result with text 12 %%", m)
				}
				return msg
			}},
		{"interpretation code gives the result", []string{obs("o1", systemLOINC, "83053-9", `"valueQuantity":{"value":50,"unit":"%"},"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"POS"}]}]`)},
			markerIs(logic.MarkerPDL1, logic.MethodIHC, logic.Positive)},
		{"HER2 in serum is not tumour status", []string{obs("o1", systemLOINC, "32996-1", `"valueQuantity":{"value":20}`)},
			func(p logic.Patient) string {
				if len(p.Markers) != 0 {
					return "serum HER2 mapped"
				}
				return ""
			}},
		{"provenance and date kept", []string{obs("abc", systemLOINC, "85337-4", cc(systemSNOMED, "10828004"))},
			func(p logic.Patient) string {
				m, msg := oneMarker(p)
				if msg == "" && (m.Ref != "Observation/abc" || m.Date.Format("2006-01-02") != "2024-03-02") {
					msg = fmt.Sprintf("source %+v, want Observation/abc 2024-03-02", m.Source)
				}
				return msg
			}},
		{"entered-in-error is skipped", []string{strings.Replace(obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004")), `"final"`, `"entered-in-error"`, 1)}, skippedWith("Observation/o1", "entered-in-error")},
		{"missing status is skipped, not read as registered", []string{strings.Replace(obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004")), `"status":"final",`, ``, 1)}, skippedWith("Observation/o1", "missing")},
		{"unknown status is skipped", []string{strings.Replace(obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004")), `"final"`, `"finalised"`, 1)}, skippedWith("Observation/o1", "not an R4 code")},
		{"unknown narrative status does not break the resource", []string{obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004")+`,"text":{"status":"weird","div":"<div/>"}`)}, markerIs(logic.MarkerER, logic.MethodIHC, logic.Positive)},
		{"unknown quantity comparator fails only that resource", []string{obs("o1", systemLOINC, "83053-9", `"valueQuantity":{"value":1,"comparator":"~"}`)}, skippedWith("Observation/o1", "unreadable")},
		{"vital signs are ignored silently", []string{obs("o1", systemLOINC, "8867-4", `"valueQuantity":{"value":70}`), strings.Replace(obs("o2", systemLOINC, "8480-6", ""), `"final"`, `"bogus"`, 1)},
			func(p logic.Patient) string {
				if len(p.Markers)+len(p.Skipped) != 0 {
					return "vital signs produced facts or skips"
				}
				return ""
			}},
	})
}

// variantObs builds a genomics-reporting Variant for a gene and presence.
func variantObs(id, hgnc, presence string) string {
	return obs(id, systemLOINC, "69548-6", cc(systemLOINC, presence)+`,"component":[`+
		`{"code":{"coding":[{"system":"http://loinc.org","code":"48018-6"}]},"valueCodeableConcept":{"coding":[{"system":"http://www.genenames.org","code":"`+hgnc+`"}]}},`+
		`{"code":{"coding":[{"system":"http://loinc.org","code":"48002-0"}]},"valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"LA6683-2"}]}}]`)
}

// implicationObs builds a Diagnostic Implication pointing at a variant.
func implicationObs(id, variantRef, significance string) string {
	return `{"resourceType":"Observation","id":"` + id + `","status":"final","subject":{"reference":"Patient/p1"},` +
		`"code":{"coding":[{"system":"http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs","code":"diagnostic-implication"}]},` +
		`"derivedFrom":[{"reference":"` + variantRef + `"}],"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"53037-8"}]},` +
		`"valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"` + significance + `"}]}}]}`
}

func brcaIs(gene string, result logic.Result) func(logic.Patient) string {
	return func(p logic.Patient) string {
		m, msg := oneMarker(p)
		if msg == "" && (m.Kind != logic.MarkerBRCA || m.Gene != gene || m.Result != result || m.Origin != logic.Germline || m.Ref != "Observation/v1") {
			msg = fmt.Sprintf("marker %+v, want germline %s result %d from Observation/v1", m, gene, result)
		}
		return msg
	}
}

func TestObservationsGenomics(t *testing.T) {
	runMappingCases(t, []mappingCase{
		{"BRCA1 pathogenic, HGNC with prefix, implication by relative reference",
			[]string{variantObs("v1", "HGNC:1100", "LA9633-4"), implicationObs("i1", "Observation/v1", "LA6668-3")}, brcaIs("BRCA1", logic.Positive)},
		{"BRCA2 likely pathogenic, HGNC without prefix, implication by urn:uuid",
			[]string{variantObs("v1", "1101", "LA9633-4"), implicationObs("i1", "urn:uuid:v1", "LA26332-9")}, brcaIs("BRCA2", logic.Positive)},
		{"implication before its variant", []string{implicationObs("i1", "Observation/v1", "LA26333-7"), variantObs("v1", "HGNC:1100", "LA9633-4")}, brcaIs("BRCA1", logic.Equivocal)},
		{"benign variant", []string{variantObs("v1", "HGNC:1100", "LA9633-4"), implicationObs("i1", "Observation/v1", "LA6675-8")}, brcaIs("BRCA1", logic.Negative)},
		{"no variant detected", []string{variantObs("v1", "HGNC:1101", "LA9634-2")}, brcaIs("BRCA2", logic.Negative)},
		{"variant present without significance is not called pathogenic", []string{variantObs("v1", "HGNC:1100", "LA9633-4")}, brcaIs("BRCA1", logic.ResultUnknown)},
		{"variant in another gene is ignored", []string{variantObs("v1", "HGNC:3236", "LA9633-4"), implicationObs("i1", "Observation/v1", "LA6668-3")},
			func(p logic.Patient) string {
				if len(p.Markers) != 0 {
					return "non-BRCA variant mapped"
				}
				return ""
			}},
		{"tumour-marker style BRCA1 test", []string{obs("o1", systemLOINC, "21636-6", cc(systemSNOMED, "10828004"))}, markerIs(logic.MarkerBRCA, logic.MethodGenomic, logic.Positive)},
	})
}

func TestObservationsStatusAndPerformance(t *testing.T) {
	runMappingCases(t, []mappingCase{
		{"history of metastatic cancer false is a negation", []string{obs("o1", systemSNOMED, "1287652008", `"valueBoolean":false`)},
			func(p logic.Patient) string {
				if len(p.MetastasisHistory) != 1 || p.MetastasisHistory[0].Present {
					return "false history not kept as a negation"
				}
				return ""
			}},
		{"history of metastatic cancer without value asserts it", []string{obs("o1", systemSNOMED, "1098951000119108", "")},
			func(p logic.Patient) string {
				if len(p.MetastasisHistory) != 1 || !p.MetastasisHistory[0].Present {
					return "history not present"
				}
				return ""
			}},
		{"cancer disease status and Synthea response", []string{
			obs("o1", systemLOINC, "97509-4", cc(systemSNOMED, "271299001")),
			obs("o2", systemLOINC, "88040-1", cc(systemSNOMED, "385633008")),
			obs("o3", systemLOINC, "88040-1", cc(systemSNOMED, "230993007")),
			obs("o4", systemLOINC, "97509-4", cc(systemSNOMED, "359746009")),
			obs("o5", systemLOINC, "97509-4", cc(systemSNOMED, "1234"))},
			func(p logic.Patient) string {
				want := []logic.DiseaseStatus{logic.Worsened, logic.Improved, logic.Worsened, logic.Stable, logic.DiseaseStatusUnknown}
				if len(p.DiseaseStatus) != len(want) {
					return fmt.Sprintf("got %d statuses, want %d", len(p.DiseaseStatus), len(want))
				}
				for i, w := range want {
					if p.DiseaseStatus[i].Status != w {
						return fmt.Sprintf("status %d = %d, want %d", i, p.DiseaseStatus[i].Status, w)
					}
				}
				return ""
			}},
		{"ECOG and Karnofsky valueInteger", []string{obs("o1", systemLOINC, "89247-1", `"valueInteger":1`), obs("o2", systemLOINC, "89243-0", `"valueInteger":80`)},
			func(p logic.Patient) string {
				if len(p.Performance) != 2 || p.Performance[0] != (logic.Performance{Source: p.Performance[0].Source, Scale: logic.ECOG, Value: 1}) ||
					p.Performance[1].Scale != logic.Karnofsky || p.Performance[1].Value != 80 {
					return fmt.Sprintf("performance = %+v, want ECOG 1 and Karnofsky 80", p.Performance)
				}
				return ""
			}},
		{"ECOG out of range is skipped", []string{obs("o1", systemLOINC, "89247-1", `"valueInteger":7`)}, skippedWith("Observation/o1", "performance")},
	})
}
