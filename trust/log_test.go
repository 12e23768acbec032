package trust_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// TestTokenNeverLogged: rejected and accepted tokens leave the reason, iss
// and jti in the log, but no token and none of its segments (best practices
// §JWT: "should never store, share, or log JWTs").
func TestTokenNeverLogged(t *testing.T) {
	key := trusttest.NewES384(t, "k")
	log, buf := bufferLogger()
	now := start()
	v, err := trust.New(trust.Config{Issuers: []trust.Issuer{{Issuer: ehrIss, JWKS: json.RawMessage(trusttest.JWKS(t, key))}}},
		trust.Options{BaseURL: base, Now: func() time.Time { return now }, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	h := &protected{v: v}
	good := trusttest.Claims(ehrIss, serviceURL, now)
	good["jti"] = "jti-visible-in-logs"
	expired := trusttest.Claims(ehrIss, serviceURL, now.Add(-time.Hour))
	tokens := []string{
		key.Sign(t, nil, good),
		key.Sign(t, nil, good), // replay
		key.Sign(t, nil, expired),
		trusttest.TamperSignature(t, key.Sign(t, nil, trusttest.Claims(ehrIss, serviceURL, now))),
		key.Sign(t, map[string]any{"jku": "https://evil.example.net/jwks"}, trusttest.Claims(ehrIss, serviceURL, now)),
		key.HS256WithPublicKey(t, trusttest.Claims(ehrIss, serviceURL, now)),
		"eyJhbGciOiJFUzM4NCJ9.not-base64!.sig",
	}
	for _, tok := range tokens {
		call(t, h, servicePath, trusttest.Bearer(tok), "")
	}
	out := buf.String()
	for i, tok := range tokens {
		for j, seg := range strings.Split(tok, ".") {
			if len(seg) >= 8 && strings.Contains(out, seg) {
				t.Errorf("token %d segment %d appears in the log", i, j)
			}
		}
	}
	for _, want := range []string{`"reason":"replay"`, `"reason":"exp"`, `"reason":"signature"`, `"reason":"jku"`, `"reason":"alg"`, `"jti":"jti-visible-in-logs"`, `"iss":"` + ehrIss + `"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", out)
	}
}
