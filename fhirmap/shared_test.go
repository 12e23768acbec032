package fhirmap

import (
	"testing"

	"ombc-cds/internal/sharedtest"
)

// sharedDir returns ../shared beside the repository, or skips (CI clones
// run without it).
func sharedDir(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Dir(tb)
}
