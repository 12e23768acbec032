package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ombc-cds/fhirmap"
	"ombc-cds/fhirsearch"
	"ombc-cds/fixtures"
	"ombc-cds/trust/trusttest"
)

// The speed benchmarks of the hook path (README "Speed"). Run them with
//
//	go test ./cmd/ombc-cds -run '^$' -bench . -benchmem
//
// Each hook benchmark drives the real handler in process: decode the
// request, verify a freshly signed ES384 client JWT (tokens are signed before
// the timer starts: signing is the EHR's cost), resolve the prefetch, map
// FHIR to the patient model, run the rules, build the cards with their draft
// orders, encode the response, record the issued cards.

// typicalFixture is an OMBC patient with narrow prefetch (about 30 resources).
const typicalFixture = "ombc-hr-pos-her2-neg-new"

// syntheaBundle is the real Synthea bundle with the most Observations (1.6 MB,
// 560 Observations; SOURCES.md).
const syntheaBundle = "deak-ai_healthwallet-datasets_1086522-bundle.json"

// BenchmarkHookTypical is the typical OMBC request, with the client JWT
// signed RS384 (Epic's default) and ES384 (the sandbox's). Go verifies a
// P-384 signature in about 0.9 ms on the development machine, an RSA-2048
// one in about 0.05 ms, so the two differ by that much.
func BenchmarkHookTypical(b *testing.B) {
	body, err := fixtures.Request(typicalFixture)
	if err != nil {
		b.Fatal(err)
	}
	for _, alg := range []string{"RS384", "ES384"} {
		b.Run(alg, func(b *testing.B) { benchHook(b, body, serviceOptions{alg: alg}) })
	}
}

// BenchmarkHookSynthea is a whole real Synthea bundle as prefetch: "Narrow"
// as an EHR answers the code-filtered templates, "Whole" with every
// Observation and DiagnosticReport of the bundle (an EHR that ignores the
// code filter), about 1 MB.
func BenchmarkHookSynthea(b *testing.B) {
	b.Run("Narrow", func(b *testing.B) { benchHook(b, syntheaRequest(b, false), serviceOptions{alg: "RS384"}) })
	b.Run("Whole", func(b *testing.B) { benchHook(b, syntheaRequest(b, true), serviceOptions{alg: "RS384"}) })
}

// BenchmarkHookFallback50ms sends no prefetch: the service fetches all
// eleven keys from a loopback FHIR server that answers each request in
// 50 ms. The keys are fetched concurrently, so a call costs about one
// round trip, not eleven.
func BenchmarkHookFallback50ms(b *testing.B) {
	body, err := fixtures.Request(typicalFixture)
	if err != nil {
		b.Fatal(err)
	}
	idx := fixtureIndex(b, body)
	fhir := httptest.NewServer(&fhirsearch.Server{Index: idx, Latency: 50 * time.Millisecond, Token: "t"})
	defer fhir.Close()
	ids := idx.PatientIDs()
	if len(ids) != 1 {
		b.Fatalf("patients %v", ids)
	}
	reqBody := hookRequest(b, ids[0], map[string]any{
		"fhirServer": fhir.URL,
		"fhirAuthorization": map[string]any{"access_token": "t", "token_type": "Bearer", "expires_in": 300,
			"scope": "patient/*.read", "subject": "ombc-cds"},
	})
	benchHook(b, reqBody, serviceOptions{fhirServers: []string{fhir.URL}})
}

// fixtureIndex puts every resource of a fixture request's prefetch into a
// FHIR search index, as if the EHR's FHIR server held exactly that data.
func fixtureIndex(tb testing.TB, body []byte) *fhirsearch.Index {
	tb.Helper()
	var req struct {
		Prefetch map[string]json.RawMessage `json:"prefetch"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		tb.Fatal(err)
	}
	var entries []any
	for _, v := range req.Prefetch {
		var res struct {
			ResourceType string `json:"resourceType"`
			Entry        []struct {
				FullURL  string          `json:"fullUrl"`
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if json.Unmarshal(v, &res) != nil {
			continue
		}
		if res.ResourceType == "Bundle" {
			// fullUrl is kept: urn:uuid references resolve through it.
			for _, e := range res.Entry {
				entries = append(entries, map[string]any{"fullUrl": e.FullURL, "resource": e.Resource})
			}
		} else if res.ResourceType != "" {
			entries = append(entries, map[string]any{"resource": v})
		}
	}
	bundle, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": entries})
	idx, err := fhirsearch.NewIndex(bundle)
	if err != nil {
		tb.Fatal(err)
	}
	return idx
}

// benchHook posts body to the real handler b.N times.
func benchHook(b *testing.B, body []byte, o serviceOptions) {
	svc := newTestService(b, o)
	aud := svc.base + hookPath
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = "Bearer " + svc.key.Sign(b, nil, trusttest.Claims(testIssuer, aud, evalNow))
	}
	h := svc.app.Handler
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := httptest.NewRequest(http.MethodPost, hookPath, bytes.NewReader(body))
		r.RemoteAddr = "192.0.2.1:1234"
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", tokens[i])
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

// discardWriter is a ResponseWriter that keeps the status and drops the
// body, as a network connection does; httptest.ResponseRecorder would add a
// copy of every response to the measured allocations.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// BenchmarkDecodeOnly is the floor: decoding the same request bodies into
// generic JSON, which any service must at least do. Hook / DecodeOnly shows
// how close the whole path is to the cost of parsing alone.
func BenchmarkDecodeOnly(b *testing.B) {
	typical, err := fixtures.Request(typicalFixture)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Typical", func(b *testing.B) { benchDecode(b, typical) })
	b.Run("SyntheaNarrow", func(b *testing.B) { benchDecode(b, syntheaRequest(b, false)) })
	b.Run("SyntheaWhole", func(b *testing.B) { benchDecode(b, syntheaRequest(b, true)) })
}

func benchDecode(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvalFolder runs eval over a folder of Synthea bundles (the 13
// shared bundles, copied to make 52) and reports patients per second.
func BenchmarkEvalFolder(b *testing.B) {
	src := sharedDir(b, "synthea")
	files, _ := filepath.Glob(filepath.Join(src, "*.json"))
	dir := b.TempDir()
	for copyN := range 4 {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			name := filepath.Join(dir, string(rune('a'+copyN))+"-"+filepath.Base(f))
			if err := os.WriteFile(name, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	patients := 4 * len(files)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		err := run(b.Context(), []string{"eval", "--now", "2026-06-01", "--progress", "never", dir},
			func(string) string { return "" }, nil, io.Discard, io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(patients*b.N)/b.Elapsed().Seconds(), "patients/s")
}

// syntheaRequest is a hook request carrying a whole real Synthea bundle
// split into the prefetch keys as an EHR would answer the templates; whole
// drops the templates' code filters, so every Observation and
// DiagnosticReport of the bundle is sent.
func syntheaRequest(b *testing.B, whole bool) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(sharedDir(b, "synthea"), syntheaBundle))
	if err != nil {
		b.Fatal(err)
	}
	idx, err := fhirsearch.NewIndex(data)
	if err != nil {
		b.Fatal(err)
	}
	ids := idx.PatientIDs()
	templates := fhirmap.Templates()
	if whole {
		for k, q := range templates {
			if i := strings.Index(q, "&code="); i >= 0 {
				templates[k] = q[:i]
			}
		}
	}
	pre, err := idx.Prefetch(templates, ids[0])
	if err != nil {
		b.Fatal(err)
	}
	return hookRequest(b, ids[0], map[string]any{"prefetch": pre})
}
