package cdshooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
)

// Route templates, as logged and observed.
const (
	routeDiscovery = "/cds-services"
	routeService   = "/cds-services/{id}"
	routeFeedback  = "/cds-services/{id}/feedback"
	routeHealthz   = "/healthz"
	routeReadyz    = "/readyz"
)

// server holds the validated configuration the handlers share. It is never
// mutated after NewHandler returns.
type server struct {
	logger    *slog.Logger
	services  map[string][]Entry // by service id, one entry per hook
	discovery []Service
	auth      Authenticator
	draft     DraftFunc
	feedback  FeedbackStore
	maxBody   int64
	ready     func(ctx context.Context) error
	now       func() time.Time
}

// NewHandler returns the HTTP surface of the service:
//
//	GET  /cds-services                discovery (authenticated when AuthenticateDiscovery)
//	POST /cds-services/{id}           service call (authenticated)
//	POST /cds-services/{id}/feedback  feedback (authenticated; when Feedback is set)
//	OPTIONS on the three paths above  CORS preflight (never authenticated)
//	GET  /healthz, /readyz            liveness and readiness (never authenticated)
//	GET  Extra paths (authenticated), Public paths (not authenticated)
//
// Every non-2xx body is an OperationOutcome, including mux's 404 and 405.
// It checks the entries (required fields, unique id per hook, prefetch
// templates through LintTemplates) and the CORS origins.
func NewHandler(opts Options) (http.Handler, error) {
	s, err := newServer(opts)
	if err != nil {
		return nil, err
	}
	cors, err := newCORSPolicy(opts.CORS)
	if err != nil {
		return nil, err
	}
	r := mux.NewRouter()
	if err := s.addRoutes(r, opts, cors); err != nil {
		return nil, err
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, &Error{Status: http.StatusNotFound, Code: "not-found", Message: "no such endpoint"})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, &Error{Status: http.StatusMethodNotAllowed, Code: "not-supported",
			Message: fmt.Sprintf("method %s is not allowed on this endpoint", r.Method)})
	})
	// Logging is outermost so that it sees every answer, including 404/405
	// from the router and 503 from the in-flight limit.
	return logRequests(s.logger, s.now, opts.Observe, secureHeaders(cors.withCORS(r))), nil
}

func (s *server) addRoutes(r *mux.Router, opts Options, cors corsPolicy) error {
	limit := func(h http.Handler) http.Handler { return limitInFlight(opts.MaxInFlight, h) }
	auth := func(h http.Handler) http.Handler { return authenticate(s.auth, h) }

	discovery := s.handleDiscovery()
	if opts.AuthenticateDiscovery {
		discovery = auth(discovery)
	}
	r.Handle(routeDiscovery, route(routeDiscovery, limit(discovery))).Methods(http.MethodGet)
	r.Handle(routeService, route(routeService, limit(auth(s.handleCall())))).Methods(http.MethodPost)
	preflighted := []string{routeDiscovery, routeService}
	if s.feedback != nil {
		r.Handle(routeFeedback, route(routeFeedback, limit(auth(s.handleFeedback())))).Methods(http.MethodPost)
		preflighted = append(preflighted, routeFeedback)
	}
	for _, p := range preflighted {
		r.Handle(p, route(p, cors.preflight())).Methods(http.MethodOptions)
	}
	r.Handle(routeHealthz, route(routeHealthz, handleHealthz())).Methods(http.MethodGet)
	r.Handle(routeReadyz, route(routeReadyz, s.handleReadyz())).Methods(http.MethodGet)

	taken := map[string]bool{routeDiscovery: true, routeHealthz: true, routeReadyz: true}
	for _, group := range []struct {
		routes map[string]http.Handler
		wrap   func(http.Handler) http.Handler
	}{
		{opts.Extra, func(h http.Handler) http.Handler { return limit(auth(h)) }},
		{opts.Public, func(h http.Handler) http.Handler { return h }},
	} {
		for p, h := range group.routes {
			if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, routeDiscovery+"/") || taken[p] || h == nil {
				return fmt.Errorf("cdshooks: extra route %q is invalid or taken", p)
			}
			taken[p] = true
			r.Handle(p, route(p, group.wrap(h))).Methods(http.MethodGet)
		}
	}
	return nil
}

func newServer(opts Options) (*server, error) {
	if opts.Authenticate == nil {
		return nil, errors.New("cdshooks: Options.Authenticate is required")
	}
	s := &server{
		logger:    opts.Logger,
		services:  make(map[string][]Entry),
		discovery: make([]Service, 0, len(opts.Entries)),
		auth:      opts.Authenticate,
		draft:     opts.Draft,
		feedback:  opts.Feedback,
		maxBody:   opts.MaxBodyBytes,
		now:       opts.Now,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.ready = opts.Ready
	for i, e := range opts.Entries {
		if err := checkEntry(e); err != nil {
			return nil, fmt.Errorf("cdshooks: entry %d: %w", i, err)
		}
		for _, other := range s.services[e.Service.ID] {
			if other.Service.Hook == e.Service.Hook {
				return nil, fmt.Errorf("cdshooks: service id %q is listed twice for hook %q", e.Service.ID, e.Service.Hook)
			}
		}
		s.services[e.Service.ID] = append(s.services[e.Service.ID], e)
		s.discovery = append(s.discovery, cloneService(e.Service))
	}
	return s, nil
}

// checkEntry enforces the REQUIRED discovery attributes (CDS Hooks 2.0
// §Discovery Response, CONFORMANCE.md D-3) and the prefetch rules (D-7, D-8).
func checkEntry(e Entry) error {
	svc := e.Service
	switch {
	case e.Advise == nil:
		return errors.New("an Advise function is required")
	case svc.Hook == "" || svc.Description == "" || svc.ID == "":
		return errors.New("service hook, description and id are required")
	case strings.ContainsAny(svc.ID, "/?#%") || svc.ID != strings.TrimSpace(svc.ID):
		return fmt.Errorf("service id %q must be a single URL path segment", svc.ID)
	}
	if err := LintTemplates(svc.Prefetch); err != nil {
		return fmt.Errorf("service %q: %w", svc.ID, err)
	}
	return nil
}

// cloneService copies the prefetch map so the discovery answer cannot change
// if the caller later mutates its Options.
func cloneService(svc Service) Service {
	if svc.Prefetch != nil {
		svc.Prefetch = maps.Clone(svc.Prefetch)
	}
	return svc
}
