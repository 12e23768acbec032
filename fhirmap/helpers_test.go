package fhirmap

import (
	"encoding/json"
	"strings"
	"testing"

	"ombc-cds/logic"
)

// patientJSONText is the Patient every mapping test starts from.
const patientJSONText = `{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-05-01"}`

// bundle wraps resources in a searchset Bundle with urn:uuid fullUrls.
func bundle(resources ...string) string {
	entries := make([]string, len(resources))
	for i, r := range resources {
		var h struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal([]byte(r), &h)
		full := ""
		if h.ID != "" {
			full = `"fullUrl":"urn:uuid:` + h.ID + `",`
		}
		entries[i] = `{` + full + `"resource":` + r + `}`
	}
	return `{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Join(entries, ",") + `]}`
}

// mapOne maps the default patient plus the given resources as one Bundle.
func mapOne(tb testing.TB, resources ...string) logic.Patient {
	tb.Helper()
	p, err := Patient(map[string]json.RawMessage{
		"patient": json.RawMessage(patientJSONText),
		"data":    json.RawMessage(bundle(resources...)),
	}, DefaultOptions())
	if err != nil {
		tb.Fatalf("Patient: %v", err)
	}
	return p
}

// obs builds an Observation with one coding and the given extra members.
func obs(id, system, code, extra string) string {
	s := `{"resourceType":"Observation","id":"` + id + `","status":"final","subject":{"reference":"Patient/p1"},` +
		`"code":{"coding":[{"system":"` + system + `","code":"` + code + `"}]},"effectiveDateTime":"2024-03-02"`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// cc builds a valueCodeableConcept member.
func cc(system, code string) string {
	return `"valueCodeableConcept":{"coding":[{"system":"` + system + `","code":"` + code + `"}]}`
}
