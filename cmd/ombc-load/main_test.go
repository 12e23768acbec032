package main

import (
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"ombc-cds/trust"
)

// TestKeygenTrustedBySignedTokens checks that the trust file keygen writes
// makes the service accept the tokens the load generator signs, so the load
// test measures the real JWT path rather than 401s.
func TestKeygenTrustedBySignedTokens(t *testing.T) {
	dir := t.TempDir()
	if err := keygen(dir); err != nil {
		t.Fatal(err)
	}
	cfg, err := trust.LoadFile(filepath.Join(dir, "trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	const base = "http://127.0.0.1:18080"
	v, err := trust.New(cfg, trust.Options{BaseURL: base, Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	key, err := readKey(filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	path := "/cds-services/ombc-patient-view"
	tok, err := sign(key, base+path, "jti-1")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", path, nil)
	r.RemoteAddr = "192.0.2.7:5000"
	r.Header.Set("Authorization", "Bearer "+tok)
	c, err := v.Authenticate(r)
	if err != nil {
		t.Fatalf("the service refused the load generator's token: %v", err)
	}
	if c.Issuer != issuer || c.JTI != "jti-1" {
		t.Errorf("claims %+v", c)
	}
}

// TestLoopbackOnly keeps the load generator pointed at this machine.
func TestLoopbackOnly(t *testing.T) {
	for _, tt := range []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://10.0.0.5:8080", false},
		{"https://cds.example.org", false},
		{"http://127.0.0.1.example.org", false},
		{"http://127.0.0.2:9000", true},
	} {
		if got := isLoopback(tt.url); got != tt.want {
			t.Errorf("isLoopback(%q) = %t, want %t", tt.url, got, tt.want)
		}
	}
}
