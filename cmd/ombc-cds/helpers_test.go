package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ombc-cds/internal/sharedtest"
	"ombc-cds/store"
	"ombc-cds/trust/trusttest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/ and the README configuration table")

// evalNow is the evaluation date the fixtures' expectations assume
// (fixtures/README.md).
var evalNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const testIssuer = "https://ehr.test.invalid"

// testService is a running service behind httptest with the real handler,
// real storage (SQLite in a temporary directory) and a trust file naming a
// key the test signs with.
type testService struct {
	t     testing.TB
	srv   *httptest.Server
	key   *trusttest.Key
	store store.Store
	app   *app
	logs  *bytes.Buffer
	base  string
}

type serviceOptions struct {
	now         time.Time
	fhirServers []string // origins the test issuer may send us to
	fhirClient  *http.Client
	extraArgs   []string
	alg         string // client JWT algorithm: ES384 (default) or RS384
}

// newTestService starts the service for a test. The service's base URL is
// the httptest server's URL, so JWT audiences match.
func newTestService(t testing.TB, o serviceOptions) *testService {
	t.Helper()
	if o.now.IsZero() {
		o.now = evalNow
	}
	dir := t.TempDir()
	key := trusttest.NewES384(t, "test-key-1")
	if o.alg == "RS384" {
		key = trusttest.NewRS384(t, "test-key-1")
	}
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), trusttest.JWKS(t, key), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer := map[string]any{"issuer": testIssuer, "jwksFile": "jwks.json", "algorithms": []string{key.Alg}}
	if len(o.fhirServers) > 0 {
		issuer["fhirServers"] = o.fhirServers
		issuer["development"] = true // loopback test FHIR servers speak http
	}
	trustJSON, _ := json.Marshal(map[string]any{"issuers": []any{issuer}})
	if err := os.WriteFile(filepath.Join(dir, "trust.json"), trustJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "data"), store.WithClock(func() time.Time { return o.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	// The base URL must be known before the handler is built (audiences),
	// so start an unstarted server and read its address.
	ts := &testService{t: t, key: key, store: st, logs: &bytes.Buffer{}}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	ef := newEnvFlags("test", func(string) string { return "" }, io.Discard)
	cfg := serveFlags(ef)
	args := append([]string{"--base-url", base, "--trust-file", filepath.Join(dir, "trust.json")}, o.extraArgs...)
	if err := ef.parse(args); err != nil {
		t.Fatal(err)
	}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	now := o.now
	a, err := newApp(cfg, appDeps{
		Logger:     slog.New(slog.NewJSONHandler(ts.logs, nil)),
		Store:      st,
		Now:        func() time.Time { return now },
		FHIRClient: o.fhirClient,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = a.Handler
	hs.Start()
	t.Cleanup(hs.Close)
	ts.srv, ts.app, ts.base = hs, a, base
	return ts
}

// token signs a client JWT for path on this service.
func (s *testService) token(path string) string {
	s.t.Helper()
	claims := trusttest.Claims(testIssuer, s.base+path, evalNow)
	return s.key.Sign(s.t, nil, claims)
}

// post sends body to path with a fresh JWT and returns status and body.
func (s *testService) post(path string, body []byte) (int, []byte) {
	s.t.Helper()
	return s.do(http.MethodPost, path, body, "Bearer "+s.token(path))
}

func (s *testService) do(method, path string, body []byte, authorization string) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// cardResponse is the part of a hook response the tests read.
type cardResponse struct {
	Cards []struct {
		UUID    string `json:"uuid"`
		Summary string `json:"summary"`
		Detail  string `json:"detail"`
		Source  struct {
			Topic struct {
				Code string `json:"code"`
			} `json:"topic"`
		} `json:"source"`
	} `json:"cards"`
}

func ruleCodes(t testing.TB, body []byte) []string {
	t.Helper()
	var r cardResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	codes := []string{}
	for _, c := range r.Cards {
		codes = append(codes, c.Source.Topic.Code)
	}
	return codes
}

// sharedDir returns ../shared/sub beside the repository, or skips.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	return sharedtest.Dir(t, sub)
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ombc-cds -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended)\n--- got\n%s", path, got)
	}
}

func indent(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}
