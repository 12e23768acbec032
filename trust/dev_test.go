package trust_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// sandboxToken is a token the public CDS Hooks sandbox issued (ES384, kid
// 44823f3d-…, aud http://127.0.0.1:8000/cds-services, iat 1594230600,
// exp 1594230900), as published with an example that verifies it. It proves
// that the embedded sandbox JWK Set is the one the sandbox signs with.
func sandboxToken(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/sandbox-issued-token.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func sandboxRequest(token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8000/cds-services", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// TestDevelopmentProfileTrustsTheSandbox: with Dev the real sandbox token
// verifies against the embedded key; without Dev its issuer is unknown.
func TestDevelopmentProfileTrustsTheSandbox(t *testing.T) {
	frozen := func() time.Time { return time.Unix(1594230600+60, 0) }
	tests := []struct {
		name   string
		dev    bool
		reason string
	}{
		{name: "development profile accepts a sandbox-issued token", dev: true, reason: ""},
		{name: "production refuses the sandbox issuer", dev: false, reason: trust.ReasonIss},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := trust.Config{Issuers: []trust.Issuer{{Issuer: ehrIss, JWKS: json.RawMessage(trusttest.JWKS(t, trusttest.NewES384(t, "k")))}}}
			v, err := trust.New(cfg, trust.Options{BaseURL: "http://127.0.0.1:8000", Dev: tt.dev, Now: frozen, Logger: discardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Authenticate(sandboxRequest(sandboxToken(t)))
			if got := trust.ReasonOf(err); got != tt.reason {
				t.Fatalf("reason = %q, want %q (err %v)", got, tt.reason, err)
			}
			if tt.reason == "" && c.Issuer != trust.SandboxIssuer {
				t.Errorf("issuer = %q, want %q", c.Issuer, trust.SandboxIssuer)
			}
		})
	}
}

// TestDevelopmentProfileWarnsLoudly: the service says at start-up that it
// trusts the public sandbox (issue 5), and says so for development issuers.
func TestDevelopmentProfileWarnsLoudly(t *testing.T) {
	tests := []struct {
		name string
		cfg  trust.Config
		dev  bool
		want string // "" means no WARN line at all
	}{
		{name: "dev profile", dev: true, want: "DEVELOPMENT PROFILE"},
		{name: "development issuer", cfg: trust.Config{Issuers: []trust.Issuer{{Issuer: "http://ehr.local", JWKSURL: "http://127.0.0.1:9/jwks", Development: true}}}, want: "DEVELOPMENT ISSUER"},
		{name: "production issuer", cfg: trust.Config{Issuers: []trust.Issuer{{Issuer: "https://ehr.example.org", JWKSURL: "https://ehr.example.org/jwks"}}}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, buf := bufferLogger()
			if _, err := trust.New(tt.cfg, trust.Options{BaseURL: base, Dev: tt.dev, Logger: log}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if tt.want == "" {
				if strings.Contains(out, `"level":"WARN"`) {
					t.Errorf("unexpected warning: %s", out)
				}
				return
			}
			if !strings.Contains(out, `"level":"WARN"`) || !strings.Contains(out, tt.want) {
				t.Errorf("log = %s, want a WARN containing %q", out, tt.want)
			}
		})
	}
}

// TestLoopbackWithoutJWT: issue 5, "Without configuration it must not accept
// unauthenticated calls from anything but loopback. With a trust file and
// without the development profile, every service and feedback call needs a
// valid JWT, loopback included."
func TestLoopbackWithoutJWT(t *testing.T) {
	withIssuer := trust.Config{Issuers: []trust.Issuer{{Issuer: ehrIss, JWKS: json.RawMessage(trusttest.JWKS(t, trusttest.NewES384(t, "k")))}}}
	tests := []struct {
		name   string
		cfg    trust.Config
		dev    bool
		remote string
		xff    string
		ok     bool
	}{
		{name: "no trust file, IPv4 loopback", remote: "127.0.0.1:50000", ok: true},
		{name: "no trust file, other 127/8 address", remote: "127.8.9.10:50000", ok: true},
		{name: "no trust file, IPv6 loopback", remote: "[::1]:50000", ok: true},
		{name: "no trust file, non-loopback", remote: "192.0.2.7:50000", ok: false},
		{name: "no trust file, non-loopback claiming loopback in X-Forwarded-For", remote: "192.0.2.7:50000", xff: "127.0.0.1", ok: false},
		{name: "no trust file, IPv4-mapped non-loopback", remote: "[::ffff:192.0.2.7]:50000", ok: false},
		{name: "trust file without dev, loopback", cfg: withIssuer, remote: "127.0.0.1:50000", ok: false},
		{name: "trust file with dev, loopback", cfg: withIssuer, dev: true, remote: "127.0.0.1:50000", ok: true},
		{name: "trust file with dev, non-loopback", cfg: withIssuer, dev: true, remote: "198.51.100.3:50000", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := trust.New(tt.cfg, trust.Options{BaseURL: base, Dev: tt.dev, Logger: discardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			h := &protected{v: v}
			r := httptest.NewRequest(http.MethodPost, serviceURL, nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if !tt.ok {
				assertRefused(t, w)
				if got := trust.ReasonOf(h.err); got != trust.ReasonMissing {
					t.Errorf("reason = %q, want %q", got, trust.ReasonMissing)
				}
				return
			}
			assertAdvice(t, w)
			if !h.claims.Unauthenticated || h.claims.Issuer != "" {
				t.Errorf("claims = %+v, want Unauthenticated with no issuer", h.claims)
			}
		})
	}
}

// TestLoopbackWithBadJWTIsRefused: a header that is present is always
// verified, even from loopback where no header would be accepted.
func TestLoopbackWithBadJWTIsRefused(t *testing.T) {
	v, err := trust.New(trust.Config{}, trust.Options{BaseURL: base, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	h := &protected{v: v}
	assertRefused(t, call(t, h, servicePath, "Bearer aaa.bbb.ccc", "127.0.0.1:40000"))
}
