// Package sharedtest locates the shared reference material (../shared beside
// the repository: the Synthea bundles, the CDS Hooks examples, the clinical
// code lists) for tests. It is imported by _test.go files only.
//
// The material is not part of the repository, so every test that reads it
// must skip, with a message saying what is missing, on a clone without it;
// keeping that rule in one place means every package skips the same way.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the path of ../shared/elem... next to the repository root (the
// directory that holds go.mod, found by walking up from the test's working
// directory), or skips the test when that path does not exist.
func Dir(tb testing.TB, elem ...string) string {
	tb.Helper()
	root, err := repoRoot()
	if err != nil {
		tb.Skipf("../shared not present: %v", err)
	}
	path := filepath.Join(append([]string{filepath.Dir(root), "shared"}, elem...)...)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("../shared not present (%v): this test reads the shared reference material beside the repository", err)
	}
	return path
}

// repoRoot walks up from the working directory to the directory holding
// go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
