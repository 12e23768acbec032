package fhirsearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestPrefetchGolden(t *testing.T) {
	x := loadIndex(t, "small_transaction.json")
	got, err := x.Prefetch(templates(), patientID)
	if err != nil {
		t.Fatal(err)
	}
	text, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "small_prefetch.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(text, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(append(text, '\n'), want) {
		t.Errorf("Prefetch output differs from %s (run go test -update after checking the change):\n%s", golden, text)
	}
}

func TestPrefetchAnswers(t *testing.T) {
	x := loadIndex(t, "small_transaction.json", "relative_collection.json")
	got, err := x.Prefetch(templates(), patientID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(templates()) {
		t.Fatalf("Prefetch gave %d keys, want %d", len(got), len(templates()))
	}
	t.Run("read gives the resource", func(t *testing.T) {
		if k := keys(t, []json.RawMessage{got["patient"]}); k[0] != "Patient/"+patientID {
			t.Errorf("patient = %v", k)
		}
	})
	t.Run("empty search gives an empty Bundle with total 0", func(t *testing.T) {
		b := decodeBundle(t, got["careplans"])
		if *b.Total != 0 || len(b.Entry) != 0 {
			t.Errorf("careplans total %d entries %d, want 0 and 0", *b.Total, len(b.Entry))
		}
	})
	t.Run("search filters by code and patient", func(t *testing.T) {
		b := decodeBundle(t, got["observations"])
		want := []string{"Observation/obs-er", "Observation/obs-pr", "Observation/obs-m"}
		if k := b.keys(t); !slices.Equal(k, want) || *b.Total != 3 {
			t.Errorf("observations = %v total %d, want %v total 3", k, *b.Total, want)
		}
	})
	t.Run("medication search includes referenced Medication", func(t *testing.T) {
		b := decodeBundle(t, got["medicationrequests"])
		want := []string{"MedicationRequest/mr-1", "MedicationRequest/mr-2", "Medication/med-1"}
		if k := b.keys(t); !slices.Equal(k, want) {
			t.Fatalf("medicationrequests = %v, want %v", k, want)
		}
		if b.Entry[2].Search.Mode != "include" || b.Entry[0].Search.Mode != "match" || *b.Total != 2 {
			t.Errorf("modes %q/%q total %d, want match/include and total 2", b.Entry[0].Search.Mode, b.Entry[2].Search.Mode, *b.Total)
		}
	})
	t.Run("read of an unknown patient is null", func(t *testing.T) {
		other, err := x.Prefetch(map[string]string{"patient": "Patient/{{context.patientId}}"}, "nobody")
		if err != nil {
			t.Fatal(err)
		}
		if string(other["patient"]) != "null" {
			t.Errorf("patient = %s, want null", other["patient"])
		}
	})
	t.Run("patient id is escaped, not spliced into the query", func(t *testing.T) {
		// Unescaped, "&code=x" would become a second parameter and the
		// search would run; escaped, it stays part of one invalid id.
		_, err := x.Prefetch(map[string]string{"c": "Condition?patient={{context.patientId}}"}, "p2&code=x")
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("error = %v, want ErrBadQuery for the whole value", err)
		}
	})
}

func TestPrefetchRefuses(t *testing.T) {
	x := loadIndex(t, "small_transaction.json")
	tests := []struct {
		name, template string
		want           error
	}{
		{"other token", "Encounter/{{context.encounterId}}", ErrUnsupported},
		{"unsupported parameter", "Observation?patient={{context.patientId}}&_include=Observation:subject", ErrUnsupported},
		{"bad read", "Patient/{{context.patientId}}/x", ErrBadQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.Prefetch(map[string]string{"k": tt.template}, patientID)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Prefetch error = %v, want %v", err, tt.want)
			}
		})
	}
}
