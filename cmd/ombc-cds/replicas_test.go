package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ombc-cds/fhirsearch"
	"ombc-cds/fixtures"
	"ombc-cds/store"
	"ombc-cds/trust/trusttest"
)

// TestReplayAcrossReplicas runs two service instances that share one
// PostgreSQL database, as replicas behind a load balancer do: a token
// accepted by the first is refused by the second (issue: the replay cache
// on shared storage).
func TestReplayAcrossReplicas(t *testing.T) {
	dsn := os.Getenv("OMBC_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("OMBC_TEST_POSTGRES_DSN not set: no PostgreSQL for the two-replica test (.ci/run sets it)")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("ombc_replicas_%d", time.Now().UnixNano())
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("OMBC_TEST_POSTGRES_DSN must be a URL here: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	// One key and trust file, one public base URL (replicas sit behind the
	// same name), two processes' worth of handlers and stores.
	dir := t.TempDir()
	key := trusttest.NewES384(t, "replica-key")
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), trusttest.JWKS(t, key), 0o600); err != nil {
		t.Fatal(err)
	}
	trustJSON := fmt.Sprintf(`{"issuers":[{"issuer":%q,"jwksFile":"jwks.json","algorithms":["ES384"]}]}`, testIssuer)
	if err := os.WriteFile(filepath.Join(dir, "trust.json"), []byte(trustJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	const base = "https://cds.example.org"
	now := func() time.Time { return evalNow }
	var handlers []http.Handler
	for i := range 2 {
		st, err := store.OpenPostgres(ctx, u.String(), store.WithClock(now))
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { st.Close() })
		ef := newEnvFlags("t", func(string) string { return "" }, io.Discard)
		cfg := serveFlags(ef)
		if err := ef.parse([]string{"--base-url", base, "--trust-file", filepath.Join(dir, "trust.json")}); err != nil {
			t.Fatal(err)
		}
		if err := cfg.check(); err != nil {
			t.Fatal(err)
		}
		a, err := newApp(cfg, appDeps{Logger: slog.New(slog.DiscardHandler), Store: st, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		handlers = append(handlers, a.Handler)
	}
	body, _ := fixtures.Request("ombc-hr-pos-her2-neg-new")
	token := key.Sign(t, nil, trusttest.Claims(testIssuer, base+hookPath, evalNow))
	call := func(h http.Handler) int {
		r := httptest.NewRequest(http.MethodPost, hookPath, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if got := call(handlers[0]); got != http.StatusOK {
		t.Fatalf("first replica: %d, want 200", got)
	}
	if got := call(handlers[1]); got != http.StatusUnauthorized {
		t.Fatalf("second replica accepted a replayed token: %d, want 401", got)
	}
}

// TestGracefulShutdown cancels the service while a hook call is in flight
// (waiting on a slow FHIR server): the call still completes with 200, then
// run returns.
func TestGracefulShutdown(t *testing.T) {
	body, _ := fixtures.Request("ombc-hr-pos-her2-neg-new")
	idx := fixtureIndex(t, body)
	slow := &fhirsearch.Server{Index: idx, Latency: 400 * time.Millisecond}
	started := make(chan struct{})
	var once sync.Once
	fhir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(started) }) // the hook call is now in flight
		slow.ServeHTTP(w, r)
	}))
	defer fhir.Close()

	dir := t.TempDir()
	env := map[string]string{"OMBC_DATA_DIR": filepath.Join(dir, "data")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, func(k string) string { return env[k] },
			nil, io.Discard, io.Discard, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		t.Fatalf("run returned early: %v", err)
	}
	// No trust file: an unauthenticated loopback caller may name a loopback
	// FHIR server without a token (development only).
	req := hookRequest(t, "fx-01", map[string]any{"fhirServer": fhir.URL})
	done := make(chan int, 1)
	go func() {
		resp, err := http.Post("http://"+addr+hookPath, "application/json", bytes.NewReader(req))
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	select {
	case <-started: // the call is waiting on the FHIR server
	case status := <-done:
		t.Fatalf("the hook call ended before reaching the FHIR server: status %d", status)
	}
	cancel()
	if status := <-done; status != http.StatusOK {
		t.Fatalf("in-flight call during shutdown: status %d, want 200", status)
	}
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
}
