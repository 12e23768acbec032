package cdshooks

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"ombc-cds/logic"
)

func securityCases() []conformanceCase {
	return []conformanceCase{
		{"S-1_json_only_behind_tls", testJSONOnly},
		{"S-2_authentication_required", testAuthenticationRequired},
		{"S-11_cors_preflight", testCORSPreflight},
		{"S-11_cors_actual_response", testCORSActual},
		{"S-12_links_https_from_recommendation", testSafeLinks},
	}
}

// testJSONOnly: TLS is terminated in front of the service (the command
// serves plain HTTP behind it), so what this package can guarantee is that
// its routes serve JSON or nothing, never HTML or text.
func testJSONOnly(t *testing.T) {
	h := newTestHandler(t, testOptions(newFakeStore()))
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/cds-services", ""},
		{http.MethodPost, "/cds-services/" + testServiceID, validRequest},
		{http.MethodPost, feedbackPath, `{"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"2026-03-02T10:05:31Z"}]}`},
		{http.MethodOptions, "/cds-services", ""},
		{http.MethodGet, "/", ""},
		{http.MethodGet, "/cds-services/" + testServiceID, ""},
		{http.MethodGet, "/healthz", ""},
		{http.MethodGet, "/readyz", ""},
	} {
		rec := do(t, h, r.method, r.path, r.body)
		ct := rec.Header().Get("Content-Type")
		if rec.Body.Len() > 0 && ct != "application/json" || rec.Body.Len() == 0 && ct != "" {
			t.Errorf("%s %s: Content-Type %q with %d body bytes", r.method, r.path, ct, rec.Body.Len())
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: no X-Content-Type-Options: nosniff", r.method, r.path)
		}
	}
}

func testAuthenticationRequired(t *testing.T) {
	var calls []string
	var seen Caller
	opts := withAdvisor(testOptions(newFakeStore()), func(ctx context.Context, _ *Request) ([]logic.Recommendation, error) {
		seen = CallerFrom(ctx)
		return nil, nil
	})
	fail := errors.New("")
	opts.Authenticate = func(r *http.Request) (Caller, error) {
		calls = append(calls, r.Method+" "+r.URL.Path)
		if fail != nil {
			return Caller{}, fail
		}
		return Caller{Issuer: testIssuer, JTI: "j1"}, nil
	}
	h := newTestHandler(t, opts)
	feedback := `{"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"2026-03-02T10:05:31Z"}]}`
	var bodies []string
	for _, reason := range []string{"expired", "unknown issuer", "replayed jti"} {
		fail = errors.New(reason)
		for _, r := range []struct{ path, body string }{{"/cds-services/" + testServiceID, validRequest}, {feedbackPath, feedback}} {
			rec := do(t, h, http.MethodPost, r.path, r.body)
			wantOutcome(t, rec, http.StatusUnauthorized, "security")
			if strings.Contains(rec.Body.String(), reason) {
				t.Errorf("401 body %s reveals the reason %q", rec.Body, reason)
			}
			if rec.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
			bodies = append(bodies, rec.Body.String())
		}
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("401 bodies differ: %s vs %s", b, bodies[0])
		}
	}
	if len(calls) != 6 {
		t.Errorf("authenticator called %d times, want 6", len(calls))
	}
	fail = nil
	decodeCards(t, callService(t, h, validRequest))
	if seen.Issuer != testIssuer || seen.JTI != "j1" {
		t.Errorf("CallerFrom = %+v, want the authenticator's caller", seen)
	}
	t.Run("nil authenticator refused", func(t *testing.T) {
		opts := testOptions(nil)
		opts.Authenticate = nil
		if _, err := NewHandler(opts); err == nil {
			t.Error("NewHandler accepted a nil Authenticator")
		}
	})
}

