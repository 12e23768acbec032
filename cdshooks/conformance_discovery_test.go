package cdshooks

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"ombc-cds/logic"
)

func discoveryCases() []conformanceCase {
	return []conformanceCase{
		{"D-1_discovery_available", testDiscoveryAvailable},
		{"D-2_services_array", testServicesArray},
		{"D-3_service_attributes", testServiceAttributes},
		{"D-4_no_services_empty_array", testNoServices},
		{"D-5_discovery_status_codes", testDiscoveryStatusCodes},
		{"D-6_same_id_for_other_hook", testSameIDOtherHook},
		{"D-7_prefetch_tokens", testPrefetchTokens},
		{"D-8_prefetch_query_subset", testPrefetchQuerySubset},
		{"D-9_discovery_auth_configurable", testDiscoveryAuth},
	}
}

func getDiscovery(t *testing.T, h http.Handler) map[string]any {
	t.Helper()
	rec := do(t, h, http.MethodGet, "/cds-services", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /cds-services = %d, want 200; body %s", rec.Code, rec.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("discovery body: %v", err)
	}
	return m
}

func testDiscoveryAvailable(t *testing.T) {
	getDiscovery(t, newTestHandler(t, testOptions(newFakeStore())))
}

func testServicesArray(t *testing.T) {
	m := getDiscovery(t, newTestHandler(t, testOptions(newFakeStore())))
	services, ok := m["services"].([]any)
	if !ok || len(services) != 1 {
		t.Fatalf("services = %v, want an array of 1", m["services"])
	}
}

func testServiceAttributes(t *testing.T) {
	h := newTestHandler(t, testOptions(newFakeStore()))
	m := getDiscovery(t, h)
	for i, s := range m["services"].([]any) {
		svc := s.(map[string]any)
		for _, field := range []string{"hook", "description", "id", "title", "usageRequirements"} {
			if v, ok := svc[field].(string); !ok || v == "" {
				t.Errorf("services[%d].%s = %v, want a non-empty string", i, field, svc[field])
			}
		}
		prefetch, ok := svc["prefetch"].(map[string]any)
		if !ok {
			t.Fatalf("services[%d].prefetch = %v, want an object", i, svc["prefetch"])
		}
		for k, v := range prefetch {
			if _, ok := v.(string); !ok {
				t.Errorf("prefetch %q = %v, want a string", k, v)
			}
		}
		rec := callService(t, h, validRequest)
		if path := "/cds-services/" + svc["id"].(string); rec.Code == http.StatusNotFound {
			t.Errorf("POST %s = 404 for a listed service", path)
		}
	}
	t.Run("required attributes enforced", func(t *testing.T) {
		for _, broken := range []func(*Service){
			func(s *Service) { s.Hook = "" },
			func(s *Service) { s.Description = "" },
			func(s *Service) { s.ID = "" },
			func(s *Service) { s.ID = "a/b" },
		} {
			opts := testOptions(nil)
			svc := testService()
			broken(&svc)
			opts.Entries[0].Service = svc
			if _, err := NewHandler(opts); err == nil {
				t.Errorf("NewHandler accepted service %+v", svc)
			}
		}
	})
}

func testNoServices(t *testing.T) {
	opts := testOptions(nil)
	opts.Entries = nil
	rec := do(t, newTestHandler(t, opts), http.MethodGet, "/cds-services", "")
	if got, want := rec.Body.String(), `{"services":[]}`; rec.Code != http.StatusOK || got != want {
		t.Errorf("GET /cds-services = %d %s, want 200 %s", rec.Code, got, want)
	}
}

func testDiscoveryStatusCodes(t *testing.T) {
	opts := testOptions(nil)
	opts.AuthenticateDiscovery = true
	opts.Authenticate = func(*http.Request) (Caller, error) { return Caller{}, errors.New("no token") }
	rec := do(t, newTestHandler(t, opts), http.MethodGet, "/cds-services", "")
	wantOutcome(t, rec, http.StatusUnauthorized, "security")
}

func testSameIDOtherHook(t *testing.T) {
	opts := testOptions(nil)
	other := Service{Hook: "order-select", ID: testServiceID, Description: "Order checks."}
	var called string
	opts.Entries = append(opts.Entries, Entry{Service: other, Advise: func(_ context.Context, r *Request) ([]logic.Recommendation, error) {
		called = r.Hook
		return nil, nil
	}})
	h := newTestHandler(t, opts)
	services := getDiscovery(t, h)["services"].([]any)
	if len(services) != 2 {
		t.Fatalf("services = %d, want 2", len(services))
	}
	body := mutate(t, func(m map[string]any) { m["hook"] = "order-select" })
	if rec := callService(t, h, body); rec.Code != http.StatusOK || called != "order-select" {
		t.Errorf("order-select call = %d (advisor saw %q), want 200 from the order-select entry", rec.Code, called)
	}
	t.Run("id unique per hook", func(t *testing.T) {
		opts := testOptions(nil)
		opts.Entries = append(opts.Entries, opts.Entries[0])
		if _, err := NewHandler(opts); err == nil {
			t.Error("NewHandler accepted the same id twice for patient-view")
		}
	})
}

// lintCase is one LintTemplates case; wantErr is a substring of the error,
// "" for a template that must pass.
type lintCase struct {
	name, template, wantErr string
}

func runLintCases(t *testing.T, cases []lintCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			err := LintTemplates(map[string]string{"key": tt.template})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("LintTemplates(%q) = %v, want nil", tt.template, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("LintTemplates(%q) = %v, want an error containing %q", tt.template, err, tt.wantErr)
			}
		})
	}
}

