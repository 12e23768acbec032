package trust

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// ErrFHIRServerNotAllowed is wrapped by every CheckFHIRServer refusal.
var ErrFHIRServerNotAllowed = errors.New("trust: fhirServer not allowed")

// FHIR client limits. The CDS Hooks budget is short ("SHOULD respond quickly
// (on the order of 500 ms.)", CONFORMANCE.md §3.4); callers set tighter
// per-call deadlines through the request context, these are a backstop.
const (
	fhirClientTimeout = 10 * time.Second
	maxFHIRRedirects  = 3
)

// CheckFHIRServer decides whether a call authenticated as iss may make the
// service contact fhirServer. The origin (scheme://host[:port]) must be on
// that issuer's FHIRServers list and must be https unless the issuer is
// marked development (CDS Hooks 2.0: fhirServer MUST be https when production
// data is exchanged; S-1). iss "" is an unauthenticated loopback call: it is
// allowed only in the development profile (any http(s) server) or when no
// issuer is configured (loopback FHIR servers only). The development
// sandbox issuer may name any http(s) server.
//
// It never contacts the server; it only parses the URL.
func (v *Verifier) CheckFHIRServer(iss string, fhirServer string) error {
	u, err := absoluteURL(fhirServer)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFHIRServerNotAllowed, err)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("%w: %q has a query", ErrFHIRServerNotAllowed, fhirServer)
	}
	origin := originOf(u)
	if iss == "" {
		switch {
		case v.dev:
			return nil
		case v.noIssuers && isLoopbackHost(u.Hostname()):
			return nil
		case v.noIssuers:
			return fmt.Errorf("%w: unauthenticated calls may only name a loopback FHIR server, not %s", ErrFHIRServerNotAllowed, origin)
		default:
			return fmt.Errorf("%w: unauthenticated call", ErrFHIRServerNotAllowed)
		}
	}
	is := v.issuers[iss]
	if is == nil {
		return fmt.Errorf("%w: unknown issuer", ErrFHIRServerNotAllowed)
	}
	if u.Scheme != "https" && !is.development {
		return fmt.Errorf("%w: %s is not https", ErrFHIRServerNotAllowed, origin)
	}
	if is.anyFHIRServer || slices.Contains(is.fhirOrigins, origin) {
		return nil
	}
	return fmt.Errorf("%w: %s is not on the issuer's fhirServers list", ErrFHIRServerNotAllowed, origin)
}

// isLoopbackHost accepts "localhost" and loopback IP literals.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// FHIRClient returns a new HTTP client for FHIR server calls: bounded
// timeouts, and redirects followed only within the origin first requested,
// so an allowlisted server cannot bounce the service (and the access token,
// which the caller sets per request and never logs) to another host.
func (v *Verifier) FHIRClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 3 * time.Second
	tr.ResponseHeaderTimeout = 5 * time.Second
	tr.MaxResponseHeaderBytes = 64 << 10
	return &http.Client{
		Transport:     tr,
		Timeout:       fhirClientTimeout,
		CheckRedirect: sameOriginRedirects,
	}
}

// sameOriginRedirects refuses a redirect to any origin other than the first
// request's (which CheckFHIRServer approved).
func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxFHIRRedirects {
		return fmt.Errorf("%w: too many redirects", ErrFHIRServerNotAllowed)
	}
	if originOf(req.URL) != originOf(via[0].URL) {
		return fmt.Errorf("%w: redirect to another origin %s", ErrFHIRServerNotAllowed, originOf(req.URL))
	}
	return nil
}
