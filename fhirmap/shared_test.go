package fhirmap

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir locates ../shared next to the repository root (the directory
// holding go.mod) and skips the test when it is absent (CI clones).
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("../shared not present: no go.mod above the package directory")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(shared); err != nil {
		tb.Skipf("../shared not present: %v", err)
	}
	return shared
}
