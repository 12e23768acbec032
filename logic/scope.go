package logic

import (
	"slices"
	"time"
)

// This file decides which facts count at all: the Scope and Medications
// sections of RULES.md.

// Counts reports whether a Condition counts for the rule book (RULES.md
// Scope): clinical status active, recurrence or relapse (or absent), and a
// verification status other than entered-in-error or refuted. It applies to
// primaries and metastases alike.
func (c Condition) Counts() bool {
	switch c.Clinical {
	case StatusAbsent, StatusActive, StatusRecurrence, StatusRelapse:
	default:
		return false
	}
	return c.Verification != VerificationEnteredInError && c.Verification != VerificationRefuted
}

// start returns the Condition's onset, or its recorded date when the onset
// is unknown (a metastasis recorded without onset still has a date).
func (c Condition) start() time.Time {
	if !c.Onset.IsZero() {
		return c.Onset
	}
	return c.Date
}

// ActiveAt reports whether a medication fact makes its drug current at now
// (RULES.md Medications): a MedicationRequest active or on-hold, a
// MedicationStatement active or intended, or a MedicationAdministration in
// the AdministrationWindow before now. Synthea's stopped and completed
// requests are not active.
func (m Medication) ActiveAt(now time.Time, cfg Config) bool {
	switch m.Record {
	case RecordRequest:
		return m.Status == "active" || m.Status == "on-hold"
	case RecordStatement:
		return m.Status == "active" || m.Status == "intended"
	case RecordAdministration:
		if m.Status == "not-done" || m.Status == "entered-in-error" {
			return false
		}
		when := m.Date
		if when.IsZero() {
			when = m.Start
		}
		return within(when, now, cfg.AdministrationWindow)
	default:
		return false
	}
}

// began returns when a therapy started: its Start, else its Date.
func (m Medication) began() time.Time {
	if !m.Start.IsZero() {
		return m.Start
	}
	return m.Date
}

// within reports whether t is known and falls in [now-window, now].
func within(t, now time.Time, window time.Duration) bool {
	if t.IsZero() || t.After(now) {
		return false
	}
	return !t.Before(now.Add(-window))
}

// antineoplastic lists the drug classes whose earliest active start is the
// start of the "current systemic therapy" (brief for document-response:
// endocrine, CDK4/6, anti-HER2, PARP, checkpoint, chemotherapy).
func antineoplastic(c DrugClass) bool {
	switch c {
	case DrugEndocrine, DrugCDK46, DrugAntiHER2, DrugPARP, DrugCheckpoint, DrugChemotherapy:
		return true
	default:
		return false
	}
}

// activeMeds returns the active medication facts of the given classes.
func activeMeds(p Patient, now time.Time, cfg Config, classes ...DrugClass) []Medication {
	var out []Medication
	for _, m := range p.Medications {
		if slices.Contains(classes, m.Class) && m.ActiveAt(now, cfg) {
			out = append(out, m)
		}
	}
	return out
}

// therapyStart returns the earliest start among active antineoplastic drugs,
// the drug that sets it, and whether any such drug is active. The start is
// zero when no active drug has a known date.
func therapyStart(p Patient, now time.Time, cfg Config) (time.Time, Medication, bool) {
	var (
		first Medication
		start time.Time
		found bool
	)
	for _, m := range p.Medications {
		if !antineoplastic(m.Class) || !m.ActiveAt(now, cfg) {
			continue
		}
		b := m.began()
		if !found || (!b.IsZero() && (start.IsZero() || b.Before(start))) {
			first, start = m, b
		}
		found = true
	}
	return start, first, found
}

// ageAt returns the whole years between birth and now; ok is false when the
// birth date is unknown.
func ageAt(birth, now time.Time) (int, bool) {
	if birth.IsZero() {
		return 0, false
	}
	y := now.Year() - birth.Year()
	if now.Month() < birth.Month() || now.Month() == birth.Month() && now.Day() < birth.Day() {
		y--
	}
	return y, true
}
