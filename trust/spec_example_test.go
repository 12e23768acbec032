package trust

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ombc-cds/internal/sharedtest"
	"ombc-cds/trust/trusttest"
)

// The spec example (CDS Hooks 2.0 §Trusting CDS Clients, examples/v2.0.1
// jwt-*.json): iss, aud, kid, jku and tenant as published.
const (
	specIss    = "https://fhir-ehr.example.com/"
	specAud    = "https://cds.example.org/cds-services/some-service"
	specKID    = "example-kid"
	specJKU    = "https://fhir-ehr.example.com/jwk_uri"
	specTenant = "2ddd6c3a-8e9a-44c6-a305-52111ad302a2"
)

// specVerifier trusts the spec's issuer with the given pinned JWK Set, at a
// frozen clock.
func specVerifier(t *testing.T, jwks []byte, now time.Time) *Verifier {
	t.Helper()
	v, err := New(Config{Issuers: []Issuer{{Issuer: specIss, JWKS: jwks, JKUAllow: []string{specJKU}}}},
		Options{BaseURL: "https://cds.example.org", Now: func() time.Time { return now }, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func specRequest(token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, specAud, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// TestSpecExampleToken verifies the spec's own example token against the
// spec's public JWK Set, with the clock frozen between its iat (2011) and
// exp (2015) (examples/README.md item 1). Its exp - iat is about 3.5 years,
// which the lifetime policy (S-10, at most 24 h) refuses; the test first
// shows that refusal, then lifts the bound to check everything else.
func TestSpecExampleToken(t *testing.T) {
	shared := sharedDirInternal(t)
	dir := filepath.Join(shared, "cdshooks", "examples", "v2.0.1")
	header := readFile(t, filepath.Join(dir, "jwt-authorization-header-example.txt"))
	token, ok := strings.CutPrefix(strings.TrimSpace(header), "Authorization: Bearer ")
	if !ok {
		t.Fatalf("unexpected header example %q", header)
	}
	jwks := []byte(readFile(t, filepath.Join(dir, "jwks-public-example.json")))
	var payload struct {
		Aud string `json:"aud"`
		JTI string `json:"jti"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "jwt-payload-example.json"))), &payload); err != nil {
		t.Fatal(err)
	}
	if payload.Aud != specAud {
		t.Fatalf("payload example aud = %q, want %q", payload.Aud, specAud)
	}
	frozen := time.Unix(1422568860-60, 0) // one minute before exp

	v := specVerifier(t, jwks, frozen)
	_, err := v.Authenticate(specRequest(token))
	if got := ReasonOf(err); got != ReasonLifetime {
		t.Fatalf("with the default lifetime bound: reason %q, want %q (err %v)", got, ReasonLifetime, err)
	}

	v = specVerifier(t, jwks, frozen)
	v.maxLifetime = 4 * 365 * 24 * time.Hour // the example token lives ~3.5 years
	c, err := v.Authenticate(specRequest(token))
	if err != nil {
		t.Fatalf("spec example token refused: %v", err)
	}
	if c.Issuer != specIss || c.Tenant != specTenant || c.JTI != payload.JTI {
		t.Errorf("claims = %+v, want iss %q tenant %q jti %q", c, specIss, specTenant, payload.JTI)
	}

	v = specVerifier(t, jwks, time.Unix(1422568860+3600, 0))
	if _, err := v.Authenticate(specRequest(token)); ReasonOf(err) != ReasonExp {
		t.Errorf("an hour after exp: err %v, want reason %q", err, ReasonExp)
	}
}

// TestSpecShapedToken builds a token of the spec example's shape with a key
// of its own, so the positive row stands without ../shared.
func TestSpecShapedToken(t *testing.T) {
	key := trusttest.NewES384(t, specKID)
	now := time.Date(2026, 1, 29, 10, 0, 0, 0, time.UTC)
	claims := trusttest.Claims(specIss, specAud, now)
	claims["tenant"] = specTenant
	token := key.Sign(t, map[string]any{"jku": specJKU}, claims)
	v := specVerifier(t, trusttest.JWKS(t, key), now.Add(time.Minute))
	c, err := v.Authenticate(specRequest(token))
	if err != nil {
		t.Fatalf("spec-shaped token refused: %v", err)
	}
	if c.Issuer != specIss || c.Tenant != specTenant {
		t.Errorf("claims = %+v, want iss %q tenant %q", c, specIss, specTenant)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sharedDirInternal returns ../shared, or skips.
func sharedDirInternal(t *testing.T) string {
	t.Helper()
	return sharedtest.Dir(t)
}
