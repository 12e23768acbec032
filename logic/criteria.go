package logic

import (
	"strings"
	"time"
)

// This file holds the Criterion interface and its combinators: rules are
// data built from criteria that explain themselves (DESIGN.md §2.4). A
// criterion returns the facts that decided it, with dates and references,
// whether it holds or not; a card quotes them under "Why this card".

// Case is what a criterion reads: the patient, the classification computed
// once for this request, the request time and the configured windows.
type Case struct {
	Patient    Patient
	Assessment Assessment
	Now        time.Time
	Config     Config
}

// NewCase classifies p and bundles everything a criterion reads.
func NewCase(p Patient, now time.Time, cfg Config) *Case {
	return &Case{Patient: p, Assessment: Classify(p, now, cfg), Now: now, Config: cfg}
}

// Criterion is one clause of a rule.
type Criterion interface {
	// Met reports whether the clause holds, and the facts that decided it
	// either way, as Markdown fragments whose patient-derived parts are
	// escaped.
	Met(c *Case) (because []string, ok bool)
	// String is the clause in words for the rule listing.
	String() string
}

// clause is a Criterion made of a description and a function.
type clause struct {
	text string
	met  func(c *Case) ([]string, bool)
}

// Met implements Criterion.
func (k clause) Met(c *Case) ([]string, bool) { return k.met(c) }

// String implements Criterion.
func (k clause) String() string { return k.text }

// All holds when every criterion holds; it explains itself with all their
// facts, or with the first failing one's.
func All(cs ...Criterion) Criterion {
	return clause{
		text: join(cs, " AND "),
		met: func(c *Case) ([]string, bool) {
			var because []string
			for _, k := range cs {
				b, ok := k.Met(c)
				if !ok {
					return b, false
				}
				because = append(because, b...)
			}
			return because, true
		},
	}
}

// Any holds when one criterion holds; it explains itself with the facts of
// every criterion that holds, or, when none does, with all of theirs.
func Any(cs ...Criterion) Criterion {
	return clause{
		text: join(cs, " OR "),
		met: func(c *Case) ([]string, bool) {
			var held, failed []string
			for _, k := range cs {
				if b, ok := k.Met(c); ok {
					held = append(held, b...)
				} else {
					failed = append(failed, b...)
				}
			}
			if held != nil {
				return held, true
			}
			return failed, false
		},
	}
}

// Not holds when k does not; the facts are k's.
func Not(k Criterion) Criterion {
	return clause{
		text: "NOT " + wrap(k),
		met: func(c *Case) ([]string, bool) {
			b, ok := k.Met(c)
			return b, !ok
		},
	}
}

// join renders clauses with a connective, parenthesising compound ones.
func join(cs []Criterion, sep string) string {
	parts := make([]string, len(cs))
	for i, k := range cs {
		parts[i] = wrap(k)
	}
	return strings.Join(parts, sep)
}

// wrap parenthesises a compound clause.
func wrap(k Criterion) string {
	s := k.String()
	if strings.Contains(s, " AND ") || strings.Contains(s, " OR ") {
		return "(" + s + ")"
	}
	return s
}
