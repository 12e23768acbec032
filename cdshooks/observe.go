package cdshooks

import (
	"context"
	"time"
)

// Observation describes one finished request, for metrics (Options.Observe).
// Route is the route template ("/cds-services/{id}"), or "" when no route
// matched; ServiceID is set only for a known service, so both have bounded
// cardinality.
type Observation struct {
	Route     string
	ServiceID string
	Status    int
	Latency   time.Duration
	RuleCodes []string
}

// requestInfo collects what the handlers learn about a request so that the
// logging middleware can write one line per request. It lives in the request
// context and is written only by the goroutine serving the request.
type requestInfo struct {
	route        string
	serviceID    string
	hookInstance string
	issuer       string
	ruleCodes    []string
	unknownCards int
	err          error
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// maxLoggedHookInstance bounds the client-chosen correlation id in logs.
const maxLoggedHookInstance = 64

func (i *requestInfo) setHookInstance(s string) {
	if len(s) > maxLoggedHookInstance {
		s = s[:maxLoggedHookInstance]
	}
	i.hookInstance = s
}
