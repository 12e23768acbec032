package trust_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ombc-cds/trust"
)

const (
	base         = "https://cds.example.org"
	servicePath  = "/cds-services/ombc-oligometastatic"
	feedbackPath = "/cds-services/ombc-oligometastatic/feedback"
	serviceURL   = base + servicePath
	feedbackURL  = base + feedbackPath
)

// start is the frozen "now" of most tests.
func start() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// discardLogger drops log output.
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// bufferLogger writes JSON log lines to a buffer.
func bufferLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&syncWriter{w: &buf}, nil)), &buf
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// protected is the tiny handler of the attack matrix: it writes ADVICE only
// when Authenticate succeeds, and the fixed 401 otherwise. The last
// Authenticate result is kept for assertions.
type protected struct {
	v       *trust.Verifier
	mu      sync.Mutex
	reached int
	claims  trust.Claims
	err     error
}

func (p *protected) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := p.v.Authenticate(r)
	p.mu.Lock()
	p.claims, p.err = c, err
	if err == nil {
		p.reached++
	}
	p.mu.Unlock()
	if err != nil {
		trust.WriteUnauthorized(w)
		return
	}
	_, _ = io.WriteString(w, "ADVICE")
}

// call sends one POST to path with the given Authorization value ("" for
// none) from remote, and returns the recorder.
func call(tb testing.TB, h http.Handler, path, authorization, remote string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(http.MethodPost, base+path, nil)
	if remote != "" {
		r.RemoteAddr = remote
	}
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// assertRefused checks a 401 with the fixed body and no advice.
func assertRefused(tb testing.TB, w *httptest.ResponseRecorder) {
	tb.Helper()
	if w.Code != http.StatusUnauthorized {
		tb.Errorf("status = %d, want 401", w.Code)
	}
	if got := w.Body.String(); got != trust.UnauthorizedBody {
		tb.Errorf("body = %q, want the fixed %q", got, trust.UnauthorizedBody)
	}
	if bytes.Contains(w.Body.Bytes(), []byte("ADVICE")) {
		tb.Errorf("advice leaked in a refused response")
	}
}

// assertAdvice checks the protected handler was reached.
func assertAdvice(tb testing.TB, w *httptest.ResponseRecorder) {
	tb.Helper()
	if w.Code != http.StatusOK || w.Body.String() != "ADVICE" {
		tb.Errorf("got %d %q, want 200 \"ADVICE\"", w.Code, w.Body.String())
	}
}

// counter counts requests per path at a test server.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[path]++
}

func (c *counter) get(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// hits counts every request a server receives.
type hits struct{ n atomic.Int64 }

func (h *hits) server(tb testing.TB, next http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.n.Add(1)
		next.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// repoRoot returns the directory holding go.mod.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}
