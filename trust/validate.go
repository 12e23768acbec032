package trust

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// allowedAlgorithms are the algs an issuer may enable. none and HMAC are
// absent on purpose: "JWTs SHALL NOT be signed using the none algorithm" and
// "all HMAC based algorithms … SHALL NOT be used" (CDS Hooks 2.0 §JWT Signing
// Algorithm, CONFORMANCE.md S-5).
func allowedAlgorithms() map[string]bool {
	return map[string]bool{"ES384": true, "RS384": true, "ES256": true, "RS256": true, "PS384": true}
}

// defaultAlgorithms are the two algs the spec RECOMMENDS (S-5).
func defaultAlgorithms() []string { return []string{"ES384", "RS384"} }

// Validate checks the configuration without reading any file or network.
func (c Config) Validate() error {
	if c.ClockSkew < 0 || time.Duration(c.ClockSkew) > maxClockSkew {
		return fmt.Errorf("clockSkew %s out of range (0 for the default, at most %s)", time.Duration(c.ClockSkew), maxClockSkew)
	}
	if c.MaxLifetime < 0 || time.Duration(c.MaxLifetime) > maxMaxLifetime {
		return fmt.Errorf("maxLifetime %s out of range (0 for the default, at most %s)", time.Duration(c.MaxLifetime), maxMaxLifetime)
	}
	seen := map[string]bool{}
	for i, is := range c.Issuers {
		if err := is.validate(); err != nil {
			return fmt.Errorf("issuers[%d] (%q): %w", i, is.Issuer, err)
		}
		if seen[is.Issuer] {
			return fmt.Errorf("issuers[%d]: issuer %q listed twice", i, is.Issuer)
		}
		seen[is.Issuer] = true
	}
	return nil
}

func (is Issuer) validate() error {
	if strings.TrimSpace(is.Issuer) == "" {
		return errors.New("issuer is required")
	}
	if is.JWKSFile != "" && len(is.JWKS) > 0 {
		return errors.New("give jwksFile or jwks, not both")
	}
	if is.JWKSFile == "" && len(is.JWKS) == 0 && is.JWKSURL == "" && len(is.JKUAllow) == 0 {
		return errors.New("no key source: give jwksFile, jwks, jwksURL or jkuAllow")
	}
	if is.JWKSURL != "" {
		if err := checkFetchURL(is.JWKSURL, is.Development); err != nil {
			return fmt.Errorf("jwksURL: %w", err)
		}
	}
	for _, u := range is.JKUAllow {
		if err := checkFetchURL(u, is.Development); err != nil {
			return fmt.Errorf("jkuAllow: %w", err)
		}
	}
	for _, a := range is.Audiences {
		if _, err := absoluteURL(a); err != nil {
			return fmt.Errorf("audiences: %w", err)
		}
	}
	for _, o := range is.FHIRServers {
		if _, err := configOrigin(o, is.Development); err != nil {
			return fmt.Errorf("fhirServers: %w", err)
		}
	}
	ok := allowedAlgorithms()
	for _, a := range is.Algorithms {
		if !ok[a] {
			return fmt.Errorf("algorithms: %q is not allowed (allowed: ES384, RS384, ES256, RS256, PS384)", a)
		}
	}
	return nil
}

func (is Issuer) algorithms() []string {
	if len(is.Algorithms) == 0 {
		return defaultAlgorithms()
	}
	return is.Algorithms
}

// absoluteURL parses an absolute http(s) URL without user info or fragment.
func absoluteURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%q: scheme must be https or http", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%q: no host", s)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q: user info is not allowed", s)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%q: fragment is not allowed", s)
	}
	return u, nil
}

// checkFetchURL accepts a URL the service may fetch keys from: https, or
// http only for a development issuer (S-1).
func checkFetchURL(s string, development bool) error {
	u, err := absoluteURL(s)
	if err != nil {
		return err
	}
	if u.Scheme != "https" && !development {
		return fmt.Errorf("%q: https is required unless the issuer is marked development", s)
	}
	return nil
}

// configOrigin parses a configured FHIR server origin. It must be
// scheme://host[:port] with nothing after it but an optional "/".
func configOrigin(s string, development bool) (string, error) {
	u, err := absoluteURL(s)
	if err != nil {
		return "", err
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery {
		return "", fmt.Errorf("%q: an origin is scheme://host[:port] with no path or query", s)
	}
	if u.Scheme != "https" && !development {
		return "", fmt.Errorf("%q: https is required unless the issuer is marked development", s)
	}
	return originOf(u), nil
}

// originOf returns the RFC 6454 origin of u in a canonical form: lower-case
// scheme and host, default port dropped, IPv6 in brackets.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port == "" {
		if strings.Contains(host, ":") {
			return scheme + "://[" + host + "]"
		}
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
