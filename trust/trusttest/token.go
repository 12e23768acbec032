package trusttest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims returns the claims a CDS client sends (CDS Hooks 2.0 §Trusting CDS
// Clients): iss, aud, iat = now, exp = now + 5 min (as the sandbox does) and
// a random jti. Change or delete members (set to nil) to build other tokens.
func Claims(iss, aud string, now time.Time) map[string]any {
	return map[string]any{
		"iss": iss,
		"aud": aud,
		"iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(),
		"jti": NewJTI(),
	}
}

// NewJTI returns a random 128-bit hex nonce.
func NewJTI() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Sign signs claims with the key: the header gets alg = k.Alg, typ "JWT" and
// kid = k.ID, then the members of header (nil deletes one). Claims members
// set to nil are left out.
func (k *Key) Sign(tb testing.TB, header, claims map[string]any) string {
	tb.Helper()
	h := map[string]any{"alg": k.Alg, "typ": "JWT", "kid": k.ID}
	maps.Copy(h, header)
	alg, _ := h["alg"].(string)
	return SignWith(tb, alg, k.Private, h, claims)
}

// SignWith signs with any alg the jwt package knows and any key it accepts
// for that alg (a private key, []byte for HS*, jwt.UnsafeAllowNoneSignatureType
// for none). header is used as given except that nil members are dropped;
// header["alg"] is not forced to alg, so a header can lie about the alg.
func SignWith(tb testing.TB, alg string, key any, header, claims map[string]any) string {
	tb.Helper()
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		tb.Fatalf("trusttest: unknown alg %q", alg)
	}
	signing := Segment(tb, header) + "." + Segment(tb, claims)
	sig, err := method.Sign(signing, key)
	if err != nil {
		tb.Fatalf("trusttest: sign %s: %v", alg, err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// None returns an unsigned token with alg "none" (CONFORMANCE.md S-5).
func None(tb testing.TB, header, claims map[string]any) string {
	tb.Helper()
	h := map[string]any{"typ": "JWT"}
	maps.Copy(h, header)
	h["alg"] = "none"
	return SignWith(tb, "none", jwt.UnsafeAllowNoneSignatureType, h, claims)
}

// HS256WithPublicKey signs an HS256 token whose HMAC secret is the key's
// public PEM: the classic alg-confusion attack against verifiers that pass
// "the key" to whatever alg the header names.
func (k *Key) HS256WithPublicKey(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	h := map[string]any{"alg": "HS256", "typ": "JWT", "kid": k.ID}
	return SignWith(tb, "HS256", k.PublicKeyPEM(tb), h, claims)
}

// Segment encodes a JSON object as a base64url JWT segment, dropping nil
// members.
func Segment(tb testing.TB, m map[string]any) string {
	tb.Helper()
	clean := map[string]any{}
	for k, v := range m {
		if v != nil {
			clean[k] = v
		}
	}
	b, err := json.Marshal(clean)
	if err != nil {
		tb.Fatalf("trusttest: marshal segment: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TamperPayload replaces the token's payload with claims and keeps the
// original signature.
func TamperPayload(tb testing.TB, token string, claims map[string]any) string {
	tb.Helper()
	parts := split(tb, token)
	return parts[0] + "." + Segment(tb, claims) + "." + parts[2]
}

// TamperSignature flips one bit in the middle of the signature.
func TamperSignature(tb testing.TB, token string) string {
	tb.Helper()
	parts := split(tb, token)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) == 0 {
		tb.Fatalf("trusttest: decode signature: %v", err)
	}
	sig[len(sig)/2] ^= 0x01
	return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func split(tb testing.TB, token string) []string {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("trusttest: token has %d segments, want 3", len(parts))
	}
	return parts
}

// Bearer returns the Authorization header value for token.
func Bearer(token string) string { return "Bearer " + token }
