package logic

import (
	"slices"
	"sync"
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
	// buf is the scratch space every card's detail is rendered into;
	// sharing it across the rules and, through the pool, across requests
	// leaves one exact-size string per card as the only allocation of the
	// rendering.
	buf := scratch.Get().(*[]byte)
	defer putScratch(buf)
	// A patient fires about half the rules; room for that many saves
	// regrowing the slice card by card.
	out := make([]Recommendation, 0, min(len(rules), 8))
	for _, r := range rules {
		if rec, ok := r.apply(c, buf); ok {
			out = append(out, rec)
		}
	}
	if len(out) == 0 {
		return nil // as before the slice was made up front
	}
	return out
}

// scratch holds detail rendering buffers between Evaluate calls.
var scratch = sync.Pool{New: func() any {
	b := make([]byte, 0, 4096) // a typical card's detail is 1 to 4 KB
	return &b
}}

// maxScratch is the largest buffer kept for reuse, so that one patient with
// an enormous record does not pin its buffer for the life of the process.
const maxScratch = 64 << 10

// putScratch returns a buffer to scratch unless it grew too large.
func putScratch(b *[]byte) {
	if cap(*b) > maxScratch {
		return
	}
	*b = (*b)[:0]
	scratch.Put(b)
}

// Apply evaluates the rule for one Case: it fires when When holds and Unless
// does not.
func (r Rule) Apply(c *Case) (Recommendation, bool) {
	var buf []byte
	return r.apply(c, &buf)
}

// apply is Apply rendering the detail in *buf, which it may grow.
//
// It first decides whether the rule fires without building any fact text
// (see holds), because most rules do not fire for a given patient and the
// facts of the clauses that decided that would be thrown away. Only for a
// rule that fires does it ask the clauses for their facts.
func (r Rule) apply(c *Case, buf *[]byte) (Recommendation, bool) {
	if r.When == nil || !holds(r.When, c) {
		return Recommendation{}, false
	}
	if r.Unless != nil && holds(r.Unless, c) {
		return Recommendation{}, false
	}
	because, _ := r.When.Met(c)
	if r.Unless != nil {
		b, _ := r.Unless.Met(c)
		because = appendFacts(because, b)
	}
	// matched marks the variants whose criterion holds; rules have at most
	// a few, so the marks live on the stack.
	var small [8]bool
	matched := small[:0]
	if len(r.Variants) > len(small) {
		matched = make([]bool, 0, len(r.Variants))
	}
	for _, v := range r.Variants {
		ok := holds(v.When, c)
		if ok {
			b, _ := v.When.Met(c)
			because = appendFacts(because, b)
		}
		matched = append(matched, ok)
	}
	*buf = r.appendDetail((*buf)[:0], c, because, matched)
	rec := Recommendation{
		Code:        r.Code,
		Title:       r.Title,
		Summary:     r.Summary,
		Indicator:   r.Indicator,
		Detail:      string(*buf),
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

// appendFacts appends more to facts without writing into a slice a
// criterion returned: facts may be shared (a Case caches some), so the
// first append always copies.
func appendFacts(facts, more []string) []string {
	if len(more) == 0 {
		return facts
	}
	return append(slices.Clip(facts), more...)
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

// appendDetail renders a card's Markdown into b: why (each fact once, first
// occurrence first), what to do (the rule's, then each matched variant's),
// the panels, and the evidence (the rule's, then each matched variant's).
func (r Rule) appendDetail(b []byte, c *Case, because []string, matched []bool) []byte {
	b = append(b, "### Why this card\n\n"...)
	long := len(because) > shortFacts
	if long {
		because = unique(because)
	}
	for i, f := range because {
		if !long && seenBefore(because, i) {
			continue
		}
		b = append(b, "- "...)
		b = append(b, f...)
		b = append(b, '\n')
	}
	b = append(b, "\n### What to do\n\n"...)
	if r.Do != "" {
		b = append(b, r.Do...)
		b = append(b, "\n\n"...)
	}
	for i, v := range r.Variants {
		if matched[i] {
			b = append(b, v.Do...)
			b = append(b, "\n\n"...)
		}
	}
	skippedShown := false
	for _, p := range r.Panels {
		b = appendPanel(b, c, p)
		skippedShown = skippedShown || p == PanelSkipped
	}
	if !skippedShown && len(c.Patient.Skipped) > 0 {
		// Every card says which resources the mapping could not use, so a
		// clinician knows the advice was computed without them (issue:
		// one bad resource is skipped and reported, never silently lost).
		b = appendPanel(b, c, PanelSkipped)
	}
	b = append(b, "### Evidence\n\n"...)
	for _, e := range r.Evidence {
		b = appendEvidenceItem(b, e)
	}
	for i, v := range r.Variants {
		if matched[i] {
			for _, e := range v.Evidence {
				b = appendEvidenceItem(b, e)
			}
		}
	}
	return b
}

// shortFacts is the number of facts up to which appendDetail drops repeats
// by comparing each fact with the ones before it, which beats building a
// set for the few facts a card usually has; longer lists use unique.
const shortFacts = 32

// seenBefore reports whether facts[i] already occurs in facts[:i].
func seenBefore(facts []string, i int) bool {
	return slices.Contains(facts[:i], facts[i])
}

// appendEvidenceItem appends one evidence item as a list entry.
func appendEvidenceItem(b []byte, e Evidence) []byte {
	b = append(b, "- "...)
	b = appendEvidence(b, e)
	return append(b, '\n')
}

// evidenceText renders one evidence item for a card.
func evidenceText(e Evidence) string {
	return string(appendEvidence(nil, e))
}

// appendEvidence appends evidenceText(e) to b.
func appendEvidence(b []byte, e Evidence) []byte {
	b = append(b, e.Statement...)
	b = append(b, " Source: "...)
	b = append(b, e.Source...)
	b = append(b, '.')
	if e.Grade != "" {
		b = append(b, " Level/grade: "...)
		b = append(b, e.Grade...)
		b = append(b, '.')
	}
	if e.Caveat != "" {
		b = append(b, " Caveat: "...)
		b = append(b, e.Caveat...)
	}
	if e.URL != "" {
		b = append(b, " [Link]("...)
		b = append(b, e.URL...)
		b = append(b, ')')
	}
	return b
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
