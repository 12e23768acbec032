package cdshooks

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// CORS configures Cross-Origin Resource Sharing for browser clients such as
// the CDS Hooks sandbox (CDS Hooks 2.0 §Cross-Origin Resource Sharing,
// CONFORMANCE.md S-11). Origins are matched exactly ("https://ehr.example");
// "*" is refused because cards are patient-specific.
type CORS struct {
	AllowedOrigins []string
	// AllowLoopbackOrigins allows any http or https origin on localhost,
	// 127.0.0.0/8 or [::1], on any port (the development profile).
	AllowLoopbackOrigins bool
}

// corsMaxAge is how long a browser may cache a preflight answer, in seconds.
const corsMaxAge = "600"

// corsPolicy is the validated form of CORS.
type corsPolicy struct {
	origins  map[string]bool
	loopback bool
}

func newCORSPolicy(c CORS) (corsPolicy, error) {
	p := corsPolicy{origins: make(map[string]bool, len(c.AllowedOrigins)), loopback: c.AllowLoopbackOrigins}
	for _, o := range c.AllowedOrigins {
		n, ok := normalOrigin(o)
		if !ok {
			return corsPolicy{}, fmt.Errorf("cors: %q is not an origin (scheme://host[:port]); wildcards are not allowed", o)
		}
		p.origins[n] = true
	}
	return p, nil
}

// normalOrigin lowercases an http(s) origin and drops a trailing slash.
func normalOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(o), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Contains(u.Host, "*") {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// allowed reports whether the browser origin may read responses.
func (p corsPolicy) allowed(origin string) bool {
	n, ok := normalOrigin(origin)
	if !ok {
		return false
	}
	if p.origins[n] {
		return true
	}
	return p.loopback && isLoopbackOrigin(n)
}

func isLoopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// withCORS adds Access-Control-Allow-Origin to every answer for an allowed
// origin, and Vary: Origin always, so shared caches keep answers apart.
func (p corsPolicy) withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		if origin := r.Header.Get("Origin"); origin != "" && p.allowed(origin) {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		next.ServeHTTP(w, r)
	})
}

// preflight answers OPTIONS on the CDS paths. The sandbox's calls carry
// Authorization and Content-Type: application/json, which are not
// CORS-safelisted, so browsers preflight every discovery, service and
// feedback call. A disallowed origin gets 204 without CORS headers, which
// the browser treats as a refusal.
func (p corsPolicy) preflight() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Allow", "GET, POST, OPTIONS")
		if h.Get("Access-Control-Allow-Origin") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", corsMaxAge)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
