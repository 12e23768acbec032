package logic

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file defines a rule of the rule book as data and how one rule turns a
// Case into a Recommendation.

// Evidence is one statement behind a rule, with its source. Grade is set only
// where the source itself states a level or grade (EVIDENCE.md §1: "LoE/GoR is
// quoted only where the source itself states it").
type Evidence struct {
	Statement string
	Source    string
	Grade     string
	Caveat    string
	URL       string // absolute https
}

// Variant adds wording to a card when its criterion holds for the patient
// (male patients, an osteoporosis-dose bone agent, the MF07-01 subgroup).
type Variant struct {
	When     Criterion
	Do       string // Markdown added to "What to do"
	Evidence []Evidence
}

// Panel is an extra section of a card's detail computed from the Case.
type Panel int

// Panel values.
const (
	PanelClassification Panel = iota + 1 // the classification with its facts
	PanelPrognosis                       // every prognostic factor with its value
	PanelImaging                         // the imaging history, newest first
	PanelRecording                       // what to record to classify the disease
	PanelSkipped                         // resources the mapping left out
)

// Rule is one row of the rule book (RULES.md Cards).
type Rule struct {
	Code      string // stable identity (RULES.md "code")
	Title     string // short display for source.topic
	Summary   string // card summary, < 140 characters
	Indicator Indicator
	When      Criterion // "fires when"
	Unless    Criterion // "suppressed when"; nil when never suppressed
	Do        string    // "What to do", Markdown
	Variants  []Variant
	Suggest   []Suggestion
	Selection Selection // set whenever Suggest is not empty
	// Keep, when not nil, drops the orders a patient does not need (the
	// receptor tests already resulted); a suggestion left without orders
	// is dropped.
	Keep     func(c *Case, o Order) bool
	Panels   []Panel
	Evidence []Evidence // the first is the card's source
	Links    []Link
}

// Evaluate runs the rules for one patient at now and returns the fired
// recommendations in rule-table order. A patient out of scope (no valid
// breast-cancer primary, or deceased) gets none (RULES.md Scope).
func Evaluate(rules []Rule, p Patient, now time.Time, cfg Config) []Recommendation {
	c := NewCase(p, now, cfg)
	if !c.Assessment.InScope {
		return nil
	}
	var out []Recommendation
	for _, r := range rules {
		if rec, ok := r.Apply(c); ok {
			out = append(out, rec)
		}
	}
	return out
}

// Apply evaluates the rule for one Case: it fires when When holds and Unless
// does not.
func (r Rule) Apply(c *Case) (Recommendation, bool) {
	if r.When == nil {
		return Recommendation{}, false
	}
	because, ok := r.When.Met(c)
	if !ok {
		return Recommendation{}, false
	}
	if r.Unless != nil {
		b, suppressed := r.Unless.Met(c)
		if suppressed {
			return Recommendation{}, false
		}
		because = append(because, b...)
	}
	var (
		dos      []string
		evidence = slices.Clone(r.Evidence)
	)
	if r.Do != "" {
		dos = append(dos, r.Do)
	}
	for _, v := range r.Variants {
		if b, ok := v.When.Met(c); ok {
			because = append(because, b...)
			dos = append(dos, v.Do)
			evidence = append(evidence, v.Evidence...)
		}
	}
	because = unique(because)
	rec := Recommendation{
		Code:        r.Code,
		Title:       r.Title,
		Summary:     r.Summary,
		Indicator:   r.Indicator,
		Detail:      detail(c, because, dos, r.Panels, evidence),
		Suggestions: r.suggestions(c),
		Links:       slices.Clone(r.Links),
	}
	if len(r.Evidence) > 0 {
		rec.SourceLabel, rec.SourceURL = r.Evidence[0].Source, r.Evidence[0].URL
	}
	if len(rec.Suggestions) > 0 {
		rec.Selection = r.Selection
	}
	return rec, true
}

// suggestions returns fresh copies of the rule's suggestions, keeping only
// the orders the patient needs.
func (r Rule) suggestions(c *Case) []Suggestion {
	var out []Suggestion
	for _, s := range r.Suggest {
		var orders []Order
		for _, o := range s.Orders {
			if r.Keep == nil || r.Keep(c, o) {
				orders = append(orders, o)
			}
		}
		if len(orders) == 0 {
			continue
		}
		s.Orders = orders
		out = append(out, s)
	}
	return out
}

// detail renders a card's Markdown: why, what to do, the panels, evidence.
func detail(c *Case, because, dos []string, panels []Panel, evidence []Evidence) string {
	var b strings.Builder
	b.WriteString("### Why this card\n\n")
	for _, f := range because {
		fmt.Fprintf(&b, "- %s\n", f)
	}
	b.WriteString("\n### What to do\n\n")
	for _, d := range dos {
		b.WriteString(d + "\n\n")
	}
	for _, p := range panels {
		b.WriteString(panel(c, p))
	}
	b.WriteString("### Evidence\n\n")
	for _, e := range evidence {
		b.WriteString("- " + evidenceText(e) + "\n")
	}
	return b.String()
}

// evidenceText renders one evidence item for a card.
func evidenceText(e Evidence) string {
	s := e.Statement + " Source: " + e.Source + "."
	if e.Grade != "" {
		s += " Level/grade: " + e.Grade + "."
	}
	if e.Caveat != "" {
		s += " Caveat: " + e.Caveat
	}
	if e.URL != "" {
		s += " [Link](" + e.URL + ")"
	}
	return s
}

// unique drops repeated facts, keeping the first of each.
func unique(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
