package trust

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"ombc-cds/trust/trusttest"
)

// TestParseJWKS: EC P-256/P-384 and RSA keys parse; broken or dangerous
// sets are refused; keys never used for signatures are skipped.
func TestParseJWKS(t *testing.T) {
	es384 := trusttest.NewES384(t, "e384")
	es256 := trusttest.NewES256(t, "e256")
	rs := trusttest.NewRS384(t, "r+/=")
	good := string(trusttest.JWKS(t, es384, es256, rs))
	p384 := es384.PublicJWK(t)
	x, y := p384["x"].(string), p384["y"].(string)
	flipped := x[:len(x)-2] + "AA" // moves the point off the curve
	short := base64.RawURLEncoding.EncodeToString(make([]byte, 20))
	tests := []struct {
		name    string
		set     string
		wantErr string
		kids    []string
	}{
		{name: "EC P-384, EC P-256 and RSA", set: good, kids: []string{"e384", "e256", "r+/="}},
		{name: "oct and enc keys are skipped", set: `{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"},{"kty":"RSA","use":"enc","kid":"x","n":"AQAB","e":"AQAB"}]}`, kids: nil},
		{name: "point not on the curve", set: `{"keys":[{"kty":"EC","crv":"P-384","kid":"a","x":"` + flipped + `","y":"` + y + `"}]}`, wantErr: "kid \"a\""},
		{name: "short coordinates", set: `{"keys":[{"kty":"EC","crv":"P-384","kid":"a","x":"` + short + `","y":"` + short + `"}]}`, wantErr: "48 bytes"},
		{name: "unsupported curve", set: `{"keys":[{"kty":"EC","crv":"P-521","kid":"a","x":"` + x + `","y":"` + y + `"}]}`, wantErr: "unsupported EC curve"},
		{name: "small RSA modulus", set: `{"keys":[{"kty":"RSA","kid":"a","n":"` + base64.RawURLEncoding.EncodeToString(make([]byte, 128)) + `","e":"AQAB"}]}`, wantErr: "below 2048"},
		{name: "private key member", set: `{"keys":[{"kty":"EC","crv":"P-384","kid":"a","x":"` + x + `","y":"` + y + `","d":"` + x + `"}]}`, wantErr: "private key"},
		{name: "duplicate kid", set: `{"keys":[` + jwkJSON(t, es384) + `,` + jwkJSON(t, es384) + `]}`, wantErr: "twice"},
		{name: "no keys member", set: `{}`, wantErr: "no keys"},
		{name: "not JSON", set: `<html>`, wantErr: "JWK Set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := parseJWKS([]byte(tt.set))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != len(tt.kids) {
				t.Errorf("got %d keys, want %d", len(keys), len(tt.kids))
			}
			for _, kid := range tt.kids {
				if _, ok := keys[kid]; !ok {
					t.Errorf("kid %q missing", kid)
				}
			}
		})
	}
}

func jwkJSON(t *testing.T, k *trusttest.Key) string {
	t.Helper()
	set := string(trusttest.JWKS(t, k))
	return strings.TrimSuffix(strings.TrimPrefix(set, `{"keys":[`), `]}`)
}

// TestKeyFitsAlg: the alg must match the key type and curve, and the JWK's
// own alg when it has one (alg confusion, CONFORMANCE.md S-5).
func TestKeyFitsAlg(t *testing.T) {
	tests := []struct {
		name string
		key  publicKey
		alg  string
		want bool
	}{
		{name: "P-384 for ES384", key: publicKey{kty: "EC", crv: "P-384"}, alg: "ES384", want: true},
		{name: "P-256 for ES384", key: publicKey{kty: "EC", crv: "P-256"}, alg: "ES384", want: false},
		{name: "P-256 for ES256", key: publicKey{kty: "EC", crv: "P-256"}, alg: "ES256", want: true},
		{name: "RSA for RS384", key: publicKey{kty: "RSA"}, alg: "RS384", want: true},
		{name: "RSA for PS384", key: publicKey{kty: "RSA"}, alg: "PS384", want: true},
		{name: "RSA for ES384", key: publicKey{kty: "RSA"}, alg: "ES384", want: false},
		{name: "EC for RS384", key: publicKey{kty: "EC", crv: "P-384"}, alg: "RS384", want: false},
		{name: "RSA key marked RS256 used for RS384", key: publicKey{kty: "RSA", alg: "RS256"}, alg: "RS384", want: false},
		{name: "any key for HS256", key: publicKey{kty: "RSA"}, alg: "HS256", want: false},
		{name: "any key for none", key: publicKey{kty: "EC", crv: "P-384"}, alg: "none", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.key.fitsAlg(tt.alg); got != tt.want {
				t.Errorf("fitsAlg(%s) = %v, want %v", tt.alg, got, tt.want)
			}
		})
	}
}

// TestCacheTTL: Cache-Control max-age decides how long a JWK Set is kept,
// within bounds.
func TestCacheTTL(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{header: "", want: time.Hour},
		{header: "public, max-age=600", want: 10 * time.Minute},
		{header: "max-age=5", want: time.Minute},
		{header: "max-age=9999999", want: 24 * time.Hour},
		{header: "no-store", want: time.Minute},
		{header: "max-age=abc", want: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := cacheTTL(tt.header); got != tt.want {
				t.Errorf("cacheTTL(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

// TestSandboxJWKS: the embedded sandbox set has the one ES384 P-384 key.
func TestSandboxJWKS(t *testing.T) {
	keys, err := parseJWKS([]byte(sandboxJWKS))
	if err != nil {
		t.Fatal(err)
	}
	k, ok := keys[SandboxKeyID]
	if len(keys) != 1 || !ok || !k.fitsAlg("ES384") {
		t.Errorf("sandbox keys = %v, want one ES384 P-384 key with kid %s", keys, SandboxKeyID)
	}
}

// TestMemoryReplayCache: a key is seen until it expires, and concurrent
// callers racing on one key see exactly one first use.
func TestMemoryReplayCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := NewMemoryReplayCache(clock)
	ctx := context.Background()
	steps := []struct {
		name    string
		advance time.Duration
		key     string
		want    bool
	}{
		{name: "first use", key: "iss|a", want: false},
		{name: "replay", key: "iss|a", want: true},
		{name: "other jti", key: "iss|b", want: false},
		{name: "same jti of another issuer", key: "other|a", want: false},
		{name: "after expiry the key is forgotten", advance: 10 * time.Minute, key: "iss|a", want: false},
	}
	for _, s := range steps {
		mu.Lock()
		now = now.Add(s.advance)
		mu.Unlock()
		got, err := c.Seen(ctx, s.key, clock().Add(5*time.Minute))
		if err != nil || got != s.want {
			t.Errorf("%s: Seen = %v, %v; want %v", s.name, got, err, s.want)
		}
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	var wg sync.WaitGroup
	var firsts sync.Map
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen, _ := c.Seen(ctx, "iss|race", clock().Add(time.Minute))
			if !seen {
				firsts.Store(i, true)
			}
		}()
	}
	wg.Wait()
	n := 0
	firsts.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("%d concurrent first uses, want 1", n)
	}
	if got := c.Len(); got != 1 {
		t.Errorf("Len after purge = %d, want 1 (expired keys swept)", got)
	}
}
