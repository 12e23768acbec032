package trusttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"
)

// Key is a private signing key with the kid and alg it signs for.
type Key struct {
	ID      string
	Alg     string // ES384, ES256 or RS384 (RS256 and PS384 also work with an RSA key)
	Private crypto.Signer
}

// NewES384 generates a P-384 key for ES384 (CDS Hooks 2.0 RECOMMENDS ES384).
func NewES384(tb testing.TB, kid string) *Key {
	tb.Helper()
	return newEC(tb, kid, "ES384", elliptic.P384())
}

// NewES256 generates a P-256 key for ES256.
func NewES256(tb testing.TB, kid string) *Key {
	tb.Helper()
	return newEC(tb, kid, "ES256", elliptic.P256())
}

// NewRS384 generates a 2048-bit RSA key for RS384 (Epic's default alg).
func NewRS384(tb testing.TB, kid string) *Key {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("trusttest: generate RSA key: %v", err)
	}
	return &Key{ID: kid, Alg: "RS384", Private: k}
}

func newEC(tb testing.TB, kid, alg string, c elliptic.Curve) *Key {
	tb.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		tb.Fatalf("trusttest: generate EC key: %v", err)
	}
	return &Key{ID: kid, Alg: alg, Private: k}
}

// PublicJWK returns the public JWK of the key with kid, use "sig" and alg.
func (k *Key) PublicJWK(tb testing.TB) map[string]any {
	tb.Helper()
	m := map[string]any{"kid": k.ID, "use": "sig", "alg": k.Alg}
	switch pub := k.Private.Public().(type) {
	case *ecdsa.PublicKey:
		b, err := pub.Bytes() // 0x04 || x || y
		if err != nil {
			tb.Fatalf("trusttest: EC public key bytes: %v", err)
		}
		size := (len(b) - 1) / 2
		m["kty"] = "EC"
		m["crv"] = pub.Curve.Params().Name
		m["x"] = b64(b[1 : 1+size])
		m["y"] = b64(b[1+size:])
	case *rsa.PublicKey:
		m["kty"] = "RSA"
		m["n"] = b64(pub.N.Bytes())
		m["e"] = b64(big.NewInt(int64(pub.E)).Bytes())
	default:
		tb.Fatalf("trusttest: unsupported key type %T", pub)
	}
	return m
}

// PublicKeyPEM returns the PKIX public key as PEM: the bytes an
// alg-confusion attacker uses as an HMAC secret.
func (k *Key) PublicKeyPEM(tb testing.TB) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Private.Public())
	if err != nil {
		tb.Fatalf("trusttest: marshal public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// JWKS returns a JWK Set (JSON) of the keys' public halves.
func JWKS(tb testing.TB, keys ...*Key) []byte {
	tb.Helper()
	set := struct {
		Keys []map[string]any `json:"keys"`
	}{Keys: []map[string]any{}}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.PublicJWK(tb))
	}
	b, err := json.Marshal(set)
	if err != nil {
		tb.Fatalf("trusttest: marshal JWK Set: %v", err)
	}
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
