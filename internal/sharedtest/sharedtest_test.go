package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDirSkipsWhenAbsent checks that a missing path skips rather than fails
// or returns.
func TestDirSkipsWhenAbsent(t *testing.T) {
	var sub *testing.T
	t.Run("missing", func(t *testing.T) {
		sub = t
		Dir(t, "no-such-folder-in-shared")
		t.Error("Dir returned for a path that does not exist")
	})
	if !sub.Skipped() {
		t.Fatal("Dir did not skip the test")
	}
}

// TestDirFindsShared checks the path when ../shared exists.
func TestDirFindsShared(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repoRoot %s has no go.mod", root)
	}
	dir := Dir(t) // skips on a clone without ../shared
	if filepath.Base(dir) != "shared" {
		t.Errorf("Dir() = %s", dir)
	}
}
