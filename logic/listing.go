package logic

import (
	"fmt"
	"strings"
)

// This file renders the rule table for a clinical reviewer who does not read
// Go (RULES.md "What the users will check": "The same rules must be readable
// as a table"). TestRulesListing pins the output in testdata/rules.md.

// Listing renders rules as a Markdown table with the rule book's columns,
// followed by each rule's full wording and evidence.
func Listing(rules []Rule) string {
	var b strings.Builder
	b.WriteString("# Rule listing (generated from logic.Rules; do not edit)\n\n")
	b.WriteString("Windows are configurable; defaults: PET 60 days, MedicationAdministration active 90 days, de novo 90 days.\n\n")
	b.WriteString("| code | summary | indicator | fires when | suppressed when | suggestions | evidence |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rules {
		fires := r.When.String()
		for _, v := range r.Variants {
			fires += "; wording added when " + wrap(v.When)
		}
		unless := "never"
		if r.Unless != nil {
			unless = r.Unless.String()
		}
		var ev []string
		for _, e := range r.Evidence {
			s := e.Source
			if e.Grade != "" {
				s += ", grade " + e.Grade
			}
			ev = append(ev, s)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n",
			r.Code, cell(r.Summary), r.Indicator, cell(fires), cell(unless), cell(suggestionText(r)), cell(strings.Join(ev, "; ")))
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## `%s`: %s\n\n", r.Code, r.Title)
		fmt.Fprintf(&b, "What to do: %s\n", r.Do)
		for _, v := range r.Variants {
			fmt.Fprintf(&b, "\nWhen %s: %s\n", v.When, v.Do)
		}
		b.WriteString("\nEvidence:\n\n")
		for _, e := range append(r.Evidence, variantEvidence(r)...) {
			b.WriteString("- " + evidenceText(e) + "\n")
		}
		if len(r.Links) > 0 {
			b.WriteString("\nLinks:\n\n")
			for _, l := range r.Links {
				fmt.Fprintf(&b, "- [%s](%s)\n", l.Label, l.URL)
			}
		}
	}
	return b.String()
}

// variantEvidence returns the evidence that variants add.
func variantEvidence(r Rule) []Evidence {
	var out []Evidence
	for _, v := range r.Variants {
		out = append(out, v.Evidence...)
	}
	return out
}

// suggestionText renders a rule's suggestions for the listing.
func suggestionText(r Rule) string {
	if len(r.Suggest) == 0 {
		return "none"
	}
	var parts []string
	for _, s := range r.Suggest {
		var orders []string
		for _, o := range s.Orders {
			kind := "ServiceRequest"
			if o.Kind == MedicationRequest {
				kind = "MedicationRequest"
			}
			orders = append(orders, kind+" "+o.Label)
		}
		p := s.Label + " (" + strings.Join(orders, ", ") + ")"
		if s.Recommended {
			p += ", recommended"
		}
		parts = append(parts, p)
	}
	s := strings.Join(parts, "; ") + "; selection " + r.Selection.String()
	if r.Keep != nil {
		s += "; only the orders the patient still needs"
	}
	return s
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
