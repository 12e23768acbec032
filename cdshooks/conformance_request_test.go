package cdshooks

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"ombc-cds/logic"
)

func requestCases() []conformanceCase {
	return []conformanceCase{
		{"R-1_missing_hook_400", wantBadRequest(func(m map[string]any) { delete(m, "hook") }, "hook is required")},
		{"R-1_missing_hookInstance_400", wantBadRequest(func(m map[string]any) { delete(m, "hookInstance") }, "hookInstance is required")},
		{"R-1_missing_context_400", wantBadRequest(func(m map[string]any) { delete(m, "context") }, "context is required")},
		{"R-1_null_context_400", wantBadRequest(func(m map[string]any) { m["context"] = nil }, "context is required")},
		{"R-1_fhirAuthorization_without_fhirServer_400", wantBadRequest(func(m map[string]any) { delete(m, "fhirServer") }, "fhirServer is required")},
		{"R-1_fhirServer_not_a_url_400", wantBadRequest(func(m map[string]any) { m["fhirServer"] = "fhir.example.org" }, "fhirServer")},
		{"R-1_optional_fields_absent_200", testOptionalFieldsAbsent},
		{"R-2_hook_mismatch_400", wantBadRequest(func(m map[string]any) { m["hook"] = "order-sign" }, "does not match")},
		{"R-3_hookInstance_is_correlation_id", testHookInstanceLogged},
		{"R-4_fhirAuthorization_parsed", testFHIRAuthorizationParsed},
		{"R-4_missing_access_token_400", wantBadRequest(func(m map[string]any) { delete(sub(m, "fhirAuthorization"), "access_token") }, "access_token")},
		{"R-4_token_type_not_bearer_400", wantBadRequest(func(m map[string]any) { sub(m, "fhirAuthorization")["token_type"] = "MAC" }, "token_type")},
		{"R-5_access_token_transient", testAccessTokenTransient},
		{"R-6_fhir_server_passed_to_advisor", testFHIRServerPassed},
		{"R-7_patient_view_context", testPatientViewContext},
	}
}

// wantBadRequest returns a test that posts validRequest changed by f and
// expects 400 with a diagnostics containing msg.
func wantBadRequest(f func(m map[string]any), msg string) func(t *testing.T) {
	return func(t *testing.T) {
		advised := false
		h := newTestHandler(t, withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) {
			advised = true
			return nil, nil
		}))
		diag := wantOutcome(t, callService(t, h, mutate(t, f)), http.StatusBadRequest, "invalid")
		if !strings.Contains(diag, msg) {
			t.Errorf("diagnostics = %q, want it to mention %q", diag, msg)
		}
		if advised {
			t.Error("the advisor ran for an invalid request")
		}
	}
}

func testOptionalFieldsAbsent(t *testing.T) {
	h := newTestHandler(t, testOptions(nil))
	body := mutate(t, func(m map[string]any) {
		delete(m, "fhirServer")
		delete(m, "fhirAuthorization")
		delete(m, "prefetch")
	})
	decodeCards(t, callService(t, h, body))
}

// captureLogs returns a logger writing JSON into the returned buffer.
func captureLogs() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func testHookInstanceLogged(t *testing.T) {
	opts := testOptions(nil)
	logger, buf := captureLogs()
	opts.Logger = logger
	callService(t, newTestHandler(t, opts), validRequest)
	if want := `"hookInstance":"` + testHookInstance + `"`; !strings.Contains(buf.String(), want) {
		t.Errorf("log = %s, want it to contain %s", buf, want)
	}
}

func testFHIRAuthorizationParsed(t *testing.T) {
	var got *FHIRAuthorization
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(_ context.Context, r *Request) ([]logic.Recommendation, error) {
		got = r.FHIRAuthorization
		return nil, nil
	}))
	decodeCards(t, callService(t, h, validRequest))
	want := FHIRAuthorization{AccessToken: "opaque-fhir-token", TokenType: "Bearer", ExpiresIn: 300,
		Scope: "patient/Patient.read patient/Observation.read", Subject: "ombc-cds", Patient: "1288992"}
	if got == nil || *got != want {
		t.Errorf("fhirAuthorization = %#v, want %#v", got, want)
	}
	t.Run("patient absent tolerated", func(t *testing.T) {
		decodeCards(t, callService(t, h, mutate(t, func(m map[string]any) { delete(sub(m, "fhirAuthorization"), "patient") })))
	})
	t.Run("spec example", func(t *testing.T) {
		decodeCards(t, callService(t, h, string(readExample(t, "v2.0.1/service-request-patient-view.json"))))
		if got == nil || got.Subject != "cds-service4" || got.ExpiresIn != 300 {
			t.Errorf("fhirAuthorization = %#v, want the spec example's", got)
		}
	})
}

