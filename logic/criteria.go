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

	// What a dozen clauses read, derived once by NewCase: the receptor
	// statuses and the OMBC clause's facts. derived marks them set, so a
	// Case built without NewCase still works (it derives them on every
	// read).
	hr, her2  status
	ombcFacts []string
	derived   bool
}

// NewCase classifies p and bundles everything a criterion reads. It derives
// some facts once for all the rules, so to evaluate a changed patient build
// a new Case rather than editing this one.
func NewCase(p Patient, now time.Time, cfg Config) *Case {
	hr := hrStatus(p)
	c := &Case{Patient: p, Assessment: classify(p, now, cfg, hr), Now: now, Config: cfg}
	c.hr, c.her2 = hr, her2Status(p)
	if c.Assessment.Class == ClassOMBC {
		c.ombcFacts = ombcFacts(&c.Assessment)
	}
	c.derived = true
	return c
}

// hrStatus returns the patient's hormone-receptor status.
func (c *Case) hrStatus() status {
	if c.derived {
		return c.hr
	}
	return hrStatus(c.Patient)
}

// her2Status returns the patient's HER2 status.
func (c *Case) her2Status() status {
	if c.derived {
		return c.her2
	}
	return her2Status(c.Patient)
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
	// test, when not nil, decides the clause exactly as met does without
	// building its facts: most clauses a rule evaluates do not end up on a
	// card, and rendering their facts was most of the cost of Evaluate.
	// TestHoldsAgreesWithMet checks that the two agree.
	test func(c *Case) bool
}

// holds reports whether k holds for c. It skips building k's facts when k
// knows how to (a clause with a test, and All, Any and Not of such
// clauses), and otherwise asks Met.
func holds(k Criterion, c *Case) bool {
	if cl, ok := k.(clause); ok && cl.test != nil {
		return cl.test(c)
	}
	_, ok := k.Met(c)
	return ok
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
		test: func(c *Case) bool {
			for _, k := range cs {
				if !holds(k, c) {
					return false
				}
			}
			return true
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
		test: func(c *Case) bool {
			// Met holds only when a clause that holds gave facts; every
			// clause gives some, but asking the first that holds keeps the
			// two exactly equal at the cost of one clause's facts.
			for _, k := range cs {
				if holds(k, c) {
					if b, _ := k.Met(c); len(b) > 0 {
						return true
					}
				}
			}
			return false
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
		test: func(c *Case) bool { return !holds(k, c) },
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
