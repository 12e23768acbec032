package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Defaults and bounds of the time settings (CONFORMANCE.md S-10: "allow ≤60 s
// clock skew … make the max exp - iat configurable (default ≤3600 s per BP)";
// Epic issues 15-minute tokens, so the default must not be shorter).
const (
	DefaultClockSkew   = 60 * time.Second
	DefaultMaxLifetime = time.Hour
	maxClockSkew       = 5 * time.Minute
	maxMaxLifetime     = 24 * time.Hour
	maxTrustFileSize   = 1 << 20
)

// Config is the trust file: the CDS clients this service trusts.
//
// JSON form (unknown members are rejected, so a typo in a security setting
// fails at start-up instead of being ignored):
//
//	{
//	  "clockSkew": "60s",     // optional; tolerance for exp, nbf and iat; default 60s, at most 5m
//	  "maxLifetime": "1h",    // optional; largest accepted exp - iat; default 1h, at most 24h
//	  "issuers": [ {…} ]      // see Issuer
//	}
type Config struct {
	// Issuers are the trusted CDS clients, one per iss value
	// (CDS Hooks 2.0 §Trusting CDS Clients; CONFORMANCE.md S-7).
	Issuers []Issuer `json:"issuers"`
	// ClockSkew is the leeway applied to exp, nbf and iat. Zero means
	// DefaultClockSkew (60 s).
	ClockSkew Duration `json:"clockSkew,omitempty"`
	// MaxLifetime is the longest accepted exp - iat. Zero means
	// DefaultMaxLifetime (1 h). It also bounds how long a jti is remembered.
	MaxLifetime Duration `json:"maxLifetime,omitempty"`
}

// Issuer is one trusted CDS client (an EHR, or the public sandbox in
// development). Exactly one key source is used per token, in this order:
// the pinned JWK Set (JWKSFile or JWKS) when present; otherwise the jku
// header's URL when the token carries one (it must be on JKUAllow);
// otherwise JWKSURL.
//
// JSON form:
//
//	{
//	  "issuer": "https://ehr.example.org/fhir",         // required; the exact iss claim
//	  "jwksFile": "keys/ehr-jwks.json",                  // pinned JWK Set, relative to the trust file
//	  "jwks": {"keys": [ … ]},                           // or the pinned JWK Set inline
//	  "jwksURL": "https://ehr.example.org/jwks.json",    // or a JWK Set fetched and cached
//	  "jkuAllow": ["https://ehr.example.org/jwks.json"], // jku header values accepted (exact match)
//	  "audiences": ["https://cds.example.org/x"],       // aud override; default: the endpoint URL
//	  "fhirServers": ["https://ehr.example.org"],        // fhirServer origins this issuer may name
//	  "algorithms": ["RS384"],                          // default ["ES384","RS384"]
//	  "development": false                               // allow http; never in production
//	}
type Issuer struct {
	// Issuer is the exact iss claim value (S-6, S-9 step 1).
	Issuer string `json:"issuer"`
	// JWKSFile is a JWK Set agreed out of band (S-8: "If the jku header field
	// is ommitted, the CDS Client and CDS Service SHALL communicate the JWK
	// Set out-of-band"). LoadFile resolves a relative path against the trust
	// file's directory; New reads it. Pinned keys are never refreshed.
	JWKSFile string `json:"jwksFile,omitempty"`
	// JWKS is a pinned JWK Set given inline. At most one of JWKSFile and JWKS.
	JWKS json.RawMessage `json:"jwks,omitempty"`
	// JWKSURL is a JWK Set fetched on first use, cached for its
	// Cache-Control max-age (1 h when absent) and refetched once on an
	// unknown kid (key rotation, S-8). It must be https unless Development.
	JWKSURL string `json:"jwksURL,omitempty"`
	// JKUAllow lists the jku header values accepted from this issuer, by
	// exact match, checked before anything is fetched (S-7: "maintaining an
	// allowlist of iss and jku urls"). A token carrying any other jku is
	// rejected. When the issuer has no pinned JWK Set, the keys are fetched
	// from the token's (allowed) jku. Entries must be https unless Development.
	JKUAllow []string `json:"jkuAllow,omitempty"`
	// Audiences replaces the expected aud for this issuer. Epic's aud is
	// "manually configured by the health system" (CONFORMANCE.md §3.4), so it
	// need not be the endpoint URL. Empty means aud must equal the public URL
	// of the endpoint called (S-6).
	Audiences []string `json:"audiences,omitempty"`
	// FHIRServers are the fhirServer origins (scheme://host[:port]) that this
	// issuer's calls may make the service contact. Empty means none.
	FHIRServers []string `json:"fhirServers,omitempty"`
	// Algorithms allowed for this issuer: ES384 and RS384 by default (S-5:
	// "both ES384 and RS384 are RECOMMENDED"); ES256, RS256 and PS384 may be
	// added. none and every HMAC alg are refused (S-5).
	Algorithms []string `json:"algorithms,omitempty"`
	// Development allows http JWKS URLs, jku values and FHIR servers for this
	// issuer. The service logs a warning at start-up when any issuer has it.
	Development bool `json:"development,omitempty"`
}

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("60s", "15m") or as a number of seconds.
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("trust: duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("trust: duration must be a string like \"60s\" or a number of seconds: %w", err)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// LoadFile reads and validates a trust file. Relative JWKSFile paths are
// resolved against the trust file's directory so the file can be moved with
// its keys.
func LoadFile(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("trust: open trust file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTrustFileSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("trust: read trust file: %w", err)
	}
	if len(b) > maxTrustFileSize {
		return Config{}, errors.New("trust: trust file larger than 1 MiB")
	}
	cfg, err := parseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("trust: %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	for i := range cfg.Issuers {
		if p := cfg.Issuers[i].JWKSFile; p != "" && !filepath.IsAbs(p) {
			cfg.Issuers[i].JWKSFile = filepath.Join(dir, p)
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("trust: %s: %w", path, err)
	}
	return cfg, nil
}

func parseConfig(b []byte) (Config, error) {
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("decode: %w", err)
	}
	if dec.More() {
		return Config{}, errors.New("decode: trailing data after the trust object")
	}
	return cfg, nil
}
