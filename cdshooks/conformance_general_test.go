package cdshooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"ombc-cds/logic"
)

func generalCases() []conformanceCase {
	return []conformanceCase{
		{"G-1_json_responses", testJSONResponses},
		{"G-2_no_null_or_empty", testNoNullOrEmpty},
		{"G-3_extension_ignored", testExtensionIgnored},
		{"G-4_unknown_members_ignored", testUnknownMembersIgnored},
	}
}

// testJSONResponses checks that every answer with a body is JSON and says
// so (G-1).
func testJSONResponses(t *testing.T) {
	opts := testOptions(newFakeStore())
	opts.Ready = func(context.Context) error { return errors.New("database down") }
	h := newTestHandler(t, opts)
	tests := []struct {
		name, method, path, body string
	}{
		{"discovery", http.MethodGet, "/cds-services", ""},
		{"service call", http.MethodPost, "/cds-services/" + testServiceID, validRequest},
		{"bad request", http.MethodPost, "/cds-services/" + testServiceID, "{"},
		{"unknown service", http.MethodPost, "/cds-services/nope", validRequest},
		{"unknown path", http.MethodGet, "/nope", ""},
		{"wrong method", http.MethodDelete, "/cds-services", ""},
		{"healthz", http.MethodGet, "/healthz", ""},
		{"readyz failing", http.MethodGet, "/readyz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.path, tt.body)
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Errorf("body is not JSON: %s", rec.Body)
			}
		})
	}
}

// testNoNullOrEmpty walks discovery, service and 412 bodies for null and
// empty members (G-2).
func testNoNullOrEmpty(t *testing.T) {
	store := newFakeStore()
	precondition := func(context.Context, *Request) ([]logic.Recommendation, error) {
		return nil, &Error{Status: http.StatusPreconditionFailed, Code: "processing", Message: "prefetch key conditions is missing"}
	}
	noAdvice := func(context.Context, *Request) ([]logic.Recommendation, error) { return nil, nil }
	tests := []struct {
		name string
		opts Options
		path string
		body string
	}{
		{"discovery", testOptions(store), "/cds-services", ""},
		{"cards", testOptions(store), "/cds-services/" + testServiceID, validRequest},
		{"no advice", withAdvisor(testOptions(store), noAdvice), "/cds-services/" + testServiceID, validRequest},
		{"412", withAdvisor(testOptions(store), precondition), "/cds-services/" + testServiceID, validRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if tt.body != "" {
				method = http.MethodPost
			}
			rec := do(t, newTestHandler(t, tt.opts), method, tt.path, tt.body)
			checkNoEmpty(t, rec.Body.Bytes())
		})
	}
	t.Run("no advice is an empty cards array", func(t *testing.T) {
		rec := callService(t, newTestHandler(t, withAdvisor(testOptions(store), noAdvice)), validRequest)
		if got, want := rec.Body.String(), `{"cards":[]}`; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
	})
	t.Run("walker finds empties", func(t *testing.T) {
		// The walker itself must be able to fail.
		for _, doc := range []string{`{"a":null}`, `{"a":""}`, `{"a":[]}`, `{"a":{}}`, `{"cards":[{"x":[]}]}`} {
			var v any
			if err := json.Unmarshal([]byte(doc), &v); err != nil {
				t.Fatal(err)
			}
			if len(emptyMembers("$", v, true)) == 0 {
				t.Errorf("emptyMembers(%s) found nothing", doc)
			}
		}
	})
}

// testExtensionIgnored checks that an extension member changes nothing (G-3).
func testExtensionIgnored(t *testing.T) {
	h := newTestHandler(t, testOptions(newFakeStore()))
	plain := callService(t, h, validRequest)
	extended := callService(t, h, mutate(t, func(m map[string]any) {
		m["extension"] = map[string]any{"com.example.timestamp": "2017-11-27T22:13:25Z", "com.example.x": 1}
	}))
	if extended.Code != http.StatusOK || !bytes.Equal(plain.Body.Bytes(), extended.Body.Bytes()) {
		t.Errorf("with extension: %d %s\nwithout: %d %s", extended.Code, extended.Body, plain.Code, plain.Body)
	}
	t.Run("spec example", func(t *testing.T) {
		ex := readExample(t, "v2.0.1/request-with-extension-example.json")
		// The spec's example has no patientId (REQUIRED for patient-view);
		// add one so that only the extension is under test.
		body := mutateJSON(t, string(ex), func(m map[string]any) { sub(m, "context")["patientId"] = "1288992" })
		decodeCards(t, callService(t, h, body))
	})
}

// testUnknownMembersIgnored adds unknown members at every level (G-4).
func testUnknownMembersIgnored(t *testing.T) {
	h := newTestHandler(t, testOptions(newFakeStore()))
	want := callService(t, h, validRequest).Body.String()
	body := mutate(t, func(m map[string]any) {
		m["futureMember"] = []any{1, "two"}
		sub(m, "context")["com.vendor.department"] = map[string]any{"code": "onc"}
		sub(m, "fhirAuthorization")["refresh_token"] = "ignored"
		sub(m, "prefetch")["notDeclared"] = map[string]any{"resourceType": "Basic"}
	})
	rec := callService(t, h, body)
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Errorf("with unknown members: %d %s\nwant 200 %s", rec.Code, rec.Body, want)
	}
}
