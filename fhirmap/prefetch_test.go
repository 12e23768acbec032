package fhirmap

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestPatientErrors(t *testing.T) {
	tests := []struct {
		name     string
		prefetch map[string]string
		want     error
	}{
		{"no prefetch at all", map[string]string{}, ErrNoPatient},
		{"patient key null", map[string]string{"patient": "null"}, ErrNoPatient},
		{"patient key empty bundle", map[string]string{"patient": `{"resourceType":"Bundle","type":"searchset"}`}, ErrNoPatient},
		{"only an OperationOutcome", map[string]string{"patient": `{"resourceType":"Bundle","entry":[{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome"}}]}`}, ErrNoPatient},
		{"patient key holds an Observation", map[string]string{"patient": obs("o1", systemLOINC, "85337-4", "")}, ErrInvalid},
		{"patient key holds an object without resourceType", map[string]string{"patient": `{"id":"p1"}`}, ErrInvalid},
		{"value is an array", map[string]string{"patient": patientJSONText, "conditions": `[]`}, ErrInvalid},
		{"value is a string", map[string]string{"patient": patientJSONText, "conditions": `"Condition"`}, ErrInvalid},
		{"value is broken JSON", map[string]string{"patient": patientJSONText, "conditions": `{"resourceType":`}, ErrInvalid},
		{"bundle entries are not a list", map[string]string{"patient": patientJSONText, "conditions": `{"resourceType":"Bundle","entry":{}}`}, ErrInvalid},
		{"patient found in another key", map[string]string{"data": bundle(patientJSONText)}, nil},
		{"patient key is a bundle with the patient", map[string]string{"patient": bundle(patientJSONText)}, nil},
		{"other keys null", map[string]string{"patient": patientJSONText, "conditions": "null", "observations": " null "}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := map[string]json.RawMessage{}
			for k, v := range tt.prefetch {
				pf[k] = json.RawMessage(v)
			}
			_, err := Patient(pf, DefaultOptions())
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Patient() error = %v, want %v", err, tt.want)
			}
		})
	}
}

// A resource that cannot be read is skipped and reported, never fatal.
func TestPatientSkipsBadResources(t *testing.T) {
	tests := []struct {
		name, resource, wantRef, wantReason string
	}{
		{"entry resource is a string", `"x"`, "prefetch data entry 0", "not a JSON object"},
		{"entry resource without resourceType", `{"id":"x"}`, "prefetch data entry 0", "no resourceType"},
		{"observation with a bad field type", `{"resourceType":"Observation","id":"o9","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85337-4"}]},"valueString":5}`, "Observation/o9", "unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mapOne(t, tt.resource)
			if len(p.Skipped) != 1 || p.Skipped[0].Ref != tt.wantRef || !strings.Contains(p.Skipped[0].Reason, tt.wantReason) {
				t.Errorf("Skipped = %+v, want one for %s containing %q", p.Skipped, tt.wantRef, tt.wantReason)
			}
		})
	}
}

func TestPatientBundleEntries(t *testing.T) {
	er := obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004"))
	t.Run("outcome entries are skipped and include entries are not facts", func(t *testing.T) {
		b := `{"resourceType":"Bundle","type":"searchset","entry":[` +
			`{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"too-costly"}]}},` +
			`{"search":{"mode":"match"},"resource":` + er + `},` +
			`{"search":{"mode":"include"},"resource":` + obs("o2", systemLOINC, "85339-0", cc(systemSNOMED, "10828004")) + `}]}`
		p, err := Patient(map[string]json.RawMessage{"patient": json.RawMessage(patientJSONText), "observations": json.RawMessage(b)}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Markers) != 1 || p.Markers[0].Ref != "Observation/o1" {
			t.Errorf("Markers = %+v, want only Observation/o1", p.Markers)
		}
		if len(p.Skipped) != 0 {
			t.Errorf("Skipped = %+v, want none", p.Skipped)
		}
	})
	t.Run("the same resource under two keys counts once", func(t *testing.T) {
		p, err := Patient(map[string]json.RawMessage{
			"patient": json.RawMessage(patientJSONText),
			"a":       json.RawMessage(bundle(er)),
			"b":       json.RawMessage(er),
		}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Markers) != 1 {
			t.Errorf("got %d markers, want 1", len(p.Markers))
		}
	})
	t.Run("facts about another patient are skipped", func(t *testing.T) {
		other := strings.Replace(er, `"Patient/p1"`, `"Patient/p2"`, 1)
		p := mapOne(t, other)
		if len(p.Markers) != 0 || len(p.Skipped) != 1 {
			t.Errorf("Markers = %+v, Skipped = %+v; want no marker and one skip", p.Markers, p.Skipped)
		}
	})
}

func TestSplitRef(t *testing.T) {
	tests := []struct{ in, typ, id string }{
		{"Observation/1", "Observation", "1"},
		{"https://ehr.example/fhir/Medication/m1", "Medication", "m1"},
		{"https://ehr.example/fhir/Medication/m1/_history/3", "Medication", "m1"},
		{"urn:uuid:1234", "", ""},
		{"#med", "", ""},
		{"Medication?identifier=x|1", "", ""},
		{"Medication/", "", ""},
		{"lowercase/1", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			typ, id := splitRef(tt.in)
			if typ != tt.typ || id != tt.id {
				t.Errorf("splitRef(%q) = %q, %q; want %q, %q", tt.in, typ, id, tt.typ, tt.id)
			}
		})
	}
}

func TestPeek(t *testing.T) {
	tests := []struct {
		name, in, typ, id, code string
		ok                      bool
	}{
		{"type id and code", `{"resourceType":"Observation","id":"a","code":{"coding":[]},"x":[1,{"y":"}"}]}`, "Observation", "a", `{"coding":[]}`, true},
		{"whitespace", " { \"id\" : \"b\" , \"resourceType\" : \"Condition\" } ", "Condition", "b", "", true},
		{"escaped id falls back", `{"resourceType":"Patient","id":"a\"b"}`, "", "", "", false},
		{"not an object", `[1]`, "", "", "", false},
		{"truncated", `{"resourceType":"Pat`, "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, id, code, ok := peek([]byte(tt.in))
			if typ != tt.typ || id != tt.id || string(code) != tt.code || ok != tt.ok {
				t.Errorf("peek = %q, %q, %q, %v; want %q, %q, %q, %v", typ, id, code, ok, tt.typ, tt.id, tt.code, tt.ok)
			}
		})
	}
}
