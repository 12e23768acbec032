package trust_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// Issuers of the attack matrix.
const (
	ehrIss     = "https://ehr.example.org/fhir"                 // pinned JWK Set
	epicIss    = "https://epic.example.org/api/FHIR/R4"         // RS384, jku fetched, aud override
	sandboxIss = "https://sandbox-like.example.test"            // ES384, jku fetched
	epicAud    = "https://cds.example.org/epic/ombc-hook"       // configured by hand at the EHR
	epicKID    = "d3bmo5HzW61TUgikHZH+A8Tx4UOXz2iOs4KvVU4eLY0=" // base64 with + and = (CONFORMANCE.md S-4)
)

// fixture is a Verifier with three issuers and a TLS key server.
type fixture struct {
	clock    *clock
	verifier *trust.Verifier
	handler  *protected
	keys     *httptest.Server
	fetched  *counter
	ehr      *trusttest.Key // ES384, in the ehr issuer's pinned set
	ehrRSA   *trusttest.Key // RS384, also in the ehr issuer's pinned set
	epic     *trusttest.Key // RS384, served at /epic/jwks
	sandbox  *trusttest.Key // ES384, served at /sandbox/jwks.json
	attacker *trusttest.Key // ES384, served at /evil/jwks (never allowlisted)
}

func (f *fixture) epicJKU() string    { return f.keys.URL + "/epic/jwks" }
func (f *fixture) sandboxJKU() string { return f.keys.URL + "/sandbox/jwks.json" }
func (f *fixture) evilJKU() string    { return f.keys.URL + "/evil/jwks" }

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{
		clock:    newClock(start()),
		fetched:  &counter{},
		ehr:      trusttest.NewES384(tb, "ehr-es384"),
		ehrRSA:   trusttest.NewRS384(tb, "ehr-rs384"),
		epic:     trusttest.NewRS384(tb, epicKID),
		sandbox:  trusttest.NewES384(tb, "44823f3d-0000-4000-8000-000000000000"),
		attacker: trusttest.NewES384(tb, "evil"),
	}
	sets := map[string][]byte{
		"/epic/jwks":         trusttest.JWKS(tb, f.epic),
		"/sandbox/jwks.json": trusttest.JWKS(tb, f.sandbox),
		"/evil/jwks":         trusttest.JWKS(tb, f.attacker),
	}
	f.keys = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.fetched.add(r.URL.Path)
		b, ok := sets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	tb.Cleanup(f.keys.Close)

	cfg := trust.Config{Issuers: []trust.Issuer{
		{
			Issuer:      ehrIss,
			JWKS:        json.RawMessage(trusttest.JWKS(tb, f.ehr, f.ehrRSA)),
			FHIRServers: []string{"https://ehr.example.org"},
		},
		{
			Issuer:      epicIss,
			JKUAllow:    []string{f.epicJKU()},
			Audiences:   []string{epicAud},
			Algorithms:  []string{"RS384"},
			FHIRServers: []string{"https://epic.example.org"},
		},
		{
			Issuer:   sandboxIss,
			JKUAllow: []string{f.sandboxJKU()},
		},
	}}
	v, err := trust.New(cfg, trust.Options{
		BaseURL:    base,
		Now:        f.clock.Now,
		HTTPClient: f.keys.Client(),
		Logger:     discardLogger(),
	})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	f.verifier = v
	f.handler = &protected{v: v}
	return f
}

// ehrClaims are valid claims for the ehr issuer at the service endpoint.
func (f *fixture) ehrClaims() map[string]any {
	return trusttest.Claims(ehrIss, serviceURL, f.clock.Now())
}
