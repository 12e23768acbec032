package fhirsearch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"ombc-cds/internal/sharedtest"
)

// loadIndex indexes the named files under testdata/.
func loadIndex(tb testing.TB, names ...string) *Index {
	tb.Helper()
	var bundles []json.RawMessage
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatalf("read %s: %v", name, err)
		}
		bundles = append(bundles, b)
	}
	x, err := NewIndex(bundles...)
	if err != nil {
		tb.Fatalf("NewIndex(%v): %v", names, err)
	}
	return x
}

// keys lists "Type/id" of resources, in order.
func keys(tb testing.TB, raws []json.RawMessage) []string {
	tb.Helper()
	out := []string{}
	for _, raw := range raws {
		var r struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			tb.Fatalf("resource is not JSON: %v", err)
		}
		out = append(out, r.ResourceType+"/"+r.ID)
	}
	return out
}

// bundleOf decodes a searchset Bundle.
type bundleOf struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

func decodeBundle(tb testing.TB, raw []byte) bundleOf {
	tb.Helper()
	var b bundleOf
	if err := json.Unmarshal(raw, &b); err != nil {
		tb.Fatalf("not a Bundle: %v: %.200s", err, raw)
	}
	if b.ResourceType != "Bundle" || b.Type != "searchset" || b.Total == nil {
		tb.Fatalf("got resourceType %q type %q total %v, want a searchset Bundle with total", b.ResourceType, b.Type, b.Total)
	}
	return b
}

func (b bundleOf) keys(tb testing.TB) []string {
	tb.Helper()
	var raws []json.RawMessage
	for _, e := range b.Entry {
		raws = append(raws, e.Resource)
	}
	return keys(tb, raws)
}

// sharedDir returns ../shared when it holds the Synthea bundles, or skips.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	return filepath.Dir(sharedtest.Dir(tb, "synthea"))
}

// syntheaBundles returns the real Synthea bundles, or skips.
func syntheaBundles(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(sharedDir(tb), "synthea", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Skip("../shared not present: no Synthea bundles in ../shared/synthea")
	}
	slices.Sort(files)
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
