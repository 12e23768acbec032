package trust_test

import (
	"testing"
	"time"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// TestAcceptedTokens: the token shapes real CDS clients send reach the
// protected handler, and Authenticate returns their claims.
func TestAcceptedTokens(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	epicClaims := trusttest.Claims(epicIss, epicAud, now)
	epicClaims["sub"] = "epic-cds-client-id"
	epicClaims["nbf"] = now.Add(-5 * time.Minute).Unix() // "Typically set to 5 minutes prior to the issue time"
	epicClaims["exp"] = now.Add(15 * time.Minute).Unix() // exp - iat = 900 s (CONFORMANCE.md §3.4)
	specLike := trusttest.Claims(ehrIss, serviceURL, now)
	specLike["tenant"] = "2ddd6c3a-8e9a-44c6-a305-52111ad302a2"
	array := f.ehrClaims()
	array["aud"] = []string{"https://other.example.org/cds-services/x", serviceURL}
	skewed := f.ehrClaims()
	skewed["iat"] = now.Add(30 * time.Second).Unix() // within the 60 s skew
	late := f.ehrClaims()
	late["iat"] = now.Add(-5*time.Minute - 30*time.Second).Unix()
	late["exp"] = now.Add(-30 * time.Second).Unix() // expired 30 s ago: within the skew

	tests := []struct {
		name  string
		path  string
		token string
		want  trust.Claims
	}{
		{
			name:  "ES384 with tenant, like the spec example",
			token: f.ehr.Sign(t, nil, specLike),
			want:  trust.Claims{Issuer: ehrIss, Tenant: "2ddd6c3a-8e9a-44c6-a305-52111ad302a2", JTI: specLike["jti"].(string)},
		},
		{
			name:  "Epic-shaped RS384 with nbf, sub, 15-minute lifetime, base64 kid and jku on the allowlist",
			token: f.epic.Sign(t, map[string]any{"jku": f.epicJKU()}, epicClaims),
			want:  trust.Claims{Issuer: epicIss, Subject: "epic-cds-client-id", JTI: epicClaims["jti"].(string)},
		},
		{
			name: "sandbox-shaped ES384 with jku on the allowlist, fetched over https",
			token: f.sandbox.Sign(t, map[string]any{"jku": f.sandboxJKU()},
				trusttest.Claims(sandboxIss, serviceURL, now)),
			want: trust.Claims{Issuer: sandboxIss},
		},
		{
			name:  "aud as an array",
			token: f.ehr.Sign(t, nil, array),
			want:  trust.Claims{Issuer: ehrIss, JTI: array["jti"].(string)},
		},
		{
			name:  "feedback endpoint with the feedback aud",
			path:  feedbackPath,
			token: f.ehr.Sign(t, nil, trusttest.Claims(ehrIss, feedbackURL, now)),
			want:  trust.Claims{Issuer: ehrIss},
		},
		{
			name:  "RS384 key of the pinned set",
			token: f.ehrRSA.Sign(t, nil, f.ehrClaims()),
			want:  trust.Claims{Issuer: ehrIss},
		},
		{
			name:  "iat slightly ahead, within the clock skew",
			token: f.ehr.Sign(t, nil, skewed),
			want:  trust.Claims{Issuer: ehrIss},
		},
		{
			name:  "expired by less than the clock skew",
			token: f.ehr.Sign(t, nil, late),
			want:  trust.Claims{Issuer: ehrIss},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = servicePath
			}
			assertAdvice(t, call(t, f.handler, path, trusttest.Bearer(tt.token), ""))
			got := f.handler.claims
			if f.handler.err != nil {
				t.Fatalf("Authenticate: %v", f.handler.err)
			}
			if got.Issuer != tt.want.Issuer || got.Unauthenticated {
				t.Errorf("claims = %+v, want issuer %q, authenticated", got, tt.want.Issuer)
			}
			if tt.want.Subject != "" && got.Subject != tt.want.Subject {
				t.Errorf("subject = %q, want %q", got.Subject, tt.want.Subject)
			}
			if tt.want.Tenant != "" && got.Tenant != tt.want.Tenant {
				t.Errorf("tenant = %q, want %q", got.Tenant, tt.want.Tenant)
			}
			if tt.want.JTI != "" && got.JTI != tt.want.JTI {
				t.Errorf("jti = %q, want %q", got.JTI, tt.want.JTI)
			}
		})
	}
	if n := f.fetched.get("/epic/jwks"); n != 1 {
		t.Errorf("Epic JWK Set fetched %d times, want 1 (cached)", n)
	}
}

// TestWriteUnauthorizedIsUniform: the 401 carries a Bearer challenge and
// the same body for every reason (CONFORMANCE.md S-9).
func TestWriteUnauthorizedIsUniform(t *testing.T) {
	f := newFixture(t)
	a := call(t, f.handler, servicePath, "", "")
	b := call(t, f.handler, servicePath, trusttest.Bearer(trusttest.TamperSignature(t, f.ehr.Sign(t, nil, f.ehrClaims()))), "")
	for _, w := range []*struct {
		name string
		got  string
		hdr  string
	}{{"missing", a.Body.String(), a.Header().Get("WWW-Authenticate")}, {"signature", b.Body.String(), b.Header().Get("WWW-Authenticate")}} {
		if w.got != trust.UnauthorizedBody || w.hdr != "Bearer" {
			t.Errorf("%s: body %q, challenge %q; want %q and \"Bearer\"", w.name, w.got, w.hdr, trust.UnauthorizedBody)
		}
	}
}
