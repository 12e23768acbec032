package trust

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxTokenSize bounds the token before any decoding; real CDS client tokens
// are well under 2 KiB.
const maxTokenSize = 8 << 10

// Claims is the authenticated caller. For an allowed unauthenticated
// loopback call only Unauthenticated is set.
type Claims struct {
	Issuer          string
	Subject         string // "sub", Epic's CDS Hooks client ID; tolerated (S-10)
	Tenant          string // "tenant", OPTIONAL (S-6)
	JTI             string
	Unauthenticated bool // an allowed loopback call without a JWT
}

// tokenClaims is the JWT payload (CDS Hooks 2.0 §Trusting CDS Clients). The
// unexported policy lets Validate apply the rules the jwt package does not
// have: iat and jti required, and the lifetime bound.
type tokenClaims struct {
	jwt.RegisteredClaims
	Tenant string `json:"tenant,omitempty"`

	maxLifetime time.Duration
}

// Validate is called by the jwt parser after the signature has verified.
func (c *tokenClaims) Validate() error {
	if c.IssuedAt == nil {
		return fail(ReasonIat, errors.New("iat is required"))
	}
	if c.ID == "" {
		return fail(ReasonJTI, errors.New("jti is required"))
	}
	if c.ExpiresAt != nil {
		if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life > c.maxLifetime || life <= 0 {
			return fail(ReasonLifetime, fmt.Errorf("exp - iat = %s, allowed (0, %s]", life, c.maxLifetime))
		}
	}
	return nil
}

// Authenticate verifies the caller of r.
//
// With an Authorization header the bearer JWT must pass every check (S-3 to
// S-9). Without one, the call is accepted as Unauthenticated only from a
// loopback address (127.0.0.0/8, ::1) and only when the trust file lists no
// issuer or the development profile is on; otherwise it fails with reason
// "missing". Every failure is an *Error and is logged with its reason, iss
// and jti, never the token (best practices §JWT: "should never store, share,
// or log JWTs").
func (v *Verifier) Authenticate(r *http.Request) (Claims, error) {
	c, err := v.authenticate(r)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = fail(ReasonMalformed, err)
			err = e
		}
		v.log.Warn("trust: request not authenticated",
			"reason", e.Reason, "iss", clip(e.Issuer), "jti", clip(e.JTI),
			"method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "err", e.Err)
		return Claims{}, err
	}
	return c, nil
}

func (v *Verifier) authenticate(r *http.Request) (Claims, error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 || (len(values) == 1 && strings.TrimSpace(values[0]) == "") {
		if v.loopbackAllowed() && isLoopback(r.RemoteAddr) {
			return Claims{Unauthenticated: true}, nil
		}
		return Claims{}, fail(ReasonMissing, errors.New("no Authorization header"))
	}
	if len(values) > 1 {
		return Claims{}, fail(ReasonScheme, errors.New("several Authorization headers"))
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return Claims{}, fail(ReasonScheme, errors.New("not a Bearer credential"))
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxTokenSize {
		return Claims{}, fail(ReasonMalformed, errors.New("empty or oversized token"))
	}
	return v.verify(r.Context(), token, v.baseURL+r.URL.Path)
}

// loopbackAllowed: "Without configuration it must not accept unauthenticated
// calls from anything but loopback. With a trust file and without the
// development profile, every service and feedback call needs a valid JWT,
// loopback included."
func (v *Verifier) loopbackAllowed() bool { return v.noIssuers || v.dev }

// isLoopback looks only at the TCP peer address; forwarding headers are
// ignored because any client can send them.
func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return addr.Unmap().IsLoopback()
}

// verify checks one token for the endpoint URL endpoint.
func (v *Verifier) verify(ctx context.Context, token, endpoint string) (Claims, error) {
	claims := &tokenClaims{maxLifetime: v.maxLifetime}
	var is *issuer
	parser := jwt.NewParser(
		jwt.WithValidMethods(v.methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.skew),
		jwt.WithTimeFunc(v.now),
	)
	parsed, err := parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		var err error
		if is, err = v.issuerFor(t, claims); err != nil {
			return nil, err
		}
		return v.keyFor(ctx, is, t)
	})
	if err != nil {
		e := classify(parsed, err, v.methods)
		e.Issuer, e.JTI = claims.Issuer, claims.ID
		return Claims{}, e
	}
	// The jwt package's WithAudience cannot be used: the accepted audience
	// depends on the issuer, known only once the token is decoded.
	if !audienceMatches(is, endpoint, claims.Audience) {
		return Claims{}, &Error{Reason: ReasonAud, Issuer: claims.Issuer, JTI: claims.ID,
			Err: errors.New("aud does not name the endpoint called")}
	}
	exp := claims.ExpiresAt.Add(v.skew)
	seen, err := v.replay.Seen(ctx, claims.Issuer+"|"+claims.ID, exp)
	if err != nil {
		return Claims{}, &Error{Reason: ReasonInternal, Issuer: claims.Issuer, JTI: claims.ID,
			Err: fmt.Errorf("replay cache: %w", err)}
	}
	if seen {
		return Claims{}, &Error{Reason: ReasonReplay, Issuer: claims.Issuer, JTI: claims.ID,
			Err: errors.New("jti already used")}
	}
	return Claims{Issuer: claims.Issuer, Subject: claims.Subject, Tenant: claims.Tenant, JTI: claims.ID}, nil
}

