package logic

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageIsPure keeps the package doc's promise: logic imports only the
// standard library (not net/http, not encoding/json) and never reads the
// clock, the environment or the file system; now is always a parameter.
func TestPackageIsPure(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || imp == "net/http" || imp == "encoding/json" || imp == "os" {
			t.Errorf("logic imports %s", imp)
		}
	}
	for _, name := range pkg.GoFiles {
		src, err := os.ReadFile(filepath.Join(".", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, banned := range []string{"time.Now(", "time.Since(", "time.Until("} {
			if strings.Contains(string(src), banned) {
				t.Errorf("%s calls %s; take now as a parameter", name, banned)
			}
		}
	}
}
