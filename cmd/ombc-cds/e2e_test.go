package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ombc-cds/fhirmap"
	"ombc-cds/fhirsearch"
	"ombc-cds/fixtures"
	"ombc-cds/logic"
)

const hookPath = "/cds-services/" + serviceID

// expectation is one fixture's entry in fixtures/expectations.json.
type expectation struct {
	Fires          []string `json:"fires"`
	Silent         []string `json:"silent"`
	Classification string   `json:"classification"`
	Note           string   `json:"note"`
}

func loadExpectations(t *testing.T) map[string]expectation {
	t.Helper()
	b, err := fixtures.Expectations()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]expectation
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFixtures posts every fixture through the real HTTP path (JWT
// verification, prefetch, fhirmap, logic, cards) and checks that exactly the
// expected rule codes fire, none of the silent ones do, and the cards match
// the golden file (testdata/cards/<fixture>.json; -update rewrites them).
func TestFixtures(t *testing.T) {
	svc := newTestService(t, serviceOptions{})
	want := loadExpectations(t)
	for _, name := range fixtures.Names() {
		t.Run(name, func(t *testing.T) {
			body, err := fixtures.Request(name)
			if err != nil {
				t.Fatal(err)
			}
			status, resp := svc.post(hookPath, body)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, resp)
			}
			got := ruleCodes(t, resp)
			exp, ok := want[name]
			if !ok {
				t.Fatalf("fixture %s has no entry in expectations.json", name)
			}
			wantFires := slices.Clone(exp.Fires)
			slices.Sort(wantFires)
			sorted := slices.Clone(got)
			slices.Sort(sorted)
			if !slices.Equal(sorted, wantFires) {
				t.Errorf("fired %v, want %v (%s)", sorted, wantFires, exp.Note)
			}
			for _, s := range exp.Silent {
				if slices.Contains(got, s) {
					t.Errorf("%s fired but must be silent (%s)", s, exp.Note)
				}
			}
			golden(t, filepath.Join("cards", name+".json"), indent(t, resp))
		})
	}
}

// TestFixtureClassification checks the classification each fixture's
// expectations name, through the same mapping the hook uses.
func TestFixtureClassification(t *testing.T) {
	want := loadExpectations(t)
	for _, name := range fixtures.Names() {
		t.Run(name, func(t *testing.T) {
			body, _ := fixtures.Request(name)
			var req struct {
				Prefetch map[string]json.RawMessage `json:"prefetch"`
			}
			if err := json.Unmarshal(body, &req); err != nil {
				t.Fatal(err)
			}
			p, err := fhirmap.Patient(req.Prefetch, fhirmap.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			a := logic.Classify(p, evalNow, logic.DefaultConfig())
			got := classificationName(a)
			if w := want[name].Classification; got != w {
				t.Errorf("classification %q, want %q (%s)", got, w, want[name].Note)
			}
		})
	}
}

// classificationName maps an assessment to expectations.json's words.
func classificationName(a logic.Assessment) string {
	if !a.InScope {
		return "out-of-scope"
	}
	switch a.Class.String() {
	case "OMBC":
		return "ombc"
	case "none", "":
		return "none"
	default:
		return a.Class.String()
	}
}

// TestSyntheaFallbackEqualsPrefetch is the "done when": for every
// real Synthea bundle, a request with no prefetch answered from a loopback
// FHIR server holding the bundle gives the same cards as the same data sent
// as prefetch.
func TestSyntheaFallbackEqualsPrefetch(t *testing.T) {
	dir := sharedDir(t, "synthea")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skip("no bundles in ../shared/synthea")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			idx, err := fhirsearch.NewIndex(data)
			if err != nil {
				t.Fatal(err)
			}
			fhir := httptest.NewServer(&fhirsearch.Server{Index: idx, PageSize: 50, Token: "sentinel-access-token"})
			defer fhir.Close()
			svc := newTestService(t, serviceOptions{fhirServers: []string{fhir.URL}})
			for _, id := range idx.PatientIDs() {
				pre, err := idx.Prefetch(fhirmap.Templates(), id)
				if err != nil {
					t.Fatal(err)
				}
				withPrefetch := hookRequest(t, id, map[string]any{"prefetch": pre})
				withServer := hookRequest(t, id, map[string]any{
					"fhirServer": fhir.URL,
					"fhirAuthorization": map[string]any{
						"access_token": "sentinel-access-token", "token_type": "Bearer", "expires_in": 300,
						"scope": "patient/*.read", "subject": "ombc-cds",
					},
				})
				s1, r1 := svc.post(hookPath, withPrefetch)
				s2, r2 := svc.post(hookPath, withServer)
				if s1 != http.StatusOK || s2 != http.StatusOK {
					t.Fatalf("statuses %d (prefetch) and %d (fallback): %s %s", s1, s2, r1, r2)
				}
				if string(r1) != string(r2) {
					t.Errorf("fallback cards differ from prefetch cards\nprefetch: %s\nfallback: %s", r1, r2)
				}
				if strings.Contains(svc.logs.String(), "sentinel-access-token") {
					t.Error("the FHIR access token reached the logs")
				}
			}
		})
	}
}