// audienceMatches accepts aud as a string or an array (jwt.ClaimStrings
// reads both) when a member is the issuer's override or, without one, the
// endpoint URL (S-6: aud "MUST be the URL of the CDS Service endpoint being
// invoked"; Epic configures aud by hand, §3.4).
func audienceMatches(is *issuer, endpoint string, aud jwt.ClaimStrings) bool {
	want := is.audiences
	if len(want) == 0 {
		want = []string{endpoint}
	}
	for _, s := range aud {
		if s != "" && slices.Contains(want, s) {
			return true
		}
	}
	return false
}

// issuerFor checks the header fields that select a key: typ, kid, iss and
// the alg allowed for that issuer. The claims are not yet verified here;
// they only choose which keys the signature must verify with.
func (v *Verifier) issuerFor(t *jwt.Token, claims *tokenClaims) (*issuer, error) {
	if typ, ok := t.Header["typ"]; ok {
		if s, _ := typ.(string); !strings.EqualFold(s, "JWT") {
			return nil, fail(ReasonTyp, errors.New(`typ must be "JWT"`))
		}
	}
	if kid, _ := t.Header["kid"].(string); kid == "" {
		return nil, fail(ReasonKID, errors.New("kid is required"))
	}
	is := v.issuers[claims.Issuer]
	if is == nil {
		return nil, fail(ReasonIss, errors.New("iss is not a trusted issuer"))
	}
	if !slices.Contains(is.algs, t.Method.Alg()) {
		return nil, fail(ReasonAlg, fmt.Errorf("alg %s not allowed for this issuer", t.Method.Alg()))
	}
	return is, nil
}

// keyFor finds the verification key: the jku allowlist is checked before
// anything is fetched (S-7), then the pinned set, the jku's set or the
// jwksURL's set is searched for the kid, and the key must fit the alg.
func (v *Verifier) keyFor(ctx context.Context, is *issuer, t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	alg := t.Method.Alg()
	jku, hasJKU := t.Header["jku"]
	jkuURL, _ := jku.(string)
	if hasJKU && !slices.Contains(is.jkuAllow, jkuURL) {
		return nil, fail(ReasonJKU, errors.New("jku not on the issuer's allowlist"))
	}
	var (
		pk  publicKey
		err error
	)
	switch {
	case is.pinned != nil:
		var ok bool
		if pk, ok = is.pinned[kid]; !ok {
			return nil, fail(ReasonKID, errors.New("kid not in the issuer's pinned JWK Set"))
		}
	case hasJKU:
		pk, err = is.jku[jkuURL].lookup(ctx, v.fetcher, v.now(), v.log, kid)
	case is.jwksURL != nil:
		pk, err = is.jwksURL.lookup(ctx, v.fetcher, v.now(), v.log, kid)
	default:
		return nil, fail(ReasonJKU, errors.New("the issuer's keys come from jku and the token has none"))
	}
	if err != nil {
		return nil, err
	}
	if !pk.fitsAlg(alg) {
		return nil, fail(ReasonAlg, fmt.Errorf("alg %s does not fit the %s key", alg, pk.kty))
	}
	return pk.key, nil
}

// classify maps a jwt parser error to a Reason. An *Error from the key
// function wins. Among claim errors, which the parser joins, the jwt time
// checks (exp, nbf, iat) come before this package's own claim rules, so the
// reason does not depend on the join order.
func classify(t *jwt.Token, err error, methods []string) *Error {
	var e *Error
	claimsErr := errors.Is(err, jwt.ErrTokenInvalidClaims)
	if !claimsErr && errors.As(err, &e) {
		return &Error{Reason: e.Reason, Err: err}
	}
	if t != nil && t.Method != nil && !slices.Contains(methods, t.Method.Alg()) {
		return &Error{Reason: ReasonAlg, Err: err} // none, HS*, or an alg no issuer allows
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return &Error{Reason: ReasonMalformed, Err: err}
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return &Error{Reason: ReasonAlg, Err: err} // alg unspecified or unknown to the jwt package
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return &Error{Reason: ReasonSignature, Err: err}
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return &Error{Reason: ReasonExp, Err: err} // exp is the only claim the parser requires
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return &Error{Reason: ReasonNbf, Err: err}
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return &Error{Reason: ReasonIat, Err: err}
	case errors.As(err, &e):
		return &Error{Reason: e.Reason, Err: err}
	}
	return &Error{Reason: ReasonMalformed, Err: err}
}

// clip bounds attacker-chosen strings before they reach a log line.
func clip(s string) string {
	const n = 128
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