func testCORSPreflight(t *testing.T) {
	tests := []struct {
		name     string
		cors     CORS
		origin   string
		wantACAO bool
	}{
		{"configured origin", CORS{AllowedOrigins: []string{"https://sandbox.cds-hooks.org"}}, "https://sandbox.cds-hooks.org", true},
		{"configured origin with slash in config", CORS{AllowedOrigins: []string{"https://EHR.example.org/"}}, "https://ehr.example.org", true},
		{"other origin", CORS{AllowedOrigins: []string{"https://sandbox.cds-hooks.org"}}, "https://evil.example", false},
		{"loopback in dev", CORS{AllowLoopbackOrigins: true}, "http://127.0.0.1:8081", true},
		{"localhost in dev", CORS{AllowLoopbackOrigins: true}, "http://localhost:3000", true},
		{"ipv6 loopback in dev", CORS{AllowLoopbackOrigins: true}, "http://[::1]:8080", true},
		{"127/8 in dev", CORS{AllowLoopbackOrigins: true}, "https://127.0.0.2", true},
		{"loopback lookalike", CORS{AllowLoopbackOrigins: true}, "http://localhost.evil.example", false},
		{"loopback outside dev", CORS{}, "http://127.0.0.1:8081", false},
		{"null origin", CORS{AllowLoopbackOrigins: true}, "null", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(newFakeStore())
			opts.CORS = tt.cors
			// Preflights never authenticate: browsers send no credentials.
			opts.Authenticate = func(*http.Request) (Caller, error) { return Caller{}, errors.New("no") }
			h := newTestHandler(t, opts)
			for _, path := range []string{"/cds-services", "/cds-services/" + testServiceID, feedbackPath} {
				rec := do(t, h, http.MethodOptions, path, "",
					"Origin", tt.origin, "Access-Control-Request-Method", "POST",
					"Access-Control-Request-Headers", "authorization,content-type")
				hdr := rec.Header()
				if rec.Code != http.StatusNoContent {
					t.Errorf("OPTIONS %s = %d, want 204", path, rec.Code)
				}
				if got := hdr.Get("Access-Control-Allow-Origin"); (got == tt.origin) != tt.wantACAO || (!tt.wantACAO && got != "") {
					t.Errorf("OPTIONS %s: ACAO %q, want echo %v", path, got, tt.wantACAO)
				}
				if !strings.Contains(hdr.Get("Vary"), "Origin") {
					t.Errorf("OPTIONS %s: no Vary: Origin", path)
				}
				if tt.wantACAO {
					if hdr.Get("Access-Control-Allow-Methods") != "GET, POST, OPTIONS" ||
						hdr.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" ||
						hdr.Get("Access-Control-Max-Age") == "" {
						t.Errorf("OPTIONS %s: headers %v", path, hdr)
					}
				}
			}
		})
	}
	t.Run("wildcard refused", func(t *testing.T) {
		opts := testOptions(nil)
		opts.CORS = CORS{AllowedOrigins: []string{"*"}}
		if _, err := NewHandler(opts); err == nil {
			t.Error("NewHandler accepted origin *")
		}
	})
}

func testCORSActual(t *testing.T) {
	h := newTestHandler(t, testOptions(newFakeStore()))
	for _, tt := range []struct {
		origin string
		want   string
	}{{"https://sandbox.cds-hooks.org", "https://sandbox.cds-hooks.org"}, {"https://evil.example", ""}} {
		rec := do(t, h, http.MethodPost, "/cds-services/"+testServiceID, validRequest, "Origin", tt.origin)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); rec.Code != http.StatusOK || got != tt.want {
			t.Errorf("origin %s: %d ACAO %q, want 200 %q", tt.origin, rec.Code, got, tt.want)
		}
	}
}

func testSafeLinks(t *testing.T) {
	cards, _ := serviceCards(t, testRecommendations())
	want := testRecommendations()[0].Links
	if len(cards[0].Links) != len(want) || cards[0].Links[0].URL != want[0].URL {
		t.Errorf("links = %+v, want exactly the recommendation's %+v", cards[0].Links, want)
	}
	for _, bad := range []string{"http://www.esmo.org/", "javascript:alert(1)", "data:text/html,x", "//evil.example/x", "https://user:pw@evil.example/"} {
		if err := cardsError(func(r *logic.Recommendation) { r.Links = []logic.Link{{Label: "x", URL: bad}} }); err == nil {
			t.Errorf("Cards accepted link %q", bad)
		}
	}
	// An unsafe link is an internal error: no card goes out.
	recs := testRecommendations()
	recs[0].Links = []logic.Link{{Label: "x", URL: "javascript:alert(1)"}}
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) { return recs, nil }))
	wantOutcome(t, callService(t, h, validRequest), http.StatusInternalServerError, "exception")
}
