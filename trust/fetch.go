package trust

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits on JWK Set fetches. A slow or huge answer from a key server must
// not stall or exhaust the service; a flood of unknown kids must not turn it
// into a request amplifier against the key server (best practices §JWT:
// "maintain their own rotating cache of public keys", CONFORMANCE.md S-8).
const (
	fetchTimeout       = 3 * time.Second
	maxJWKSSize        = 1 << 20
	defaultKeyTTL      = time.Hour
	minKeyTTL          = time.Minute
	maxKeyTTL          = 24 * time.Hour
	minRefetchInterval = 30 * time.Second
)

// fetcher downloads JWK Sets.
type fetcher struct {
	client *http.Client
}

// newFetcher copies the given client (nil means a fresh one) and tightens it:
// at most fetchTimeout and no redirects, since the URL was allowlisted by
// exact match and a redirect would leave the allowlist.
func newFetcher(c *http.Client) fetcher {
	var cl http.Client
	if c != nil {
		cl = *c
	}
	if cl.Timeout == 0 || cl.Timeout > fetchTimeout {
		cl.Timeout = fetchTimeout
	}
	cl.CheckRedirect = func(*http.Request, []*http.Request) error {
		return errors.New("trust: redirects are not followed when fetching a JWK Set")
	}
	return fetcher{client: &cl}
}

// fetch downloads and parses one JWK Set, and returns how long it may be
// cached.
func (f fetcher) fetch(ctx context.Context, url string) (map[string]publicKey, time.Duration, error) {
	// The fetch outlives a cancelled client request on purpose: a caller that
	// hangs up must not leave the cache empty for minRefetchInterval.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("JWK Set request: %w", err)
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("JWK Set fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("JWK Set fetch: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("JWK Set read: %w", err)
	}
	if len(b) > maxJWKSSize {
		return nil, 0, errors.New("JWK Set larger than 1 MiB")
	}
	keys, err := parseJWKS(b)
	if err != nil {
		return nil, 0, err
	}
	return keys, cacheTTL(resp.Header.Get("Cache-Control")), nil
}

// cacheTTL reads max-age from a Cache-Control header (RFC 9111 §5.2.2.1),
// clamped to [minKeyTTL, maxKeyTTL]; defaultKeyTTL when absent.
func cacheTTL(cc string) time.Duration {
	ttl := defaultKeyTTL
	for _, d := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			ttl = minKeyTTL
		case "max-age":
			if n, err := strconv.Atoi(strings.Trim(val, `"`)); err == nil && n >= 0 {
				ttl = time.Duration(n) * time.Second
			}
		}
	}
	return min(max(ttl, minKeyTTL), maxKeyTTL)
}

// remoteSet is the cached JWK Set of one URL (a jwksURL or an allowed jku).
// Its mutex is held during a fetch so that concurrent requests wait for one
// download instead of each starting their own.
type remoteSet struct {
	url string

	mu        sync.Mutex
	keys      map[string]publicKey
	expires   time.Time
	lastFetch time.Time
	fetched   bool // a fetch was attempted
	lastErr   error
}

// lookup returns the key with that kid, fetching the set when it was never
// fetched or has expired, and refetching once on an unknown kid when the
// last fetch is older than minRefetchInterval (key rotation, S-8).
func (s *remoteSet) lookup(ctx context.Context, f fetcher, now time.Time, log *slog.Logger, kid string) (publicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fetched || !now.Before(s.expires) {
		if s.mayFetch(now) {
			s.refresh(ctx, f, now, log)
		}
	}
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	if s.mayFetch(now) {
		s.refresh(ctx, f, now, log)
		if k, ok := s.keys[kid]; ok {
			return k, nil
		}
	}
	if s.keys == nil {
		return publicKey{}, fail(ReasonJWKS, s.lastErr)
	}
	return publicKey{}, fail(ReasonKID, errors.New("kid not in the issuer's JWK Set"))
}

func (s *remoteSet) mayFetch(now time.Time) bool {
	return !s.fetched || now.Sub(s.lastFetch) >= minRefetchInterval
}

// refresh fetches the set. On failure the previous keys stay in use (the
// failure is logged): a key server outage should not lock out every client.
func (s *remoteSet) refresh(ctx context.Context, f fetcher, now time.Time, log *slog.Logger) {
	s.fetched, s.lastFetch = true, now
	keys, ttl, err := f.fetch(ctx, s.url)
	if err != nil {
		s.lastErr = err
		log.Warn("trust: JWK Set fetch failed", "url", s.url, "err", err)
		return
	}
	s.keys, s.expires, s.lastErr = keys, now.Add(ttl), nil
}
