package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/build"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ombc-cds/fixtures"
	"ombc-cds/trust/trusttest"
)

// TestRun starts the real binary's run on a loopback port with the embedded
// default storage, checks health and a hook call, then cancels and expects
// a clean, graceful return.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"OMBC_DATA_DIR": filepath.Join(dir, "data")}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, func(k string) string { return env[k] },
			nil, io.Discard, &lockedWriter{w: &stderr}, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		t.Fatalf("run returned early: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the service did not start")
	}
	base := "http://" + addr
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %d", resp.StatusCode)
	}
	body, _ := fixtures.Request("ombc-hr-pos-her2-neg-new")
	// Without a trust file, an unauthenticated call from loopback is served.
	resp, err = http.Post(base+hookPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"cards":[{`) {
		t.Errorf("hook: %d %s", resp.StatusCode, b)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "ombc-cds.db")); err != nil {
		t.Errorf("the embedded database was not created: %v", err)
	}
}

// TestCommandLine checks the surface operators and scripts rely on: --help
// documents every flag with its environment twin, bad flags are usage
// errors, environment variables set defaults.
func TestCommandLine(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantErr  error
		wantCode int
		wantOut  []string
	}{
		{"serve help", []string{"serve", "--help"}, nil, flag.ErrHelp, 0, []string{"-addr", "OMBC_ADDR", "-base-url", "OMBC_BASE_URL", "-dev", "OMBC_DEV", "-trust-file", "-data-dir", "-db-dsn"}},
		{"default command help", []string{"--help"}, nil, nil, 0, []string{"ombc-cds eval", "ombc-cds report"}},
		{"eval help", []string{"eval", "--help"}, nil, flag.ErrHelp, 0, []string{"-now", "-json", "OMBC_EVAL_NOW"}},
		{"report help", []string{"report", "--help"}, nil, flag.ErrHelp, 0, []string{"-json", "-data-dir", "-db-dsn"}},
		{"unknown flag", []string{"--no-such-flag"}, nil, nil, 2, nil},
		{"bad env value", []string{"serve"}, map[string]string{"OMBC_MAX_IN_FLIGHT": "many"}, nil, 2, nil},
		{"bad base url", []string{"--base-url", "not a url"}, nil, nil, 2, nil},
		{"eval without files", []string{"eval"}, nil, nil, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, nil, &out, &errOut, nil)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d (err %v)", code, tt.wantCode, err)
			}
			all := out.String() + errOut.String()
			for _, w := range tt.wantOut {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestEnvironmentTwins checks that an environment variable sets a flag's
// default and the flag overrides it.
func TestEnvironmentTwins(t *testing.T) {
	env := map[string]string{"OMBC_ADDR": "127.0.0.1:9999", "OMBC_FHIR_TIMEOUT": "3s", "OMBC_PET_WINDOW": "30d"}
	ef := newEnvFlags("t", func(k string) string { return env[k] }, io.Discard)
	c := serveFlags(ef)
	if err := ef.parse([]string{"--addr", "127.0.0.1:7777"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7777" || c.FHIRTimeout != 3*time.Second || c.PETWindow != 30*24*time.Hour {
		t.Errorf("got addr %s timeout %s pet %s", c.Addr, c.FHIRTimeout, c.PETWindow)
	}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://127.0.0.1:7777" {
		t.Errorf("default base URL %s", c.BaseURL)
	}
}

// TestREADMEConfigTable keeps the README's configuration table equal to the
// flags (-update rewrites the table between its markers).
func TestREADMEConfigTable(t *testing.T) {
	ef := newEnvFlags("t", func(string) string { return "" }, io.Discard)
	serveFlags(ef)
	var table bytes.Buffer
	writeFlagTable(&table, ef.specs)
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- config-table:begin -->\n", "<!-- config-table:end -->"
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", begin, end)
	}
	got := readme[i+len(begin) : j]
	if bytes.Equal(got, table.Bytes()) {
		return
	}
	if *update {
		out := append(append(append([]byte{}, readme[:i+len(begin)]...), table.Bytes()...), readme[j:]...)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md configuration table is out of date (go test ./cmd/ombc-cds -run TestREADMEConfigTable -update):\n%s", table.String())
}

// TestImportRules keeps the dependency direction of DESIGN.md §2.1: logic
// knows nothing of FHIR, JSON or HTTP; fhirmap knows nothing of the
// protocol; cdshooks knows nothing of FHIR models; fixtures are test-only.
func TestImportRules(t *testing.T) {
	// jsonscan is the one shared scanner below prefetch, fhirsearch and
	// cdshooks; it is the only ombc-cds package prefetch and fhirsearch may
	// import.
	const jsonscan = "ombc-cds/internal/jsonscan"
	rules := []struct {
		dir   string
		deny  []string // exact paths, or prefixes ending in "/"
		allow []string // exact paths exempt from deny
	}{
		{"../../logic", []string{"ombc-cds/", "github.com/", "modernc.org/", "net/http", "encoding/json", "os"}, nil},
		{"../../fhirmap", []string{"ombc-cds/cdshooks", "ombc-cds/prefetch", "ombc-cds/trust", "ombc-cds/store", "ombc-cds/fixtures", "net/http", "github.com/gorilla/", "github.com/golang-jwt/"}, nil},
		{"../../cdshooks", []string{"ombc-cds/fhirmap", "ombc-cds/prefetch", "ombc-cds/trust", "ombc-cds/store", "ombc-cds/fixtures", "github.com/samply/"}, nil},
		{"../../prefetch", []string{"ombc-cds/", "github.com/"}, []string{jsonscan}},
		{"../../fhirsearch", []string{"ombc-cds/", "github.com/"}, []string{jsonscan}},
		{"../../trust", []string{"ombc-cds/", "github.com/samply/", "github.com/gorilla/"}, nil},
		{"../../store", []string{"ombc-cds/fhirmap", "ombc-cds/logic", "ombc-cds/fixtures", "github.com/samply/"}, nil},
		{".", []string{"ombc-cds/fixtures", "ombc-cds/trust/trusttest"}, nil},
	}
	for _, r := range rules {
		pkg, err := build.ImportDir(r.dir, 0) // non-test imports only
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if slices.Contains(r.allow, imp) {
				continue
			}
			for _, d := range r.deny {
				if imp == d || strings.HasSuffix(d, "/") && strings.HasPrefix(imp, d) {
					t.Errorf("%s imports %s; denied by %q", r.dir, imp, d)
				}
			}
		}
	}
}

// TestAttackMatrixEndToEnd runs the main attacks of the trust issue against
// the assembled service: each answers 401 with an OperationOutcome and no
// card; a valid token works once and its replay is refused.
func TestAttackMatrixEndToEnd(t *testing.T) {
	svc := newTestService(t, serviceOptions{})
	body, _ := fixtures.Request("ombc-hr-pos-her2-neg-new")
	aud := svc.base + hookPath
	other := trusttest.NewES384(t, "test-key-1") // same kid, another key
	claims := func() map[string]any { return trusttest.Claims(testIssuer, aud, evalNow) }
	valid := svc.key.Sign(t, nil, claims())
	tests := []struct {
		name, authorization string
	}{
		{"missing header", ""},
		{"wrong scheme", "Basic " + valid},
		{"garbage token", "Bearer not.a.jwt"},
		{"alg none", "Bearer " + trusttest.None(t, map[string]any{"kid": "test-key-1"}, claims())},
		{"HS256 with the public key bytes", "Bearer " + svc.key.HS256WithPublicKey(t, claims())},
		{"signed by another key", "Bearer " + other.Sign(t, nil, claims())},
		{"wrong audience", "Bearer " + svc.key.Sign(t, nil, trusttest.Claims(testIssuer, svc.base+"/cds-services/other", evalNow))},
		{"unknown issuer", "Bearer " + svc.key.Sign(t, nil, trusttest.Claims("https://evil.invalid", aud, evalNow))},
		{"expired", "Bearer " + svc.key.Sign(t, nil, trusttest.Claims(testIssuer, aud, evalNow.Add(-2*time.Hour)))},
		{"tampered payload", "Bearer " + trusttest.TamperPayload(t, valid, map[string]any{"iss": testIssuer, "aud": aud, "sub": "x"})},
		{"tampered signature", "Bearer " + trusttest.TamperSignature(t, valid)},
	}
	// Loopback without a JWT is refused here because a trust file is configured.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp := svc.do(http.MethodPost, hookPath, body, tt.authorization)
			if status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", status, resp)
			}
			if strings.Contains(string(resp), "cards") || !strings.Contains(string(resp), "OperationOutcome") {
				t.Errorf("401 body leaks advice or is not an OperationOutcome: %s", resp)
			}
		})
	}
	t.Run("valid token, then its replay", func(t *testing.T) {
		status, resp := svc.do(http.MethodPost, hookPath, body, "Bearer "+valid)
		if status != http.StatusOK {
			t.Fatalf("valid token: %d %s", status, resp)
		}
		status, _ = svc.do(http.MethodPost, hookPath, body, "Bearer "+valid)
		if status != http.StatusUnauthorized {
			t.Fatalf("replayed token: %d, want 401", status)
		}
	})
	if strings.Contains(svc.logs.String(), valid) {
		t.Error("a JWT reached the logs")
	}
}

// TestFeedbackEndToEnd sends the cards' feedback as the sandbox does and
// reads it back through the analytics endpoint and the report command.
func TestFeedbackEndToEnd(t *testing.T) {
	svc := newTestService(t, serviceOptions{})
	body, _ := fixtures.Request("ombc-hr-pos-her2-neg-new")
	status, resp := svc.post(hookPath, body)
	if status != http.StatusOK {
		t.Fatalf("hook: %d %s", status, resp)
	}
	var cards struct {
		Cards []struct {
			UUID   string `json:"uuid"`
			Source struct {
				Topic struct{ Code string } `json:"topic"`
			} `json:"source"`
			Suggestions []struct {
				UUID string `json:"uuid"`
			} `json:"suggestions"`
		} `json:"cards"`
	}
	if err := json.Unmarshal(resp, &cards); err != nil || len(cards.Cards) < 2 {
		t.Fatalf("cards: %v %s", err, resp)
	}
	var accepted, overridden string
	var acceptedSuggestion string
	for _, c := range cards.Cards {
		if accepted == "" && len(c.Suggestions) > 0 {
			accepted, acceptedSuggestion = c.UUID, c.Suggestions[0].UUID
		} else if overridden == "" {
			overridden = c.UUID
		}
	}
	fb := fmt.Sprintf(`{"feedback":[
	  {"card":%q,"outcome":"accepted","acceptedSuggestions":[{"id":%q}],"outcomeTimestamp":"2026-06-01T12:01:00Z"},
	  {"card":%q,"outcome":"overridden","overrideReason":{"reason":{"code":"patient-declined","system":"urn:ombc-cds:override-reason"}},"outcomeTimestamp":"2026-06-01T12:02:00Z"}]}`,
		accepted, acceptedSuggestion, overridden)
	for range 2 { // idempotent: the second post is stored once
		status, resp = svc.post(hookPath+"/feedback", []byte(fb))
		if status != http.StatusOK || len(resp) != 0 {
			t.Fatalf("feedback: %d %q", status, resp)
		}
	}
	status, resp = svc.do(http.MethodGet, "/analytics?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z", nil, "Bearer "+svc.token("/analytics"))
	if status != http.StatusOK {
		t.Fatalf("analytics: %d %s", status, resp)
	}
	var rep struct {
		Rules []struct {
			Code            string
			Shown, Accepted int
			Overridden      int
			AcceptanceRate  float64
		} `json:"rules"`
	}
	if err := json.Unmarshal(resp, &rep); err != nil {
		t.Fatalf("analytics JSON: %v %s", err, resp)
	}
	var shown, acc, ovr int
	for _, r := range rep.Rules {
		shown += r.Shown
		acc += r.Accepted
		ovr += r.Overridden
	}
	if shown != len(cards.Cards) || acc != 1 || ovr != 1 {
		t.Errorf("analytics: shown %d accepted %d overridden %d, want %d, 1, 1: %s", shown, acc, ovr, len(cards.Cards), resp)
	}
}

// TestCORSEndToEnd checks the sandbox's preflight against the assembled
// service (CONFORMANCE.md S-11).
func TestCORSEndToEnd(t *testing.T) {
	svc := newTestService(t, serviceOptions{extraArgs: []string{"--cors-origins", "https://sandbox.cds-hooks.org"}})
	for _, path := range []string{"/cds-services", hookPath, hookPath + "/feedback"} {
		req, _ := http.NewRequest(http.MethodOptions, svc.base+path, nil)
		req.Header.Set("Origin", "https://sandbox.cds-hooks.org")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		resp, err := svc.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != "https://sandbox.cds-hooks.org" {
			t.Errorf("%s preflight: %d ACAO %q", path, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		if h := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "authorization") || !strings.Contains(h, "content-type") {
			t.Errorf("%s preflight allows headers %q", path, h)
		}
	}
}

// lockedWriter serialises writes from the server's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
