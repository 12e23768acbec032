package trust

import (
	"errors"
	"net/http"
)

// Reasons carried by Error. They are stable strings meant for logs and
// metrics labels; the HTTP answer never reveals them (best practices §JWT:
// "responding … with a HTTP 401 Unauthorized … without any additional
// information", CONFORMANCE.md S-9).
const (
	ReasonMissing   = "missing"   // no Authorization header where one is required
	ReasonScheme    = "scheme"    // not "Bearer <token>", or several Authorization headers
	ReasonMalformed = "malformed" // not a decodable compact JWS
	ReasonAlg       = "alg"       // alg not allowed, or not matching the key's type
	ReasonTyp       = "typ"       // typ present and not "JWT" (S-4)
	ReasonKID       = "kid"       // kid absent or not found in the issuer's JWK Set
	ReasonIss       = "iss"       // iss absent or not a trusted issuer
	ReasonJKU       = "jku"       // jku not on the issuer's allowlist (nothing fetched)
	ReasonJWKS      = "jwks"      // the issuer's JWK Set could not be fetched
	ReasonSignature = "signature" // signature does not verify
	ReasonAud       = "aud"       // aud absent or not the endpoint called
	ReasonExp       = "exp"       // exp absent or past
	ReasonNbf       = "nbf"       // nbf in the future
	ReasonIat       = "iat"       // iat absent or in the future
	ReasonLifetime  = "lifetime"  // exp - iat above the configured maximum
	ReasonJTI       = "jti"       // jti absent
	ReasonReplay    = "replay"    // jti already used within its lifetime
	ReasonInternal  = "internal"  // the replay cache failed: fail closed
)

// Error is an authentication failure. Reason is one of the Reason constants;
// Issuer and JTI are the (possibly unverified) claims, kept for logs only.
// The token itself is never part of an Error.
type Error struct {
	Reason string
	Issuer string
	JTI    string
	Err    error
}

// Error reports the reason and the underlying cause.
func (e *Error) Error() string {
	if e.Err == nil {
		return "trust: unauthenticated: " + e.Reason
	}
	return "trust: unauthenticated: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of the first *Error in err's chain, or "" when
// there is none.
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func fail(reason string, err error) *Error { return &Error{Reason: reason, Err: err} }

// UnauthorizedBody is the one body sent with every 401, whatever the reason,
// so that a caller learns nothing about which check failed (CONFORMANCE.md
// S-9: "The 401 body is identical for all failure reasons").
const UnauthorizedBody = "unauthorized\n"

// WriteUnauthorized answers 401 with the fixed body and a bare Bearer
// challenge (RFC 6750 §3 allows omitting the error attributes).
func WriteUnauthorized(w http.ResponseWriter) {
	h := w.Header()
	h.Set("WWW-Authenticate", `Bearer`)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(UnauthorizedBody))
}
