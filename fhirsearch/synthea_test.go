package fhirsearch

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestSyntheaPrefetchCounts checks Prefetch on the real Synthea bundles
// against an independent count made straight from the transaction entries.
func TestSyntheaPrefetchCounts(t *testing.T) {
	for name, raw := range syntheaBundles(t) {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			x, err := NewIndex(raw)
			if err != nil {
				t.Fatal(err)
			}
			ids := x.PatientIDs()
			if len(ids) != 1 {
				t.Fatalf("PatientIDs() = %v, want one patient per Synthea bundle", ids)
			}
			got, err := x.Prefetch(templates(), ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if string(got["patient"]) == "null" {
				t.Error("patient read gave null")
			}
			want := independentCounts(t, raw, ids[0])
			if want["conditions"] == 0 {
				t.Fatal("independent count found no Condition: the count itself is broken")
			}
			for key, tmpl := range templates() {
				if !strings.Contains(tmpl, "?") {
					continue
				}
				b := decodeBundle(t, got[key])
				if *b.Total != want[key] {
					t.Errorf("%s: total %d, want %d", key, *b.Total, want[key])
				}
				for _, e := range b.Entry {
					if e.Search.Mode == "include" && !strings.Contains(string(e.Resource), `"resourceType":"Medication"`) {
						t.Errorf("%s: include entry is not a Medication", key)
					}
				}
				if includes := len(b.Entry) - *b.Total; includes != want[key+" includes"] {
					t.Errorf("%s: %d Medication includes, want %d", key, includes, want[key+" includes"])
				}
			}
		})
	}
}

// independentCounts counts, per template key, the entries a FHIR server
// would match: the right type, subject or patient pointing at the patient's
// urn:uuid, and for keys with code= any coding in the listed system|code set.
func independentCounts(tb testing.TB, raw []byte, patientID string) map[string]int {
	tb.Helper()
	var b struct {
		Entry []struct {
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for key, tmpl := range templates() {
		typ, query, ok := strings.Cut(tmpl, "?")
		if !ok {
			continue
		}
		values, _ := url.ParseQuery(query)
		codes := map[string]bool{}
		seenMed := map[any]bool{}
		for _, c := range strings.Split(values.Get("code"), ",") {
			if c != "" {
				codes[c] = true
			}
		}
		for _, e := range b.Entry {
			r := e.Resource
			if r["resourceType"] != typ || !refersTo(r, patientID) {
				continue
			}
			if len(codes) > 0 && !hasCode(r["code"], codes) {
				continue
			}
			out[key]++
			if m, ok := r["medicationReference"].(map[string]any); ok && !seenMed[m["reference"]] {
				seenMed[m["reference"]] = true
				out[key+" includes"]++
			}
		}
	}
	return out
}

func refersTo(r map[string]any, patientID string) bool {
	for _, el := range []string{"subject", "patient"} {
		m, _ := r[el].(map[string]any)
		if ref, _ := m["reference"].(string); ref == "urn:uuid:"+patientID || ref == "Patient/"+patientID {
			return true
		}
	}
	return false
}

func hasCode(cc any, codes map[string]bool) bool {
	m, _ := cc.(map[string]any)
	list, _ := m["coding"].([]any)
	for _, c := range list {
		cm, _ := c.(map[string]any)
		system, _ := cm["system"].(string)
		code, _ := cm["code"].(string)
		if codes[system+"|"+code] {
			return true
		}
	}
	return false
}
