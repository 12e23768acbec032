package fhirsearch

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

const patientID = "6b1f3c8e-0d0a-4a51-9a35-2b1e6c3f0a01"

func TestNewIndexRewritesReferences(t *testing.T) {
	x := loadIndex(t, "small_transaction.json", "relative_collection.json")
	tests := []struct {
		name, typ, id string
		want          []string // substrings of the stored resource
		notWant       []string
	}{
		{"urn uuid subject becomes relative", "Observation", "obs-er",
			[]string{`"subject":{"reference":"Patient/` + patientID + `"}`}, []string{"urn:uuid"}},
		{"conditional reference resolves by identifier", "Observation", "obs-er",
			[]string{`"performer":[{"reference":"Practitioner/0c7a4f2e-5a3b-4d61-8f0e-9d2c1b3a4e02"}]`}, []string{"?identifier"}},
		{"medicationReference becomes relative", "MedicationRequest", "mr-1",
			[]string{`"medicationReference":{"reference":"Medication/med-1"}`}, nil},
		{"decimals keep their digits", "Observation", "obs-size",
			[]string{`"value":0.30698`}, nil},
		{"relative references stay", "Condition", "c2",
			[]string{`"subject":{"reference":"Patient/p2"}`}, nil},
		{"absolute reference equal to a fullUrl becomes relative", "Condition", "c3",
			[]string{`"subject":{"reference":"Patient/p2"}`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, ok := x.Read(tt.typ, tt.id)
			if !ok {
				t.Fatalf("Read(%s, %s) found nothing", tt.typ, tt.id)
			}
			for _, s := range tt.want {
				if !strings.Contains(string(raw), s) {
					t.Errorf("resource %s lacks %s:\n%s", tt.id, s, raw)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(string(raw), s) {
					t.Errorf("resource %s still has %s:\n%s", tt.id, s, raw)
				}
			}
		})
	}
}

func TestPatientIDs(t *testing.T) {
	x := loadIndex(t, "small_transaction.json", "relative_collection.json")
	got := x.PatientIDs()
	want := []string{patientID, "p2"}
	if !slices.Equal(got, want) {
		t.Fatalf("PatientIDs() = %v, want %v", got, want)
	}
	got[0] = "changed"
	if x.PatientIDs()[0] != patientID {
		t.Error("PatientIDs returned the index's own slice")
	}
}

func TestReadUnknown(t *testing.T) {
	x := loadIndex(t, "small_transaction.json")
	if raw, ok := x.Read("Patient", "nobody"); ok {
		t.Errorf("Read(Patient, nobody) = %s, want not found", raw)
	}
	if _, ok := x.Read("Observation", patientID); ok {
		t.Error("Read found a Patient id under the Observation type")
	}
}

func TestNewIndexRejects(t *testing.T) {
	tests := []struct {
		name, bundle string
	}{
		{"not a bundle", `{"resourceType":"Patient","id":"x"}`},
		{"not JSON", `{`},
		{"entry without resourceType", `{"resourceType":"Bundle","entry":[{"resource":{"id":"x"}}]}`},
		{"entry without id or urn fullUrl", `{"resourceType":"Bundle","entry":[{"fullUrl":"http://x/y","resource":{"resourceType":"Patient"}}]}`},
		{"entry resource not an object", `{"resourceType":"Bundle","entry":[{"resource":[1]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewIndex(json.RawMessage(tt.bundle))
			if !errors.Is(err, ErrBadBundle) {
				t.Fatalf("NewIndex error = %v, want ErrBadBundle", err)
			}
		})
	}
}

func TestNewIndexTakesIDFromURNFullURL(t *testing.T) {
	x, err := NewIndex(json.RawMessage(`{"resourceType":"Bundle","type":"transaction","entry":[
		{"fullUrl":"urn:uuid:a1","resource":{"resourceType":"Patient"}},
		{"fullUrl":"urn:uuid:a2","resource":{"resourceType":"Condition","subject":{"reference":"urn:uuid:a1"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := x.Search("Condition?patient=a1")
	if err != nil {
		t.Fatal(err)
	}
	if k := keys(t, got); !slices.Equal(k, []string{"Condition/a2"}) {
		t.Fatalf("Search = %v, want [Condition/a2]", k)
	}
}

func TestFirstResourceWins(t *testing.T) {
	x, err := NewIndex(
		json.RawMessage(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"a","gender":"female"}}]}`),
		json.RawMessage(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"a","gender":"male"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := x.Read("Patient", "a")
	if !strings.Contains(string(raw), "female") {
		t.Errorf("Read(Patient, a) = %s, want the first copy", raw)
	}
	if got := x.PatientIDs(); len(got) != 1 {
		t.Errorf("PatientIDs() = %v, want one id", got)
	}
}
