package fhirmap

import (
	"strings"
	"testing"
)

func TestTemplates(t *testing.T) {
	want := map[string]string{
		"patient": "Patient/", "conditions": "Condition?", "observations": "Observation?", "bodystructures": "BodyStructure?",
		"imagingstudies": "ImagingStudy?", "diagnosticreports": "DiagnosticReport?", "medicationrequests": "MedicationRequest?",
		"medicationstatements": "MedicationStatement?", "medicationadministrations": "MedicationAdministration?",
		"procedures": "Procedure?", "careplans": "CarePlan?",
	}
	got := Templates()
	if len(got) != len(want) {
		t.Errorf("got %d templates, want %d", len(got), len(want))
	}
	for key, prefix := range want {
		q, ok := got[key]
		if !ok {
			t.Errorf("template %q missing", key)
			continue
		}
		if !strings.HasPrefix(q, prefix) || !strings.Contains(q, "{{context.patientId}}") {
			t.Errorf("template %q = %q, want prefix %q with {{context.patientId}}", key, q, prefix)
		}
		// CONFORMANCE.md D-7, D-8: reference and token parameters only; no
		// _include, no chaining (a dot in a parameter name), no modifiers.
		_, query, _ := strings.Cut(q, "?")
		for _, param := range strings.Split(query, "&") {
			if param == "" {
				continue
			}
			name, _, _ := strings.Cut(param, "=")
			if name != "patient" && name != "code" {
				t.Errorf("template %q uses parameter %q outside the allowed subset", key, name)
			}
		}
	}
	got["patient"] = "changed"
	if Templates()["patient"] == "changed" {
		t.Error("Templates returned a shared map")
	}
}

// Every code the observations template asks for is one the mapping reads.
func TestObservationTemplateCodesAreMapped(t *testing.T) {
	q := Templates()["observations"]
	_, list, ok := strings.Cut(q, "&code=")
	if !ok {
		t.Fatalf("observations template %q has no code list", q)
	}
	v := newVocab(DefaultOptions())
	for _, sc := range strings.Split(list, ",") {
		system, code, ok := strings.Cut(sc, "|")
		if !ok || system == "" || code == "" {
			t.Errorf("code %q is not system|code", sc)
			continue
		}
		if _, known := v.obs[system+"|"+code]; !known {
			t.Errorf("template code %s is not mapped", sc)
		}
	}
	for _, must := range []string{"http://loinc.org|21907-1", "http://loinc.org|85337-4", "http://loinc.org|97509-4", "http://loinc.org|89247-1", "http://loinc.org|69548-6"} {
		if !strings.Contains(list, must) {
			t.Errorf("observations template lacks %s", must)
		}
	}
}
