package trust_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// TestExampleTrustFile: examples/trust.json loads, its relative jwksFile
// resolves next to it, and a Verifier builds from it.
func TestExampleTrustFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "trust.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	jwks := trusttest.JWKS(t, trusttest.NewES384(t, "clinic-1"))
	if err := os.WriteFile(filepath.Join(dir, "keys", "ehr-clinic-jwks.json"), jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := trust.LoadFile(filepath.Join(dir, "trust.json"))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if len(cfg.Issuers) != 2 {
		t.Fatalf("issuers = %d, want 2", len(cfg.Issuers))
	}
	if got, want := cfg.Issuers[1].JWKSFile, filepath.Join(dir, "keys", "ehr-clinic-jwks.json"); got != want {
		t.Errorf("jwksFile = %q, want %q", got, want)
	}
	if time.Duration(cfg.ClockSkew) != time.Minute || time.Duration(cfg.MaxLifetime) != time.Hour {
		t.Errorf("clockSkew %v maxLifetime %v, want 1m and 1h", time.Duration(cfg.ClockSkew), time.Duration(cfg.MaxLifetime))
	}
	v, err := trust.New(cfg, trust.Options{BaseURL: base, Logger: discardLogger()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := v.CheckFHIRServer(cfg.Issuers[1].Issuer, "https://fhir-backup.clinic.example.net:8443/R4"); err != nil {
		t.Errorf("CheckFHIRServer: %v", err)
	}
}

// TestInvalidConfig: settings that would weaken verification are refused at
// start-up.
func TestInvalidConfig(t *testing.T) {
	jwks := `{"keys":[]}`
	tests := []struct {
		name string
		json string
		want string
	}{
		{name: "alg none", json: `{"issuers":[{"issuer":"https://a","jwksURL":"https://a/k","algorithms":["none"]}]}`, want: "not allowed"},
		{name: "HMAC alg", json: `{"issuers":[{"issuer":"https://a","jwksURL":"https://a/k","algorithms":["HS256"]}]}`, want: "not allowed"},
		{name: "http JWKS URL in production", json: `{"issuers":[{"issuer":"https://a","jwksURL":"http://a/k"}]}`, want: "https is required"},
		{name: "http jku in production", json: `{"issuers":[{"issuer":"https://a","jkuAllow":["http://a/k"]}]}`, want: "https is required"},
		{name: "http FHIR server in production", json: `{"issuers":[{"issuer":"https://a","jwksURL":"https://a/k","fhirServers":["http://f"]}]}`, want: "https is required"},
		{name: "FHIR server with a path", json: `{"issuers":[{"issuer":"https://a","jwksURL":"https://a/k","fhirServers":["https://f/fhir"]}]}`, want: "origin"},
		{name: "both jwksFile and jwks", json: `{"issuers":[{"issuer":"https://a","jwksFile":"k.json","jwks":` + jwks + `}]}`, want: "not both"},
		{name: "no key source", json: `{"issuers":[{"issuer":"https://a"}]}`, want: "no key source"},
		{name: "issuer missing", json: `{"issuers":[{"jwksURL":"https://a/k"}]}`, want: "issuer is required"},
		{name: "issuer twice", json: `{"issuers":[{"issuer":"https://a","jwksURL":"https://a/k"},{"issuer":"https://a","jwksURL":"https://a/k"}]}`, want: "twice"},
		{name: "unknown member (typo)", json: `{"issuers":[{"issuer":"https://a","jwksUri":"https://a/k"}]}`, want: "unknown field"},
		{name: "clock skew too large", json: `{"clockSkew":"10m","issuers":[]}`, want: "clockSkew"},
		{name: "negative lifetime", json: `{"maxLifetime":"-1s","issuers":[]}`, want: "maxLifetime"},
		{name: "bad duration", json: `{"maxLifetime":"an hour","issuers":[]}`, want: "duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "trust.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := trust.LoadFile(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadFile error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestNewRefusesBadKeysAndBaseURL: New reads pinned keys and needs a base URL
// to compute aud.
func TestNewRefusesBadKeysAndBaseURL(t *testing.T) {
	good := json.RawMessage(trusttest.JWKS(t, trusttest.NewES384(t, "k")))
	tests := []struct {
		name string
		cfg  trust.Config
		opts trust.Options
	}{
		{name: "no base URL", cfg: trust.Config{Issuers: []trust.Issuer{{Issuer: "https://a", JWKS: good}}}},
		{name: "relative base URL", cfg: trust.Config{Issuers: []trust.Issuer{{Issuer: "https://a", JWKS: good}}}, opts: trust.Options{BaseURL: "cds.example.org"}},
		{name: "pinned set without a signing key", cfg: trust.Config{Issuers: []trust.Issuer{{Issuer: "https://a", JWKS: json.RawMessage(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}`)}}}, opts: trust.Options{BaseURL: base}},
		{name: "missing jwksFile", cfg: trust.Config{Issuers: []trust.Issuer{{Issuer: "https://a", JWKSFile: filepath.Join(t.TempDir(), "none.json")}}}, opts: trust.Options{BaseURL: base}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Logger = discardLogger()
			if _, err := trust.New(tt.cfg, tt.opts); err == nil {
				t.Error("New succeeded, want an error")
			}
		})
	}
}

// TestDurationJSON: durations read as strings or seconds and write as strings.
func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{in: `"15m"`, want: 15 * time.Minute},
		{in: `90`, want: 90 * time.Second},
		{in: `"1h30m"`, want: 90 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d trust.Duration
			if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
				t.Fatal(err)
			}
			if time.Duration(d) != tt.want {
				t.Errorf("got %v, want %v", time.Duration(d), tt.want)
			}
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if want := `"` + tt.want.String() + `"`; string(b) != want {
				t.Errorf("marshal = %s, want %s", b, want)
			}
		})
	}
}
