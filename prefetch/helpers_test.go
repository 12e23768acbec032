package prefetch

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"ombc-cds/fhirmap"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ombc-cds/fhirsearch"
)

const (
	testPatient = "2f4e6a8c-1b3d-4f5a-9c7e-0a1b2c3d4e5f"
	testToken   = "sentinel-token-7f3c9a1e"
)

// templates returns the service's real discovery prefetch templates, so
// these tests exercise exactly the queries EHRs are sent.
func templates() map[string]string { return fhirmap.Templates() }

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func loadIndex(tb testing.TB) *fhirsearch.Index {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "patient.json"))
	if err != nil {
		tb.Fatal(err)
	}
	x, err := fhirsearch.NewIndex(b)
	if err != nil {
		tb.Fatal(err)
	}
	return x
}

// fhirServer is a loopback FHIR server that records what it was asked.
type fhirServer struct {
	*httptest.Server
	base string // fhirServer value for Input

	mu       sync.Mutex
	requests []recorded
	inFlight int
	maxIn    int
}

type recorded struct {
	path          string // path and query, without the base
	authorization string
	accept        string
}

// newFHIRServer serves srv under /fhir and records every request.
func newFHIRServer(tb testing.TB, srv http.Handler) *fhirServer {
	tb.Helper()
	f := &fhirServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, recorded{
			path:          strings.TrimPrefix(r.URL.RequestURI(), "/fhir/"),
			authorization: r.Header.Get("Authorization"),
			accept:        r.Header.Get("Accept"),
		})
		f.inFlight++
		f.maxIn = max(f.maxIn, f.inFlight)
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inFlight--
			f.mu.Unlock()
		}()
		srv.ServeHTTP(w, r)
	}))
	tb.Cleanup(f.Close)
	f.base = f.URL + "/fhir"
	return f
}

// newIndexServer serves the test patient through fhirsearch.Server.
func newIndexServer(tb testing.TB, configure func(*fhirsearch.Server)) *fhirServer {
	tb.Helper()
	s := &fhirsearch.Server{Index: loadIndex(tb), Token: testToken}
	if configure != nil {
		configure(s)
	}
	return newFHIRServer(tb, s)
}

func (f *fhirServer) log() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *fhirServer) maxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxIn
}

// requestedTypes lists the resource types requested, one per request.
func (f *fhirServer) requestedTypes() []string {
	var out []string
	for _, r := range f.log() {
		typ, _, _ := strings.Cut(r.path, "?")
		typ, _, _ = strings.Cut(typ, "/")
		out = append(out, typ)
	}
	return out
}

// input builds an Input for the test patient against f.
func input(f *fhirServer, prefetch map[string]json.RawMessage) Input {
	in := Input{
		Templates:   templates(),
		Context:     map[string]string{"context.patientId": testPatient, "context.userId": "Practitioner/example"},
		Prefetch:    prefetch,
		AccessToken: testToken,
	}
	if f != nil {
		in.FHIRServer = f.base
	}
	return in
}

func newFetcher() *Fetcher {
	return &Fetcher{Timeout: 5 * time.Second}
}

// resourceKeys lists "Type/id" of a Bundle's entries, sorted, and the
// number of entries per search mode.
func resourceKeys(tb testing.TB, raw json.RawMessage) ([]string, map[string]int) {
	tb.Helper()
	var b struct {
		ResourceType string `json:"resourceType"`
		Link         []link `json:"link"`
		Entry        []struct {
			Resource struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
			} `json:"resource"`
			Search struct {
				Mode string `json:"mode"`
			} `json:"search"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &b); err != nil || b.ResourceType != "Bundle" {
		tb.Fatalf("want a Bundle, got %.200s (%v)", raw, err)
	}
	if nextLink(b.Link) != "" {
		tb.Errorf("merged Bundle still has a next link")
	}
	keys := []string{}
	modes := map[string]int{}
	for _, e := range b.Entry {
		keys = append(keys, e.Resource.ResourceType+"/"+e.Resource.ID)
		modes[e.Search.Mode]++
	}
	slices.Sort(keys)
	return keys, modes
}

// sameResources compares two prefetch values: equal JSON for resources and
// null, the same multiset of resources for Bundles (order-insensitive).
func sameResources(tb testing.TB, got, want json.RawMessage) bool {
	tb.Helper()
	g, w := canonical(tb, got), canonical(tb, want)
	return reflect.DeepEqual(g, w)
}

func canonical(tb testing.TB, raw json.RawMessage) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("not JSON: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok || m["resourceType"] != "Bundle" {
		return v
	}
	entries, _ := m["entry"].([]any)
	var out []string
	for _, e := range entries {
		em, _ := e.(map[string]any)
		text, err := json.Marshal(em["resource"]) // map keys marshal sorted
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(text))
	}
	slices.Sort(out)
	return out
}
