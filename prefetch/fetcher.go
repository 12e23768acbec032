package prefetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the zero values of Fetcher's limits.
const (
	defaultTimeout     = 2 * time.Second
	defaultMaxPages    = 20
	defaultMaxBytes    = 20 << 20
	defaultConcurrency = 6
	// maxMedicationReads bounds the extra reads for medicationReference
	// targets per key, so a hostile Bundle cannot fan out without limit.
	maxMedicationReads = 50
)

// Fetcher completes prefetch data from the CDS client's FHIR server. The
// zero value is usable; a Fetcher is safe for concurrent use.
type Fetcher struct {
	Client      *http.Client                  // the caller supplies it (the trust layer gives one that refuses cross-origin redirects)
	Timeout     time.Duration                 // per-request deadline for all FHIR fetching, default 2 s
	MaxPages    int                           // cap on pages followed per key, default 20
	MaxBytes    int64                         // cap on one response body, default 20 MiB
	Concurrency int                           // parallel FHIR requests, default 6
	Allow       func(fhirServer string) error // origin policy (allowlist/https), checked before any request; nil allows all
	Logger      *slog.Logger                  // logs key names, counts, status, latency; never the token or resources
}

// Input is one service call's prefetch situation.
type Input struct {
	Templates map[string]string // key -> template with {{context.patientId}} etc.
	// Context holds the token values: "context.patientId", "context.userId",
	// "context.encounterId", plus userPractitionerId etc. (see Tokens).
	Context     map[string]string
	Prefetch    map[string]json.RawMessage // what the client sent (may be nil)
	FHIRServer  string
	AccessToken string // may be "" (open FHIR server, development only: Allow decides)
}

// Report describes what Resolve fetched, for logs and metrics.
type Report struct {
	Fetched  []string // keys completed from the FHIR server, sorted
	Requests int      // HTTP requests made
	Pages    int      // search pages received
	Elapsed  time.Duration
}

// Resolve returns a value for every template key: the prefetched value when
// usable, else data fetched from FHIRServer. A returned value is a JSON
// searchset Bundle (all pages merged into one, no next link), a resource, or
// null when the client said "no data" (P-1 null) or the read returned 404.
// Keys the client sent that are not templates are ignored (P-4). Templates
// are filled only for the keys that must be fetched, so a token the context
// lacks (e.g. context.encounterId) is an error only when it is needed.
//
// Errors wrap ErrUnavailable (412), ErrTimeout (504) or ErrInvalid (400) and
// name the key and the reason, never the token or a URL (which holds the
// patient id).
func (f *Fetcher) Resolve(ctx context.Context, in Input) (map[string]json.RawMessage, Report, error) {
	start := time.Now()
	run := &run{f: f, token: in.AccessToken, log: f.logger()}
	out, err := run.resolve(ctx, in)
	rep := Report{
		Fetched:  run.fetched(),
		Requests: int(run.requests.Load()),
		Pages:    int(run.pages.Load()),
		Elapsed:  time.Since(start),
	}
	if err != nil {
		run.log.LogAttrs(ctx, slog.LevelWarn, "prefetch incomplete",
			slog.String("error", err.Error()), slog.Int("requests", rep.Requests), slog.Duration("elapsed", rep.Elapsed))
		return nil, rep, err
	}
	// A request answered from its own prefetch is the normal case and
	// already has its request log line; fetching from the EHR is worth one
	// of its own.
	level := slog.LevelDebug
	if rep.Requests > 0 {
		level = slog.LevelInfo
	}
	run.log.LogAttrs(ctx, level, "prefetch resolved",
		slog.Int("keys", len(out)), slog.Any("fetched", rep.Fetched), slog.Int("requests", rep.Requests),
		slog.Int("pages", rep.Pages), slog.Duration("elapsed", rep.Elapsed))
	return out, rep, nil
}

func (f *Fetcher) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// run is the state of one Resolve call.
type run struct {
	f        *Fetcher
	token    string
	log      *slog.Logger
	srv      server
	client   *http.Client
	sem      chan struct{}
	requests atomic.Int64
	pages    atomic.Int64

	mu         sync.Mutex
	fetchedSet map[string]bool
}

func (r *run) fetched() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var keys []string
	for k := range r.fetchedSet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (r *run) markFetched(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fetchedSet == nil {
		r.fetchedSet = map[string]bool{}
	}
	r.fetchedSet[key] = true
}