func testPrefetchTokens(t *testing.T) {
	runLintCases(t, []lintCase{
		{"patientId", "Patient/{{context.patientId}}", ""},
		{"userId read", "{{context.userId}}", ""},
		{"token as type", "{{context.patientId}}", "not a resource type"},
		{"two tokens as path", "{{context.userId}}/{{context.patientId}}", "not a resource type"},
		{"two tokens glued", "{{context.userId}}{{context.patientId}}", "not a resource type"},
		{"encounterId", "Encounter/{{context.encounterId}}", ""},
		{"user tokens", "PractitionerRole?_id={{userPractitionerRoleId}},{{userPractitionerId}}", ""},
		{"patient and related person", "Patient?_id={{userPatientId}}&link={{userRelatedPersonId}}", ""},
		{"legacy Patient.id", "Patient/{{Patient.id}}", "not a patient-view prefetch token"},
		{"nested context path", "Patient/{{context.patient.id}}", "not a patient-view prefetch token"},
		{"legacy user", "Practitioner/{{user}}", "not a patient-view prefetch token"},
		{"3.0 FHIRPath", "Observation?patient={{context.patientId}}&date=ge{{today() - 90 days}}", "not a patient-view prefetch token"},
		{"unbalanced braces", "Patient/{{context.patientId}", "unbalanced"},
	})
}

func testPrefetchQuerySubset(t *testing.T) {
	runLintCases(t, []lintCase{
		{"read", "Patient/{{context.patientId}}", ""},
		{"token equality", "Condition?patient={{context.patientId}}&clinical-status=active", ""},
		{"token with system", "Observation?patient={{context.patientId}}&code=http://loinc.org|85319-2,http://loinc.org|85337-4", ""},
		{"token in", "Condition?patient={{context.patientId}}&code:in=http://example.org/ValueSet/x", ""},
		{"reference", "MedicationRequest?subject=Patient/{{context.patientId}}", ""},
		{"date prefixes", "Observation?patient={{context.patientId}}&date=ge2020-01-01&date=lt2030-01-01", ""},
		{"count and sort", "Observation?patient={{context.patientId}}&_sort=-date&_count=50", ""},
		{"type only", "Patient", ""},
		{"include", "Observation?patient={{context.patientId}}&_include=Observation:subject", "_include"},
		{"revinclude", "Patient?_id={{context.patientId}}&_revinclude=Observation:subject", "_revinclude"},
		{"chained", "Observation?subject.name=peter", "chained"},
		{"other modifier", "Condition?code:not=123&patient={{context.patientId}}", "modifier :not"},
		{"spec example sort modifier", "Observation?patient={{context.patientId}}&sort:desc=date", "modifier :desc"},
		{"date prefix ne", "Observation?patient={{context.patientId}}&date=ne2020-01-01", "date prefix"},
		{"summary", "Observation?patient={{context.patientId}}&_summary=count", "_summary"},
		{"bad count", "Observation?patient={{context.patientId}}&_count=0", "_count"},
		{"has", "Patient?_has:Observation:patient:code=1234", "_has"},
		{"compartment search", "Patient/{{context.patientId}}/Observation", "only instance reads"},
		{"history", "Patient/{{context.patientId}}/_history", "only instance reads"},
		{"absolute url", "https://evil.example/Patient/{{context.patientId}}", "relative"},
		{"operation", "Patient/{{context.patientId}}/$everything", "only instance reads"},
		{"empty", "", "empty"},
		{"valueless", "Observation?patient", "name=value"},
	})
	t.Run("NewHandler lints", func(t *testing.T) {
		opts := testOptions(nil)
		opts.Entries[0].Service.Prefetch = map[string]string{"obs": "Observation?patient={{context.patientId}}&_include=Observation:subject"}
		if _, err := NewHandler(opts); err == nil {
			t.Error("NewHandler accepted an _include template")
		}
	})
	t.Run("spec user read example passes", func(t *testing.T) {
		var d struct{ Prefetch map[string]string }
		if err := json.Unmarshal(readExample(t, "v2.0.1/prefetch-template-user-read.json"), &d); err != nil {
			t.Fatal(err)
		}
		if err := LintTemplates(d.Prefetch); err != nil {
			t.Error(err)
		}
	})
	t.Run("spec discovery example passes", func(t *testing.T) {
		var d discoveryResponse
		if err := json.Unmarshal(readExample(t, "v2.0.1/discovery-response.json"), &d); err != nil {
			t.Fatal(err)
		}
		for _, s := range d.Services {
			if err := LintTemplates(s.Prefetch); err != nil {
				t.Errorf("service %s: %v", s.ID, err)
			}
		}
	})
}

func testDiscoveryAuth(t *testing.T) {
	for _, required := range []bool{false, true} {
		calls := 0
		opts := testOptions(nil)
		opts.AuthenticateDiscovery = required
		opts.Authenticate = func(*http.Request) (Caller, error) { calls++; return Caller{}, errors.New("no token") }
		rec := do(t, newTestHandler(t, opts), http.MethodGet, "/cds-services", "")
		wantStatus, wantCalls := http.StatusOK, 0
		if required {
			wantStatus, wantCalls = http.StatusUnauthorized, 1
		}
		if rec.Code != wantStatus || calls != wantCalls {
			t.Errorf("AuthenticateDiscovery=%v: status %d, authenticator calls %d; want %d, %d", required, rec.Code, calls, wantStatus, wantCalls)
		}
	}
}
