package cdshooks

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"ombc-cds/logic"
)

// TestLogsNeverContainSecrets runs successful and failing calls carrying a
// sentinel access token, Authorization header and patient id, and checks
// that none of them, nor card content, reaches the log (CONFORMANCE.md R-5,
// S-9), while each request still gets its one line.
func TestLogsNeverContainSecrets(t *testing.T) {
	const (
		accessToken = "SENTINEL-FHIR-ACCESS-TOKEN-8d1e"
		jwt         = "eyJhbGciOiJFUzM4NCJ9.SENTINEL-JWT-PAYLOAD.sig"
		patientID   = "SENTINEL-PATIENT-4711"
	)
	logger, buf := captureLogs()
	opts := testOptions(newFakeStore())
	opts.Logger = logger
	fail := false
	opts = withAdvisor(opts, func(ctx context.Context, r *Request) ([]logic.Recommendation, error) {
		if fail {
			return nil, errors.New("evaluation failed")
		}
		return testRecommendations(), nil
	})
	opts.Authenticate = func(r *http.Request) (Caller, error) {
		if r.Header.Get("Authorization") != "Bearer "+jwt {
			return Caller{}, errors.New("bad token " + r.Header.Get("Authorization"))
		}
		return Caller{Issuer: testIssuer}, nil
	}
	h := newTestHandler(t, opts)
	body := mutate(t, func(m map[string]any) {
		sub(m, "fhirAuthorization")["access_token"] = accessToken
		sub(m, "context")["patientId"] = patientID
	})
	auth := "Bearer " + jwt
	calls := []struct {
		name   string
		body   string
		auth   string
		fail   bool
		status int
	}{
		{"cards", body, auth, false, http.StatusOK},
		{"advisor error", body, auth, true, http.StatusInternalServerError},
		{"bad request", mutate(t, func(m map[string]any) {
			sub(m, "fhirAuthorization")["access_token"] = accessToken
			sub(m, "context")["patientId"] = patientID
			delete(m, "hook")
		}), auth, false, http.StatusBadRequest},
		{"wrong token", body, "Bearer " + jwt + "x", false, http.StatusUnauthorized},
	}
	for _, c := range calls {
		fail = c.fail
		rec := do(t, h, http.MethodPost, "/cds-services/"+testServiceID, c.body, "Authorization", c.auth)
		if rec.Code != c.status {
			t.Fatalf("%s: status %d, want %d; %s", c.name, rec.Code, c.status, rec.Body)
		}
	}
	logs := buf.String()
	for _, secret := range []string{accessToken, "SENTINEL-JWT", patientID, "Authorization", "tumour board", "ESMO"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) != len(calls) {
		t.Fatalf("%d log lines for %d requests:\n%s", len(lines), len(calls), logs)
	}
	for i, m := range lines {
		keys := []string{"route", "method", "status", "latency_ms"}
		if calls[i].status != http.StatusUnauthorized { // 401 is answered before the service is looked up
			keys = append(keys, "service")
		}
		for _, key := range keys {
			if _, ok := m[key]; !ok {
				t.Errorf("line %d lacks %s: %v", i, key, m)
			}
		}
		if int(m["status"].(float64)) != calls[i].status {
			t.Errorf("line %d status %v, want %d", i, m["status"], calls[i].status)
		}
	}
	if lines[0]["hookInstance"] != testHookInstance || lines[0]["route"] != "/cds-services/{id}" || lines[0]["level"] != "INFO" {
		t.Errorf("first line %v, want hookInstance, route template and INFO", lines[0])
	}
	if lines[1]["level"] != "ERROR" || lines[1]["error"] != "evaluation failed" {
		t.Errorf("5xx line %v, want ERROR with the error", lines[1])
	}
	if _, ok := lines[2]["error"]; ok || lines[2]["level"] != "WARN" {
		t.Errorf("4xx line %v, want WARN without the error", lines[2])
	}
}

