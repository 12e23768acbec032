package prefetch

import (
	"errors"
	"net/url"
	"strings"
)

// server is a validated fhirServer base URL.
type server struct {
	base   string // without trailing slash
	path   string // base path, without trailing slash
	origin string
}

// parseServer validates fhirServer: an absolute http(s) URL without user
// info, query or fragment, so that appending "/<query>" is well defined.
// Whether http is acceptable is the Allow policy's call (R-1: https when
// production data is exchanged).
func parseServer(raw string) (server, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return server{}, errors.New("fhirServer is not an absolute http(s) URL")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return server{}, errors.New("fhirServer has user info, a query or a fragment")
	}
	base := strings.TrimRight(raw, "/")
	return server{base: base, path: strings.TrimRight(u.EscapedPath(), "/"), origin: originOf(u)}, nil
}

// originOf gives scheme://host:port with the default port made explicit, so
// that "https://ehr" and "https://ehr:443" compare equal (RFC 6454 §4).
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// sameOrigin resolves ref against the server base and reports whether it
// stays on the server's origin (P-3: next links are followed on fhirServer
// only, so a client cannot steer the token to another host).
func (s server) sameOrigin(ref string) (*url.URL, bool) {
	base, err := url.Parse(s.base + "/")
	if err != nil {
		return nil, false
	}
	u, err := base.Parse(ref)
	if err != nil || u.User != nil {
		return nil, false
	}
	return u, originOf(u) == s.origin
}