// TestFixturesFallbackEqualsPrefetch serves each fixture's data from a
// loopback FHIR server and sends the hook with no prefetch: the service must
// fetch, through its code-filtered templates, everything the rules need, and
// so give the same rule codes as with the fixture's own prefetch.
func TestFixturesFallbackEqualsPrefetch(t *testing.T) {
	want := loadExpectations(t)
	for _, name := range fixtures.Names() {
		t.Run(name, func(t *testing.T) {
			body, _ := fixtures.Request(name)
			idx := fixtureIndex(t, body)
			fhir := httptest.NewServer(&fhirsearch.Server{Index: idx, PageSize: 5, Token: "tok"})
			defer fhir.Close()
			svc := newTestService(t, serviceOptions{fhirServers: []string{fhir.URL}})
			var req struct {
				Context struct {
					PatientID string `json:"patientId"`
				} `json:"context"`
			}
			if err := json.Unmarshal(body, &req); err != nil {
				t.Fatal(err)
			}
			status, resp := svc.post(hookPath, hookRequest(t, req.Context.PatientID, map[string]any{
				"fhirServer": fhir.URL,
				"fhirAuthorization": map[string]any{"access_token": "tok", "token_type": "Bearer", "expires_in": 300,
					"scope": "patient/*.read", "subject": "ombc-cds"},
			}))
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, resp)
			}
			got := ruleCodes(t, resp)
			slices.Sort(got)
			wantFires := slices.Clone(want[name].Fires)
			slices.Sort(wantFires)
			if !slices.Equal(got, wantFires) {
				t.Errorf("through the FHIR server fired %v, want %v", got, wantFires)
			}
		})
	}
}

// hookRequest builds a patient-view request body with the same
// hookInstance, so card uuids are comparable.
func hookRequest(t testing.TB, patientID string, extra map[string]any) []byte {
	t.Helper()
	req := map[string]any{
		"hook":         "patient-view",
		"hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
		"context":      map[string]any{"userId": "Practitioner/example", "patientId": patientID},
	}
	for k, v := range extra {
		req[k] = v
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHookStatuses is the status-code table of the assembled service: the
// answers an EHR gets for requests the service cannot advise on.
func TestHookStatuses(t *testing.T) {
	svc := newTestService(t, serviceOptions{})
	good, _ := fixtures.Request("ombc-hr-pos-her2-neg-new")
	var req map[string]any
	if err := json.Unmarshal(good, &req); err != nil {
		t.Fatal(err)
	}
	without := func(key string) []byte {
		r := map[string]any{}
		for k, v := range req {
			r[k] = v
		}
		pre := map[string]any{}
		for k, v := range req["prefetch"].(map[string]any) {
			if k != key {
				pre[k] = v
			}
		}
		r["prefetch"] = pre
		b, _ := json.Marshal(r)
		return b
	}
	otherPatient := func() []byte {
		r := map[string]any{}
		for k, v := range req {
			r[k] = v
		}
		r["context"] = map[string]any{"userId": "Practitioner/x", "patientId": "someone-else"}
		b, _ := json.Marshal(r)
		return b
	}()
	tests := []struct {
		name   string
		body   []byte
		status int
	}{
		{"complete prefetch", good, http.StatusOK},
		{"a prefetch key missing and no FHIR server", without("observations"), http.StatusPreconditionFailed},
		{"the Patient missing and no FHIR server", without("patient"), http.StatusPreconditionFailed},
		{"prefetched Patient is another patient", otherPatient, http.StatusBadRequest},
		{"malformed JSON", []byte(`{"hook": "patient-view",`), http.StatusBadRequest},
		{"wrong JSON type for context", []byte(`{"hook":"patient-view","hookInstance":"x","context":[]}`), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := svc.post(hookPath, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if status != http.StatusOK && !strings.Contains(string(body), `"resourceType":"OperationOutcome"`) {
				t.Errorf("a %d must carry an OperationOutcome: %s", status, body)
			}
		})
	}
}

// TestDiscoveryTemplatesConform lints the real prefetch templates against
// CONFORMANCE.md D-7 and D-8 through the real discovery endpoint.
func TestDiscoveryTemplatesConform(t *testing.T) {
	svc := newTestService(t, serviceOptions{})
	status, body := svc.do(http.MethodGet, "/cds-services", nil, "")
	if status != http.StatusOK {
		t.Fatalf("discovery: %d %s", status, body)
	}
	var d struct {
		Services []struct {
			ID       string            `json:"id"`
			Hook     string            `json:"hook"`
			Prefetch map[string]string `json:"prefetch"`
		} `json:"services"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Services) != 1 || d.Services[0].ID != serviceID || d.Services[0].Hook != "patient-view" {
		t.Fatalf("discovery lists %+v", d.Services)
	}
	if len(d.Services[0].Prefetch) < 10 {
		t.Errorf("only %d prefetch templates", len(d.Services[0].Prefetch))
	}
}