func testAccessTokenTransient(t *testing.T) {
	const sentinel = "SENTINEL-ACCESS-TOKEN-5f2c"
	opts := testOptions(newFakeStore())
	logger, buf := captureLogs()
	opts.Logger = logger
	h := newTestHandler(t, withAdvisor(opts, func(ctx context.Context, r *Request) ([]logic.Recommendation, error) {
		// A careless advisor logging the whole authorization must still not leak it.
		logger.InfoContext(ctx, "advisor", "auth", r.FHIRAuthorization, "fmt", fmt.Sprintf("%v %+v %#v", *r.FHIRAuthorization, *r.FHIRAuthorization, r.FHIRAuthorization))
		return nil, fmt.Errorf("fhir server refused")
	}))
	body := mutate(t, func(m map[string]any) { sub(m, "fhirAuthorization")["access_token"] = sentinel })
	wantOutcome(t, callService(t, h, body), http.StatusInternalServerError, "exception")
	if strings.Contains(buf.String(), sentinel) {
		t.Errorf("log contains the access token: %s", buf)
	}
	if !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("log = %s, want the token shown as [redacted]", buf)
	}
}

func testFHIRServerPassed(t *testing.T) {
	var server, token string
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(_ context.Context, r *Request) ([]logic.Recommendation, error) {
		server, token = r.FHIRServer, r.FHIRAuthorization.AccessToken
		return nil, nil
	}))
	decodeCards(t, callService(t, h, validRequest))
	if server != "https://fhir.example.org/r4" || token != "opaque-fhir-token" {
		t.Errorf("advisor saw fhirServer %q token %q, want the request's", server, token)
	}
}

func testPatientViewContext(t *testing.T) {
	tests := []struct {
		name       string
		change     func(ctx map[string]any)
		wantStatus int
	}{
		{"Practitioner user", func(c map[string]any) {}, http.StatusOK},
		{"Patient user", func(c map[string]any) { c["userId"] = "Patient/123" }, http.StatusOK},
		{"PractitionerRole user", func(c map[string]any) { c["userId"] = "PractitionerRole/123" }, http.StatusOK},
		{"RelatedPerson user", func(c map[string]any) { c["userId"] = "RelatedPerson/rp-1" }, http.StatusOK},
		{"no encounterId", func(c map[string]any) { delete(c, "encounterId") }, http.StatusOK},
		{"missing patientId", func(c map[string]any) { delete(c, "patientId") }, http.StatusBadRequest},
		{"empty patientId", func(c map[string]any) { c["patientId"] = "" }, http.StatusBadRequest},
		{"numeric patientId", func(c map[string]any) { c["patientId"] = 42 }, http.StatusBadRequest},
		{"missing userId", func(c map[string]any) { delete(c, "userId") }, http.StatusBadRequest},
		{"bare userId", func(c map[string]any) { c["userId"] = "123" }, http.StatusBadRequest},
		{"Device userId", func(c map[string]any) { c["userId"] = "Device/123" }, http.StatusBadRequest},
		{"userId without id", func(c map[string]any) { c["userId"] = "Practitioner/" }, http.StatusBadRequest},
		{"encounterId not a string", func(c map[string]any) { c["encounterId"] = []any{"1"} }, http.StatusBadRequest},
	}
	var seen Request
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(_ context.Context, r *Request) ([]logic.Recommendation, error) {
		seen = *r
		return nil, nil
	}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := callService(t, h, mutate(t, func(m map[string]any) { tt.change(sub(m, "context")) }))
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
		})
	}
	t.Run("accessors", func(t *testing.T) {
		decodeCards(t, callService(t, h, validRequest))
		if seen.PatientID() != "1288992" || seen.UserID() != "Practitioner/example" || seen.EncounterID() != "89284" {
			t.Errorf("PatientID, UserID, EncounterID = %q, %q, %q", seen.PatientID(), seen.UserID(), seen.EncounterID())
		}
	})
	t.Run("hook library examples", func(t *testing.T) {
		for _, name := range []string{"context-example-1.fragment.txt", "context-example-2.fragment.txt"} {
			fragment := string(readExample(t, "hook-library-patient-view/"+name))
			body := `{"hook":"patient-view","hookInstance":"` + testHookInstance + `",` + fragment + `}`
			decodeCards(t, callService(t, h, body))
		}
	})
}
