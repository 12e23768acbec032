package prefetch

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ombc-cds/fhirsearch"
	"ombc-cds/internal/sharedtest"
)

// TestFallbackEqualsIndexPrefetch checks P-4 end to end: what Resolve
// fetches from a FHIR server (with paging and Medication reads) equals what
// a client would have prefetched for the same templates.
func TestFallbackEqualsIndexPrefetch(t *testing.T) {
	t.Run("synthetic patient", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("testdata", "patient.json"))
		if err != nil {
			t.Fatal(err)
		}
		checkEquivalence(t, b)
	})
	for name, b := range syntheaBundles(t) {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			checkEquivalence(t, b)
		})
	}
}

func checkEquivalence(t *testing.T, bundle []byte) {
	t.Helper()
	x, err := fhirsearch.NewIndex(bundle)
	if err != nil {
		t.Fatal(err)
	}
	// A small page size makes the larger keys span several pages.
	f := newFHIRServer(t, &fhirsearch.Server{Index: x, PageSize: 25, Token: testToken})
	for _, id := range x.PatientIDs() {
		want, err := x.Prefetch(templates(), id)
		if err != nil {
			t.Fatal(err)
		}
		in := Input{
			Templates:   templates(),
			Context:     map[string]string{"context.patientId": id},
			FHIRServer:  f.base,
			AccessToken: testToken,
		}
		fe := &Fetcher{Timeout: 20 * time.Second}
		got, rep, err := fe.Resolve(context.Background(), in)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		if !slices.Equal(rep.Fetched, sortedKeys(templates())) {
			t.Errorf("Fetched = %v, want every key", rep.Fetched)
		}
		for key := range templates() {
			if !sameResources(t, got[key], want[key]) {
				t.Errorf("key %s: fallback and Index.Prefetch differ:\nfallback %.300s\nprefetch %.300s", key, got[key], want[key])
			}
		}
		// The prefetched values need no further request.
		prefetched := map[string]json.RawMessage{}
		for k, v := range want {
			prefetched[k] = v
		}
		in.Prefetch = prefetched
		before := len(f.log())
		again, _, err := fe.Resolve(context.Background(), in)
		if err != nil {
			t.Fatalf("Resolve with full prefetch: %v", err)
		}
		// Only Medication targets missing from the Bundle may be read
		// (the synthetic patient has one that the server lacks).
		if types := f.requestedTypes()[before:]; slices.ContainsFunc(types, func(s string) bool { return s != "Medication" }) {
			t.Errorf("full prefetch still made requests %v", types)
		}
		for key := range templates() {
			if !sameResources(t, again[key], want[key]) {
				t.Errorf("key %s changed although prefetched", key)
			}
		}
	}
}

// syntheaBundles returns the real Synthea bundles from ../shared/synthea
// (next to the repository root), or skips when they are absent.
func syntheaBundles(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(sharedtest.Dir(tb, "synthea"), "*.json"))
	if len(files) == 0 {
		tb.Skip("../shared not present: no Synthea bundles in ../shared/synthea (CI clones run without them)")
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}
