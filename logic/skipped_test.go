package logic

import (
	"fmt"
	"strings"
	"testing"
)

// TestSkippedResourcesOnEveryCard checks that a resource the mapping left
// out is named on every card that fires, before the Evidence section, and
// that a long list is cut with a count.
func TestSkippedResourcesOnEveryCard(t *testing.T) {
	tests := []struct {
		name    string
		skipped int
		want    []string
		notWant []string
	}{
		{"nothing skipped: no section", 0, nil, []string{"Resources left out"}},
		{"one skipped resource", 1, []string{"### Resources left out of this assessment", "Observation/bad-0: status unknown"}, []string{"- and "}},
		{"long list cut", maxSkippedListed + 3, []string{"Observation/bad-19", "- and 3 more"}, []string{"Observation/bad-20:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ombc(func(p *Patient) {
				for i := range tt.skipped {
					p.Skipped = append(p.Skipped, Skipped{Ref: fmt.Sprintf("Observation/bad-%d", i), Reason: "status unknown"})
				}
			})
			recs := Evaluate(Rules(), p, now, DefaultConfig())
			if len(recs) == 0 {
				t.Fatal("no card fired for an OMBC patient")
			}
			for _, r := range recs {
				for _, w := range tt.want {
					if !strings.Contains(r.Detail, w) {
						t.Errorf("%s: detail lacks %q", r.Code, w)
					}
				}
				for _, nw := range tt.notWant {
					if strings.Contains(r.Detail, nw) {
						t.Errorf("%s: detail has %q", r.Code, nw)
					}
				}
				if tt.skipped > 0 && strings.Index(r.Detail, "Resources left out") > strings.Index(r.Detail, "### Evidence") {
					t.Errorf("%s: the left-out resources come after the Evidence section", r.Code)
				}
			}
		})
	}
}
