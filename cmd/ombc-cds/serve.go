package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"ombc-cds/cdshooks"
	"ombc-cds/fhirmap"
	"ombc-cds/logic"
	"ombc-cds/prefetch"
	"ombc-cds/store"
	"ombc-cds/trust"
)

// serviceID is the id of the patient-view service in discovery; EHR
// configuration keys on it, so it never changes.
const serviceID = "ombc-patient-view"

// runServe parses the serve flags and runs the service until ctx ends.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- string) error {
	ef := newEnvFlags("ombc-cds serve", getenv, stderr)
	cfg := serveFlags(ef)
	ef.fs.Usage = func() {
		fmt.Fprintf(ef.fs.Output(), "Usage: ombc-cds [serve] [flags]\n\nRuns the CDS Hooks service. Flags:\n")
		ef.fs.PrintDefaults()
	}
	if err := ef.parse(args); err != nil {
		return err
	}
	if ef.fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", ef.fs.Arg(0))}
	}
	if err := cfg.check(); err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel)

	st, err := store.Open(ctx, cfg.DataDir, cfg.DBDSN)
	if err != nil {
		return fmt.Errorf("open storage: %w", err)
	}
	defer st.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if cfg.baseURLDefaulted {
		// With --addr host:0 the port is known only now; JWT audiences
		// and links must name it.
		cfg.BaseURL = defaultBaseURL(ln.Addr().String())
	}
	a, err := newApp(cfg, appDeps{Logger: logger, Store: st, Now: time.Now})
	if err != nil {
		return err
	}
	go store.Janitor(ctx, st, time.Hour, cfg.Retention, time.Now, logger)

	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if cfg.DebugAddr != "" {
		stopDebug, err := serveDebug(cfg.DebugAddr, logger)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		// Graceful shutdown: stop accepting, let in-flight hooks finish.
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	logger.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL,
		"discovery", cfg.BaseURL+"/cds-services", "storage", storageKind(cfg))
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := <-done; err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// serveDebug serves Go's runtime profiles on a separate loopback listener,
// never on the service's own port, so profiling a live service under load
// (README "Speed") needs no rebuild and exposes nothing to EHRs.
func serveDebug(addr string, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("profiles", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

func storageKind(cfg *serveConfig) string {
	if cfg.DBDSN != "" {
		return "postgresql"
	}
	return "sqlite:" + cfg.DataDir
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// appDeps are the things a running service gets from outside.
type appDeps struct {
	Logger *slog.Logger
	Store  store.Store
	Now    func() time.Time
	// FHIRClient, when set, replaces the trust layer's client (tests talk to
	// an httptest TLS server).
	FHIRClient *http.Client
}

// app is the assembled service.
type app struct {
	Handler  http.Handler
	Verifier *trust.Verifier
	Metrics  *metrics
}

// newApp is the one place that joins cdshooks, trust, prefetch, fhirmap and
// logic; tests build the same handler with their own dependencies.
func newApp(cfg *serveConfig, d appDeps) (*app, error) {
	var tcfg trust.Config
	if cfg.TrustFile != "" {
		c, err := trust.LoadFile(cfg.TrustFile)
		if err != nil {
			return nil, fmt.Errorf("trust file: %w", err)
		}
		tcfg = c
	}
	verifier, err := trust.New(tcfg, trust.Options{
		BaseURL: cfg.BaseURL, Dev: cfg.Dev, Now: d.Now, Replay: d.Store, Logger: d.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	m := newMetrics()
	boardCodes, _ := parseCodes(cfg.TumorBoardCodes)
	mapOpts := fhirmap.DefaultOptions()
	mapOpts.TumorBoardCodes = append(mapOpts.TumorBoardCodes, boardCodes...)

	client := d.FHIRClient
	if client == nil {
		client = verifier.FHIRClient()
	}
	adv := &advisor{
		fetcher: prefetch.Fetcher{
			Client: client, Timeout: cfg.FHIRTimeout, MaxPages: cfg.FHIRMaxPages, Concurrency: cfg.FHIRParallel,
			Logger: d.Logger,
		},
		engine:    engine{mapOpts: mapOpts, rules: logic.Rules(), logicCfg: cfg.logicConfig()},
		verifier:  verifier,
		templates: fhirmap.Templates(),
		now:       d.Now,
		metrics:   m,
	}
	authenticate := func(r *http.Request) (cdshooks.Caller, error) {
		c, err := verifier.Authenticate(r)
		if err != nil {
			reason := "invalid"
			var te *trust.Error
			if errors.As(err, &te) && te.Reason != "" {
				reason = te.Reason
			}
			m.jwtFailures.WithLabelValues(reason).Inc()
			return cdshooks.Caller{}, err
		}
		return cdshooks.Caller{Issuer: c.Issuer, Subject: c.Subject, Tenant: c.Tenant, JTI: c.JTI}, nil
	}
	origins := cfg.corsOrigins()
	h, err := cdshooks.NewHandler(cdshooks.Options{
		Logger: d.Logger,
		Entries: []cdshooks.Entry{{
			Service: cdshooks.Service{
				Hook:  "patient-view",
				ID:    serviceID,
				Title: "Oligometastatic breast cancer: guideline-based next steps",
				Description: "For a patient with metastatic breast cancer, classifies the disease (oligometastatic, " +
					"polymetastatic, extent unknown) and suggests the guideline-backed next steps with their evidence: " +
					"tumour board, staging PET/CT, biopsy, receptor and biomarker testing, systemic therapy by biology, " +
					"bone-modifying agents, primary-tumour surgery and metastasis-directed therapy.",
				Prefetch: adv.templates,
				UsageRequirements: "Send the prefetch keys, or fhirServer with fhirAuthorization (patient/*.read scopes " +
					"for the resources in the templates) so missing data can be fetched; without them the service answers 412.",
			},
			Advise: adv.advise,
		}},
		Authenticate:          authenticate,
		AuthenticateDiscovery: cfg.DiscoveryAuth,
		Draft:                 fhirmap.Draft,
		Feedback:              d.Store,
		CORS:                  cdshooks.CORS{AllowedOrigins: origins, AllowLoopbackOrigins: cfg.Dev},
		MaxBodyBytes:          cfg.MaxBodyBytes,
		MaxInFlight:           cfg.MaxInFlight,
		Ready:                 d.Store.Ping,
		Now:                   d.Now,
		Extra:                 map[string]http.Handler{"/analytics": store.AnalyticsHandler(d.Store, d.Now)},
		Public:                map[string]http.Handler{"/metrics": m.handler()},
		Observe:               m.observe,
	})
	if err != nil {
		return nil, err
	}
	return &app{Handler: h, Verifier: verifier, Metrics: m}, nil
}

// advisor runs the hook's clinical path: complete the prefetch (from the
// EHR's FHIR server when needed), map FHIR to the patient model, run the rules.
type advisor struct {
	engine
	fetcher   prefetch.Fetcher
	verifier  *trust.Verifier
	templates map[string]string
	now       func() time.Time
	metrics   *metrics
}

func (a *advisor) advise(ctx context.Context, req *cdshooks.Request) ([]logic.Recommendation, error) {
	caller := cdshooks.CallerFrom(ctx)
	f := a.fetcher
	// The FHIR server must be one this caller may send us to (CDS Hooks 2.0
	// §Trusting CDS Clients; CONFORMANCE.md R-6): checked before any request.
	f.Allow = func(server string) error { return a.verifier.CheckFHIRServer(caller.Issuer, server) }
	in := prefetch.Input{
		Templates:  a.templates,
		Context:    prefetch.Tokens(req.Context),
		Prefetch:   req.Prefetch,
		FHIRServer: req.FHIRServer,
	}
	if req.FHIRAuthorization != nil {
		in.AccessToken = req.FHIRAuthorization.AccessToken
	}
	data, rep, err := f.Resolve(ctx, in)
	if rep.Requests > 0 {
		a.metrics.observeFallback(rep, err)
	}
	if err != nil {
		return nil, prefetchError(err)
	}
	p, err := a.patient(data)
	if err != nil {
		return nil, err
	}
	if id := req.PatientID(); p.ID != "" && id != "" && p.ID != id {
		// Advice about another patient than the one on screen would be
		// dangerous; refuse rather than guess which one is right.
		return nil, &cdshooks.Error{Status: http.StatusBadRequest, Code: "invalid",
			Message: "the prefetched Patient is not context.patientId"}
	}
	return logic.Evaluate(a.rules, p, a.now(), a.logicCfg), nil
}

// patient maps resolved prefetch data to the patient model, translating
// mapping errors to protocol statuses.
func (e *engine) patient(data map[string]json.RawMessage) (logic.Patient, error) {
	p, err := fhirmap.Patient(data, e.mapOpts)
	if err != nil {
		return logic.Patient{}, mapError(err)
	}
	return p, nil
}

// prefetchError translates the prefetch package's errors to protocol
// statuses: 412 when required data cannot be had (CDS Hooks 2.0 §Prefetch,
// CONFORMANCE.md P-2), 504 when the FHIR server was too slow, 400 for
// unusable prefetch values.
func prefetchError(err error) error {
	switch {
	case errors.Is(err, prefetch.ErrTimeout):
		return &cdshooks.Error{Status: http.StatusGatewayTimeout, Code: "timeout",
			Message: "the EHR's FHIR server did not answer in time; no advice was computed", Err: err}
	case errors.Is(err, prefetch.ErrInvalid):
		return &cdshooks.Error{Status: http.StatusBadRequest, Code: "invalid", Message: clean(err), Err: err}
	default:
		return &cdshooks.Error{Status: http.StatusPreconditionFailed, Code: "processing",
			Message: "required FHIR data is missing and could not be fetched: " + clean(err), Err: err}
	}
}

// mapError translates fhirmap's errors.
func mapError(err error) error {
	switch {
	case errors.Is(err, fhirmap.ErrNoPatient):
		return &cdshooks.Error{Status: http.StatusPreconditionFailed, Code: "processing",
			Message: "no Patient resource in the prefetch data", Err: err}
	case errors.Is(err, fhirmap.ErrInvalid):
		return &cdshooks.Error{Status: http.StatusBadRequest, Code: "invalid", Message: clean(err), Err: err}
	default:
		return err
	}
}

// clean keeps an error message to one line for an OperationOutcome.
func clean(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
