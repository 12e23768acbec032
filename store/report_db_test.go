package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"ombc-cds/cdshooks"
)

// reportDataset is a small, hand-computed dataset over the period
// [t0, t0+24h), t0 = 2025-03-10T00:00:00Z:
//
//	tumor-board:       shown c1 c3 c5 c6 (c0 before the period);
//	                   accepted c1 (twice) and c0; overridden c3, c5 (already-done), c6 (patient-declined)
//	                   → shown 4, accepted 2, overridden 3, rate 0.5
//	staging-imaging:   shown c2 c4; c2 overridden without a reason; c4 accepted at the period's end
//	                   → shown 2, accepted 0, overridden 1, rate 0
//	biopsy-metastasis: never issued card cx overridden (not-candidate), rule taken from the feedback
//	                   → shown 0, accepted 0, overridden 1, rate 0
//	receptor-status:   c9 issued at the period's end, feedback after it → absent
func reportDataset(tb testing.TB, s Store) (time.Time, time.Time) {
	tb.Helper()
	ctx := context.Background()
	t0 := at("2025-03-10T00:00:00Z")
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	card := func(hook, uuid, rule string, issued time.Time) cdshooks.IssuedCard {
		return cdshooks.IssuedCard{HookInstance: hook, ServiceID: "ombc", CardUUID: uuid, RuleCode: rule,
			Suggestions: []string{uuid + "-s1"}, Issued: issued}
	}
	issued := []cdshooks.IssuedCard{
		card("h0", "c0", "tumor-board", h(-1)),
		card("h1", "c1", "tumor-board", h(1)),
		card("h1", "c2", "staging-imaging", h(1)),
		card("h2", "c3", "tumor-board", h(2)),
		card("h2", "c4", "staging-imaging", h(2)),
		card("h3", "c5", "tumor-board", h(3)),
		card("h4", "c6", "tumor-board", h(4)),
		card("h9", "c9", "receptor-status", h(24)),
		card("h1", "c1", "tumor-board", h(1)), // resent: stored once
	}
	if err := s.SaveIssued(ctx, issued); err != nil {
		tb.Fatalf("SaveIssued: %v", err)
	}
	alreadyDone := cdshooks.Coding{System: overrideSystem, Code: "already-done", Display: "Already done"}
	declined := cdshooks.Coding{System: overrideSystem, Code: "patient-declined", Display: "Patient declined"}
	notCandidate := cdshooks.Coding{System: overrideSystem, Code: "not-candidate", Display: "Not a candidate"}
	fb := func(uuid, rule, outcome string, reason cdshooks.Coding, ts time.Time) cdshooks.Feedback {
		return cdshooks.Feedback{ServiceID: "ombc", Card: uuid, RuleCode: rule, Outcome: outcome,
			OverrideReason: reason, OutcomeTimestamp: ts, Received: ts}
	}
	feedback := []cdshooks.Feedback{
		fb("c1", "", OutcomeAccepted, cdshooks.Coding{}, h(1).Add(30*time.Minute)),
		fb("c1", "", OutcomeAccepted, cdshooks.Coding{}, h(1).Add(31*time.Minute)),
		fb("c0", "", OutcomeAccepted, cdshooks.Coding{}, h(5)),
		fb("c3", "", OutcomeOverridden, alreadyDone, h(2).Add(30*time.Minute)),
		fb("c5", "", OutcomeOverridden, alreadyDone, h(3).Add(30*time.Minute)),
		fb("c6", "tumor-board", OutcomeOverridden, declined, h(4).Add(30*time.Minute)),
		fb("c2", "", OutcomeOverridden, cdshooks.Coding{}, h(1).Add(45*time.Minute)),
		fb("c4", "", OutcomeAccepted, cdshooks.Coding{}, h(24)),
		fb("cx", "biopsy-metastasis", OutcomeOverridden, notCandidate, h(6)),
		fb("c9", "", OutcomeAccepted, cdshooks.Coding{}, h(25)),
	}
	if err := s.SaveFeedback(ctx, feedback); err != nil {
		tb.Fatalf("SaveFeedback: %v", err)
	}
	return t0, h(24)
}

func testReportFigures(t *testing.T, h harness) {
	s := newStore(t, h)
	from, to := reportDataset(t, s)
	got, err := s.Report(context.Background(), from, to)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	reason := func(code, display string, n int) ReasonCount {
		return ReasonCount{System: overrideSystem, Code: code, Display: display, Count: n}
	}
	want := Report{From: from, To: to, Rules: []RuleStats{
		{Code: "biopsy-metastasis", Overridden: 1,
			TopOverrideReasons: []ReasonCount{reason("not-candidate", "Not a candidate", 1)}},
		{Code: "staging-imaging", Shown: 2, Overridden: 1, TopOverrideReasons: []ReasonCount{}},
		{Code: "tumor-board", Shown: 4, Accepted: 2, Overridden: 3, AcceptanceRate: 0.5,
			TopOverrideReasons: []ReasonCount{
				reason("already-done", "Already done", 2),
				reason("patient-declined", "Patient declined", 1),
			}},
	}}
	if !got.From.Equal(want.From) || !got.To.Equal(want.To) {
		t.Errorf("period = %v to %v, want %v to %v", got.From, got.To, want.From, want.To)
	}
	if !reflect.DeepEqual(got.Rules, want.Rules) {
		t.Errorf("rules:\n got %+v\nwant %+v", got.Rules, want.Rules)
	}
}

func testReportBoundaries(t *testing.T, h harness) {
	s := newStore(t, h)
	ctx := context.Background()
	from, to := at("2025-04-01T00:00:00Z"), at("2025-04-02T00:00:00Z")
	times := []struct {
		card string
		at   time.Time
	}{
		{"before-start", from.Add(-time.Microsecond)},
		{"at-start", from},
		{"just-before-end", to.Add(-time.Microsecond)},
		{"at-end", to},
	}
	for _, tc := range times {
		if err := s.SaveIssued(ctx, []cdshooks.IssuedCard{{HookInstance: "h-" + tc.card, ServiceID: "svc",
			CardUUID: tc.card, RuleCode: "receptor-status", Issued: tc.at}}); err != nil {
			t.Fatalf("SaveIssued: %v", err)
		}
		// Feedback time is independent of when the card was shown: accept
		// each card at the same boundary time.
		if err := s.SaveFeedback(ctx, []cdshooks.Feedback{{ServiceID: "svc", Card: tc.card,
			Outcome: OutcomeAccepted, OutcomeTimestamp: tc.at, Received: tc.at}}); err != nil {
			t.Fatalf("SaveFeedback: %v", err)
		}
	}
	got, err := s.Report(ctx, from, to)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	want := []RuleStats{{Code: "receptor-status", Shown: 2, Accepted: 2, AcceptanceRate: 1,
		TopOverrideReasons: []ReasonCount{}}}
	if !reflect.DeepEqual(got.Rules, want) {
		t.Errorf("rules:\n got %+v\nwant %+v", got.Rules, want)
	}
}

func testReportEmptyPeriod(t *testing.T, h harness) {
	s := newStore(t, h)
	from := at("2025-04-01T00:00:00Z")
	tests := []struct {
		name string
		to   time.Time
	}{
		{"end equal to start", from},
		{"end before start", from.Add(-time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Report(context.Background(), from, tc.to)
			if !errors.Is(err, ErrInvalidPeriod) {
				t.Errorf("Report error = %v, want %v", err, ErrInvalidPeriod)
			}
		})
	}
}
