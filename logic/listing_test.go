package logic

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/rules.md from Rules()")

// TestRulesListing pins the rule table a clinician reviews: any change to a
// rule shows up as a diff of testdata/rules.md. Rewrite it with
// go test ./logic -run TestRulesListing -update.
func TestRulesListing(t *testing.T) {
	got := Listing(Rules())
	path := filepath.Join("testdata", "rules.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d (run with -update after review):\n got %q\nwant %q", path, i+1, g, w)
			}
		}
	}
}

func TestListingHasEveryRuleRow(t *testing.T) {
	got := Listing(Rules())
	for _, code := range ruleBook {
		if !strings.Contains(got, "| `"+code+"` |") {
			t.Errorf("listing lacks a row for %s", code)
		}
	}
	if rawHTML.MatchString(got) {
		t.Error("listing contains raw HTML")
	}
}
