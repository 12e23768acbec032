package trust_test

import (
	"net/http"
	"testing"
	"time"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// TestAttackMatrix: one row per attack; each must answer 401 with the fixed
// body, never reach the protected handler, and fail for the expected reason
// (CONFORMANCE.md S-3 to S-10).
func TestAttackMatrix(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	with := func(changes map[string]any) map[string]any {
		c := f.ehrClaims()
		for k, v := range changes {
			c[k] = v
		}
		return c
	}
	signed := f.ehr.Sign(t, nil, f.ehrClaims())

	tests := []struct {
		name   string
		path   string
		header string // the Authorization value; "" sends none
		reason string
		// replayFirst sends the same request once (expecting advice) before
		// the attack request.
		replayFirst bool
	}{
		{name: "missing header", header: "", reason: trust.ReasonMissing},
		{name: "wrong scheme", header: "Basic dXNlcjpwYXNz", reason: trust.ReasonScheme},
		{name: "bearer without a token", header: "Bearer ", reason: trust.ReasonScheme},
		{name: "garbage token", header: "Bearer not-a-jwt-at-all", reason: trust.ReasonMalformed},
		{name: "three garbage segments", header: "Bearer aaa.bbb.ccc", reason: trust.ReasonMalformed},
		{name: "alg none", header: trusttest.Bearer(trusttest.None(t, map[string]any{"kid": f.ehr.ID}, f.ehrClaims())), reason: trust.ReasonAlg},
		{name: "HS256 signed with the public key bytes (alg confusion)", header: trusttest.Bearer(f.ehr.HS256WithPublicKey(t, f.ehrClaims())), reason: trust.ReasonAlg},
		{name: "HS256 signed with the RSA public key bytes (alg confusion)", header: trusttest.Bearer(f.ehrRSA.HS256WithPublicKey(t, f.ehrClaims())), reason: trust.ReasonAlg},
		{name: "kid missing", header: trusttest.Bearer(f.ehr.Sign(t, map[string]any{"kid": nil}, f.ehrClaims())), reason: trust.ReasonKID},
		{name: "unknown kid", header: trusttest.Bearer(f.ehr.Sign(t, map[string]any{"kid": "not-in-the-set"}, f.ehrClaims())), reason: trust.ReasonKID},
		{name: "unknown iss", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"iss": "https://evil.example.net"}))), reason: trust.ReasonIss},
		{name: "iss missing", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"iss": nil}))), reason: trust.ReasonIss},
		{name: "jku not on the allowlist", header: trusttest.Bearer(f.attacker.Sign(t, map[string]any{"jku": f.evilJKU()},
			trusttest.Claims(sandboxIss, serviceURL, now))), reason: trust.ReasonJKU},
		{name: "jku that only differs by a query from an allowed one", header: trusttest.Bearer(f.attacker.Sign(t, map[string]any{"jku": f.sandboxJKU() + "?u=" + f.evilJKU()},
			trusttest.Claims(sandboxIss, serviceURL, now))), reason: trust.ReasonJKU},
		{name: "jku sent to an issuer with pinned keys and no jku allowlist", header: trusttest.Bearer(f.attacker.Sign(t, map[string]any{"jku": f.evilJKU()},
			f.ehrClaims())), reason: trust.ReasonJKU},
		{name: "wrong aud", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"aud": "https://other.example.org/cds-services/x"}))), reason: trust.ReasonAud},
		{name: "aud missing", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"aud": nil}))), reason: trust.ReasonAud},
		{name: "aud of the feedback endpoint at the service", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"aud": feedbackURL}))), reason: trust.ReasonAud},
		{name: "aud of the service at the feedback endpoint", path: feedbackPath, header: trusttest.Bearer(f.ehr.Sign(t, nil, f.ehrClaims())), reason: trust.ReasonAud},
		{name: "aud built from the Host header is not trusted", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"aud": "https://example.com" + servicePath}))), reason: trust.ReasonAud},
		{name: "expired beyond the clock skew", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{
			"iat": now.Add(-10 * time.Minute).Unix(), "exp": now.Add(-2 * time.Minute).Unix()}))), reason: trust.ReasonExp},
		{name: "exp missing", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"exp": nil}))), reason: trust.ReasonExp},
		{name: "not yet valid (nbf)", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"nbf": now.Add(5 * time.Minute).Unix()}))), reason: trust.ReasonNbf},
		{name: "iat in the future", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{
			"iat": now.Add(5 * time.Minute).Unix(), "exp": now.Add(10 * time.Minute).Unix()}))), reason: trust.ReasonIat},
		{name: "iat missing", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"iat": nil}))), reason: trust.ReasonIat},
		{name: "lifetime too long", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"exp": now.Add(2 * time.Hour).Unix()}))), reason: trust.ReasonLifetime},
		{name: "missing jti", header: trusttest.Bearer(f.ehr.Sign(t, nil, with(map[string]any{"jti": nil}))), reason: trust.ReasonJTI},
		{name: "replayed jti", header: trusttest.Bearer(signed), reason: trust.ReasonReplay, replayFirst: true},
		{name: "tampered payload", header: trusttest.Bearer(trusttest.TamperPayload(t, f.ehr.Sign(t, nil, f.ehrClaims()),
			with(map[string]any{"sub": "admin"}))), reason: trust.ReasonSignature},
		{name: "tampered signature", header: trusttest.Bearer(trusttest.TamperSignature(t, f.ehr.Sign(t, nil, f.ehrClaims()))), reason: trust.ReasonSignature},
		{name: "signed by another key under a trusted kid", header: trusttest.Bearer(f.attacker.Sign(t, map[string]any{"kid": f.ehr.ID}, f.ehrClaims())), reason: trust.ReasonSignature},
		{name: "RS key used with ES alg", header: trusttest.Bearer(f.attacker.Sign(t, map[string]any{"kid": f.ehrRSA.ID}, f.ehrClaims())), reason: trust.ReasonAlg},
		{name: "alg the issuer does not allow (ES384 for an RS384-only issuer)", header: trusttest.Bearer(f.attacker.Sign(t,
			map[string]any{"jku": f.epicJKU(), "kid": epicKID}, trusttest.Claims(epicIss, epicAud, now))), reason: trust.ReasonAlg},
		{name: "typ other than JWT", header: trusttest.Bearer(f.ehr.Sign(t, map[string]any{"typ": "at+jwt"}, f.ehrClaims())), reason: trust.ReasonTyp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = servicePath
			}
			if tt.replayFirst {
				assertAdvice(t, call(t, f.handler, path, tt.header, ""))
			}
			before := f.handler.reached
			w := call(t, f.handler, path, tt.header, "")
			assertRefused(t, w)
			if f.handler.reached != before {
				t.Errorf("the protected handler was reached")
			}
			if got := trust.ReasonOf(f.handler.err); got != tt.reason {
				t.Errorf("reason = %q, want %q (err: %v)", got, tt.reason, f.handler.err)
			}
		})
	}
	if n := f.fetched.get("/evil/jwks"); n != 0 {
		t.Errorf("the jku server that is not allowlisted got %d requests, want 0", n)
	}
}

// TestSeveralAuthorizationHeaders: two headers are ambiguous; refuse.
func TestSeveralAuthorizationHeaders(t *testing.T) {
	f := newFixture(t)
	r, _ := http.NewRequest(http.MethodPost, serviceURL, nil)
	r.RemoteAddr = "192.0.2.10:4000"
	r.Header.Add("Authorization", trusttest.Bearer(f.ehr.Sign(t, nil, f.ehrClaims())))
	r.Header.Add("Authorization", trusttest.Bearer(f.ehr.Sign(t, nil, f.ehrClaims())))
	_, err := f.verifier.Authenticate(r)
	if got := trust.ReasonOf(err); got != trust.ReasonScheme {
		t.Errorf("reason = %q, want %q", got, trust.ReasonScheme)
	}
}