// job is the work for one key that needs the FHIR server.
type job struct {
	key   string
	kind  kind
	query string  // filled template (actFetch)
	next  string  // next link (actFetchRest)
	have  []entry // entries already received (actFetchRest)
}

func (r *run) resolve(ctx context.Context, in Input) (map[string]json.RawMessage, error) {
	keys := make([]string, 0, len(in.Templates))
	for k := range in.Templates {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	out := make(map[string]json.RawMessage, len(keys))
	var jobs []job
	for _, key := range keys {
		tmpl := in.Templates[key]
		k := templateKind(tmpl)
		raw, present := in.Prefetch[key]
		d, err := classify(key, k, raw, present)
		if err != nil {
			return nil, err
		}
		switch d.act {
		case actUse:
			out[key] = d.value
		case actFetch:
			query, err := fill(key, tmpl, in.Context)
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, job{key: key, kind: k, query: query})
		case actFetchRest:
			jobs = append(jobs, job{key: key, kind: k, next: d.next, have: d.entries})
		}
	}

	serverErr := r.openServer(in.FHIRServer)
	if len(jobs) > 0 && serverErr != nil {
		return nil, fmt.Errorf("%w: keys %v: %w", ErrUnavailable, jobKeys(jobs), serverErr)
	}
	if serverErr != nil {
		// Everything came with the request. Medication references stay as
		// sent; fhirmap reports the ones it cannot resolve.
		return out, nil
	}

	ctx, cancel := context.WithTimeout(ctx, r.f.timeout())
	defer cancel()
	ctx, abort := context.WithCancelCause(ctx)
	defer abort(nil)

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			abort(err)
		}
	}
	// Prefetched medication Bundles get the same medicationReference
	// resolution as fetched ones, since a template has no _include (D-8).
	// They are picked before any goroutine writes to out.
	prefetchedMeds := map[string]json.RawMessage{}
	for _, key := range keys {
		if v, ok := out[key]; ok && string(v) != "null" && isMedicationUse(templateKind(in.Templates[key])) {
			prefetchedMeds[key] = v
		}
	}
	for _, j := range jobs {
		wg.Go(func() {
			v, err := r.runJob(ctx, j)
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			out[j.key] = v
			mu.Unlock()
		})
	}
	for key, prefetched := range prefetchedMeds {
		wg.Go(func() {
			v, err := r.withMedications(ctx, key, prefetched)
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			out[key] = v
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// openServer validates fhirServer, applies the Allow policy (before any
// request, R-6 DERIVED) and prepares the client.
func (r *run) openServer(fhirServer string) error {
	if fhirServer == "" {
		return errors.New("no fhirServer in the request")
	}
	srv, err := parseServer(fhirServer)
	if err != nil {
		return err
	}
	if r.f.Allow != nil {
		if err := r.f.Allow(fhirServer); err != nil {
			return fmt.Errorf("fhirServer refused by policy: %w", err)
		}
	}
	r.srv = srv
	r.client = sameOriginClient(r.f.Client)
	n := r.f.Concurrency
	if n <= 0 {
		n = defaultConcurrency
	}
	r.sem = make(chan struct{}, n)
	return nil
}

func jobKeys(jobs []job) []string {
	keys := make([]string, len(jobs))
	for i, j := range jobs {
		keys[i] = j.key
	}
	return keys
}

func isMedicationUse(k kind) bool {
	if k.read {
		return false
	}
	switch k.typ {
	case "MedicationRequest", "MedicationStatement", "MedicationAdministration":
		return true
	}
	return false
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return defaultTimeout
}

func (f *Fetcher) maxPages() int {
	if f.MaxPages > 0 {
		return f.MaxPages
	}
	return defaultMaxPages
}

func (f *Fetcher) maxBytes() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return defaultMaxBytes
}

// sameOriginClient returns a copy of base (or of a zero client) that
// refuses every redirect leaving the original origin, so the bearer token
// never reaches another host even when the caller's client would follow
// (R-5, R-6 DERIVED). Go forwards Authorization to any port of the same host
// name, which is why the origin, port included, is compared.
func sameOriginClient(base *http.Client) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if originOf(req.URL) != originOf(via[0].URL) {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return c
}
