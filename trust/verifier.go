package trust

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

// Options are the run-time settings of a Verifier that do not come from the
// trust file.
type Options struct {
	// BaseURL is the service's public base URL (e.g. https://cds.example.org).
	// The expected aud is BaseURL + r.URL.Path, never derived from the Host
	// header, which a proxy or an attacker controls (CONFORMANCE.md S-6).
	// Required unless every issuer has an Audiences override.
	BaseURL string
	// Dev turns on the development profile: the public CDS Hooks sandbox
	// issuer is trusted with its embedded JWK Set, and calls without a JWT
	// are accepted from loopback addresses. Never in production: the
	// sandbox's private key is public.
	Dev bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Replay remembers jtis; a MemoryReplayCache when nil.
	Replay ReplayCache
	// HTTPClient fetches JWK Sets. It is copied; the copy gets a 3 s timeout
	// and refuses redirects, and bodies are cut at 1 MiB.
	HTTPClient *http.Client
	// Logger receives rejections and start-up warnings; slog.Default() when nil.
	Logger *slog.Logger
}

// Verifier authenticates CDS clients and checks the FHIR servers they name.
// It is safe for concurrent use.
type Verifier struct {
	issuers     map[string]*issuer
	noIssuers   bool // the trust file lists no issuer
	dev         bool
	baseURL     string
	skew        time.Duration
	maxLifetime time.Duration
	methods     []string // union of all issuers' algorithms
	now         func() time.Time
	replay      ReplayCache
	fetcher     fetcher
	log         *slog.Logger
}

// issuer is a validated Issuer with its key sources.
type issuer struct {
	name          string
	algs          []string
	jkuAllow      []string
	audiences     []string
	fhirOrigins   []string
	anyFHIRServer bool // the development sandbox issuer
	development   bool
	pinned        map[string]publicKey // nil when keys are fetched
	jwksURL       *remoteSet
	jku           map[string]*remoteSet // by allowed jku URL
}

// New builds a Verifier. It reads pinned JWK Set files now, so a bad key
// fails at start-up, and logs a loud warning when the development profile
// or a development issuer is in use.
func New(cfg Config, opts Options) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	v := &Verifier{
		issuers:     map[string]*issuer{},
		noIssuers:   len(cfg.Issuers) == 0,
		dev:         opts.Dev,
		baseURL:     strings.TrimRight(opts.BaseURL, "/"),
		skew:        time.Duration(cfg.ClockSkew),
		maxLifetime: time.Duration(cfg.MaxLifetime),
		now:         opts.Now,
		replay:      opts.Replay,
		fetcher:     newFetcher(opts.HTTPClient),
		log:         opts.Logger,
	}
	if v.skew == 0 {
		v.skew = DefaultClockSkew
	}
	if v.maxLifetime == 0 {
		v.maxLifetime = DefaultMaxLifetime
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.replay == nil {
		v.replay = NewMemoryReplayCache(v.now)
	}
	if v.log == nil {
		v.log = slog.Default()
	}
	issuers := slices.Clone(cfg.Issuers)
	if opts.Dev && !slices.ContainsFunc(issuers, func(is Issuer) bool { return is.Issuer == SandboxIssuer }) {
		issuers = append(issuers, sandboxIssuer())
	}
	needBase := false
	for _, c := range issuers {
		is, err := buildIssuer(c)
		if err != nil {
			return nil, fmt.Errorf("trust: issuer %q: %w", c.Issuer, err)
		}
		is.anyFHIRServer = opts.Dev && c.Issuer == SandboxIssuer && len(c.FHIRServers) == 0
		v.issuers[is.name] = is
		for _, a := range is.algs {
			if !slices.Contains(v.methods, a) {
				v.methods = append(v.methods, a)
			}
		}
		needBase = needBase || len(is.audiences) == 0
	}
	if needBase || v.baseURL != "" {
		u, err := absoluteURL(v.baseURL)
		if err != nil {
			return nil, fmt.Errorf("trust: BaseURL is needed to compute aud: %w", err)
		}
		if u.RawQuery != "" || u.ForceQuery {
			return nil, errors.New("trust: BaseURL must not have a query")
		}
	}
	v.warnAtStart()
	return v, nil
}

func buildIssuer(c Issuer) (*issuer, error) {
	is := &issuer{
		name:        c.Issuer,
		algs:        c.algorithms(),
		jkuAllow:    c.JKUAllow,
		audiences:   c.Audiences,
		development: c.Development,
		jku:         map[string]*remoteSet{},
	}
	for _, o := range c.FHIRServers {
		origin, err := configOrigin(o, c.Development)
		if err != nil {
			return nil, err
		}
		is.fhirOrigins = append(is.fhirOrigins, origin)
	}
	raw := []byte(c.JWKS)
	if c.JWKSFile != "" {
		b, err := readLimited(c.JWKSFile)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if len(raw) > 0 {
		keys, err := parseJWKS(raw)
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return nil, errors.New("the pinned JWK Set has no usable signing key")
		}
		is.pinned = keys
		return is, nil
	}
	if c.JWKSURL != "" {
		is.jwksURL = &remoteSet{url: c.JWKSURL}
	}
	for _, u := range c.JKUAllow {
		is.jku[u] = &remoteSet{url: u}
	}
	return is, nil
}

func readLimited(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read JWK Set file: %w", err)
	}
	if len(b) > maxJWKSSize {
		return nil, fmt.Errorf("JWK Set file %s larger than 1 MiB", path)
	}
	return b, nil
}

// warnAtStart says loudly when the service runs with relaxed trust, as the
// issue requires ("the service says loudly at start-up when it runs that
// way").
func (v *Verifier) warnAtStart() {
	if v.dev {
		v.log.Warn("trust: DEVELOPMENT PROFILE: tokens from the public CDS Hooks sandbox are trusted (its private key is published) and calls without a JWT are accepted from loopback; never use this in production",
			"sandboxIssuer", SandboxIssuer)
	}
	for _, is := range v.issuers {
		if is.development && is.name != SandboxIssuer {
			v.log.Warn("trust: DEVELOPMENT ISSUER: http key URLs and http FHIR servers are allowed for this issuer; never use this in production", "iss", is.name)
		}
	}
	if v.noIssuers && !v.dev {
		v.log.Warn("trust: no trusted issuer configured: only unauthenticated loopback calls are accepted")
	}
}