// TestObserve checks the metrics hook gets one bounded observation per
// request.
func TestObserve(t *testing.T) {
	var got []Observation
	opts := testOptions(nil)
	opts.Observe = func(o Observation) { got = append(got, o) }
	step := 0
	opts.Now = func() time.Time { step++; return testNow().Add(time.Duration(step) * 10 * time.Millisecond) }
	h := newTestHandler(t, opts)
	callService(t, h, validRequest)
	do(t, h, http.MethodPost, "/cds-services/random-id-123", validRequest)
	do(t, h, http.MethodGet, "/x", "")
	want := []Observation{
		{Route: "/cds-services/{id}", ServiceID: testServiceID, Status: 200, RuleCodes: []string{"tumor-board", "data-quality"}},
		{Route: "/cds-services/{id}", Status: 404},
		{Route: "", Status: 404},
	}
	if len(got) != len(want) {
		t.Fatalf("observations = %+v, want %d", got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Route != w.Route || g.ServiceID != w.ServiceID || g.Status != w.Status || strings.Join(g.RuleCodes, ",") != strings.Join(w.RuleCodes, ",") || g.Latency <= 0 {
			t.Errorf("observation %d = %+v, want %+v with a latency", i, g, w)
		}
	}
}

// TestRoutesExtraAndPublic checks that Extra routes authenticate, Public
// routes and health checks do not, and collisions are refused.
func TestRoutesExtraAndPublic(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"issuer": CallerFrom(r.Context()).Issuer})
	})
	opts := testOptions(nil)
	opts.Authenticate = func(r *http.Request) (Caller, error) {
		if r.Header.Get("Authorization") == "" {
			return Caller{}, errors.New("none")
		}
		return Caller{Issuer: testIssuer}, nil
	}
	opts.Extra = map[string]http.Handler{"/analytics": ok}
	opts.Public = map[string]http.Handler{"/metrics": ok}
	h := newTestHandler(t, opts)
	tests := []struct {
		path, auth string
		want       int
	}{
		{"/analytics", "", 401},
		{"/analytics", "Bearer x", 200},
		{"/metrics", "", 200},
		{"/healthz", "", 200},
		{"/readyz", "", 200},
	}
	for _, tt := range tests {
		var rec = do(t, h, http.MethodGet, tt.path, "")
		if tt.auth != "" {
			rec = do(t, h, http.MethodGet, tt.path, "", "Authorization", tt.auth)
		}
		if rec.Code != tt.want {
			t.Errorf("GET %s (auth %q) = %d, want %d", tt.path, tt.auth, rec.Code, tt.want)
		}
	}
	for _, bad := range []string{"/healthz", "/cds-services", "/cds-services/x", "metrics"} {
		opts := testOptions(nil)
		opts.Public = map[string]http.Handler{bad: ok}
		if _, err := NewHandler(opts); err == nil {
			t.Errorf("NewHandler accepted public route %q", bad)
		}
	}
}

// TestPrefetchStatesPreserved checks that the decoded request keeps the
// difference between an absent key, a null key and a resource (P-1 is
// resolved by the prefetch package, which needs the three apart).
func TestPrefetchStatesPreserved(t *testing.T) {
	var got map[string]json.RawMessage
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(_ context.Context, r *Request) ([]logic.Recommendation, error) {
		got = r.Prefetch
		return nil, nil
	}))
	decodeCards(t, callService(t, h, validRequest))
	if raw, ok := got["conditions"]; !ok || string(raw) != "null" {
		t.Errorf("prefetch conditions = %q (present %v), want null", raw, ok)
	}
	if _, ok := got["observations"]; ok {
		t.Error("absent key observations is present")
	}
	if !strings.Contains(string(got["patient"]), `"resourceType": "Patient"`) && !strings.Contains(string(got["patient"]), `"resourceType":"Patient"`) {
		t.Errorf("prefetch patient = %s, want the resource", got["patient"])
	}
}
