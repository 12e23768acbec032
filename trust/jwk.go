package trust

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// minRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3: "A key of
// size 2048 bits or larger MUST be used with these algorithms").
const minRSABits = 2048

// publicKey is one verification key from a JWK Set.
type publicKey struct {
	kid string
	kty string // "EC" or "RSA"
	crv string // "P-256" or "P-384" for EC
	alg string // the JWK's own alg member, "" when absent
	key any    // *ecdsa.PublicKey or *rsa.PublicKey
}

// jwk holds the JWK members this package reads (RFC 7517 §4, RFC 7518 §6).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	N   string `json:"n"`
	E   string `json:"e"`
	D   string `json:"d"`
}

// parseJWKS parses a JWK Set into keys by kid. Keys that are not for
// signatures (use other than "sig") or of a type this package never verifies
// with (oct, OKP) are skipped; an oct key in particular must never become an
// HMAC secret (S-5). A malformed EC or RSA key, a private key member or a
// duplicate kid ("kid … MUST be unique within the CDS Client's JWK Set",
// S-4) fails the whole set.
func parseJWKS(b []byte) (map[string]publicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("JWK Set: %w", err)
	}
	if set.Keys == nil {
		return nil, errors.New("JWK Set: no keys member")
	}
	out := make(map[string]publicKey, len(set.Keys))
	for i, raw := range set.Keys {
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("JWK Set: keys[%d]: %w", i, err)
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if k.Kty != "EC" && k.Kty != "RSA" {
			continue
		}
		if k.D != "" {
			return nil, fmt.Errorf("JWK Set: keys[%d] (kid %q) contains a private key", i, k.Kid)
		}
		if k.Kid == "" {
			continue // unreachable: tokens must name a kid (S-4)
		}
		if _, dup := out[k.Kid]; dup {
			return nil, fmt.Errorf("JWK Set: kid %q appears twice", k.Kid)
		}
		pk, err := parseJWK(k)
		if err != nil {
			return nil, fmt.Errorf("JWK Set: keys[%d] (kid %q): %w", i, k.Kid, err)
		}
		out[k.Kid] = pk
	}
	return out, nil
}

func parseJWK(k jwk) (publicKey, error) {
	pk := publicKey{kid: k.Kid, kty: k.Kty, crv: k.Crv, alg: k.Alg}
	switch k.Kty {
	case "EC":
		key, err := parseECKey(k.Crv, k.X, k.Y)
		if err != nil {
			return publicKey{}, err
		}
		pk.key = key
	case "RSA":
		key, err := parseRSAKey(k.N, k.E)
		if err != nil {
			return publicKey{}, err
		}
		pk.key = key
	}
	return pk, nil
}

// parseECKey builds the key from its uncompressed point, which the standard
// library checks is on the curve. RFC 7518 §6.2.1.2 requires x and y to be
// the full coordinate size.
func parseECKey(crv, x, y string) (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	var size int
	switch crv {
	case "P-256":
		curve, size = elliptic.P256(), 32
	case "P-384":
		curve, size = elliptic.P384(), 48
	default:
		return nil, fmt.Errorf("unsupported EC curve %q", crv)
	}
	xb, err := base64.RawURLEncoding.DecodeString(x)
	if err != nil {
		return nil, fmt.Errorf("x: %w", err)
	}
	yb, err := base64.RawURLEncoding.DecodeString(y)
	if err != nil {
		return nil, fmt.Errorf("y: %w", err)
	}
	if len(xb) != size || len(yb) != size {
		return nil, fmt.Errorf("%s coordinates must be %d bytes", crv, size)
	}
	point := make([]byte, 0, 1+2*size)
	point = append(point, 4)
	point = append(point, xb...)
	point = append(point, yb...)
	return ecdsa.ParseUncompressedPublicKey(curve, point)
}

func parseRSAKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, fmt.Errorf("n: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil {
		return nil, fmt.Errorf("e: %w", err)
	}
	if len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("e: out of range")
	}
	var exp int
	for _, b := range eb {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp%2 == 0 {
		return nil, errors.New("e: must be odd and at least 3")
	}
	mod := new(big.Int).SetBytes(nb)
	if mod.BitLen() < minRSABits {
		return nil, fmt.Errorf("RSA modulus of %d bits is below %d", mod.BitLen(), minRSABits)
	}
	return &rsa.PublicKey{N: mod, E: exp}, nil
}

// fitsAlg reports whether the key may verify a token signed with alg. It
// stops alg-confusion attacks: an RSA key never verifies an ES token, a
// P-256 key never an ES384 one (CONFORMANCE.md S-5, DERIVED).
func (pk publicKey) fitsAlg(alg string) bool {
	if pk.alg != "" && pk.alg != alg {
		return false
	}
	switch alg {
	case "ES256":
		return pk.kty == "EC" && pk.crv == "P-256"
	case "ES384":
		return pk.kty == "EC" && pk.crv == "P-384"
	case "RS256", "RS384", "PS384":
		return pk.kty == "RSA"
	}
	return false
}
