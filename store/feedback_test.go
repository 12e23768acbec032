package store

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"ombc-cds/cdshooks"
)

// overrideSystem is the project's own code system for override reasons in
// the test data.
const overrideSystem = "urn:ombc-cds:override-reason"

// everything is the period that holds every time used in the tests.
func everything() (time.Time, time.Time) {
	return at("2000-01-01T00:00:00Z"), at("2100-01-01T00:00:00Z")
}

// listAll returns every stored feedback item.
func listAll(tb testing.TB, s Store) []cdshooks.Feedback {
	tb.Helper()
	from, to := everything()
	got, err := s.ListFeedback(context.Background(), from, to)
	if err != nil {
		tb.Fatalf("ListFeedback: %v", err)
	}
	return got
}

func testFeedbackRoundTrip(t *testing.T, h harness) {
	s := newStore(t, h)
	ctx := context.Background()
	want := []cdshooks.Feedback{
		{
			ServiceID:           "ombc-patient-view",
			Card:                "card-accepted",
			RuleCode:            "tumor-board",
			Outcome:             OutcomeAccepted,
			AcceptedSuggestions: []string{"sugg-1", "sugg-2"},
			UserComment:         "referred today",
			OutcomeTimestamp:    at("2025-03-10T10:15:30.123456Z"),
			Received:            at("2025-03-10T10:15:31.654321Z"),
			Issuer:              "https://ehr.example.org",
		},
		{
			ServiceID:        "ombc-patient-view",
			Card:             "card-overridden",
			RuleCode:         "staging-imaging",
			Outcome:          OutcomeOverridden,
			OverrideReason:   cdshooks.Coding{System: overrideSystem, Code: "already-done", Display: "Already done elsewhere"},
			UserComment:      "PET/CT at the referring hospital; ünïcödé 'quotes' \"double\"",
			OutcomeTimestamp: at("2025-03-10T11:00:00Z"),
			Received:         at("2025-03-10T11:00:01.000001Z"),
		},
	}
	if err := s.SaveFeedback(ctx, want); err != nil {
		t.Fatalf("SaveFeedback: %v", err)
	}
	got := listAll(t, s)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back:\n got %+v\nwant %+v", got, want)
	}
}

func testFeedbackDuplicates(t *testing.T, h harness) {
	s := newStore(t, h)
	ctx := context.Background()
	item := cdshooks.Feedback{
		ServiceID: "ombc-patient-view", Card: "card-1", Outcome: OutcomeAccepted,
		OutcomeTimestamp: at("2025-03-10T10:00:00Z"), Received: at("2025-03-10T10:00:01Z"),
	}
	later := item
	later.OutcomeTimestamp = item.OutcomeTimestamp.Add(time.Second)
	overridden := item
	overridden.Outcome = OutcomeOverridden

	tests := []struct {
		name  string
		batch []cdshooks.Feedback
		want  int // rows stored in total after the batch
	}{
		{"first item is stored", []cdshooks.Feedback{item}, 1},
		{"the same item resent is dropped", []cdshooks.Feedback{item}, 1},
		{"a duplicate within one batch is dropped", []cdshooks.Feedback{item, item}, 1},
		{"another outcome timestamp is a new item", []cdshooks.Feedback{later}, 2},
		{"another outcome is a new item", []cdshooks.Feedback{overridden}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.SaveFeedback(ctx, tc.batch); err != nil {
				t.Fatalf("SaveFeedback: %v", err)
			}
			if got := len(listAll(t, s)); got != tc.want {
				t.Errorf("rows stored = %d, want %d", got, tc.want)
			}
		})
	}
}

func testFeedbackConcurrent(t *testing.T, h harness) {
	s := newStore(t, h)
	ctx := context.Background()
	const workers = 50
	base := at("2025-03-10T10:00:00Z")
	shared := cdshooks.Feedback{ServiceID: "svc", Card: "shared", Outcome: OutcomeAccepted,
		OutcomeTimestamp: base, Received: base}

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := []cdshooks.Feedback{shared}
			for j := range 2 {
				batch = append(batch, cdshooks.Feedback{
					ServiceID: "svc", Card: fmt.Sprintf("card-%d-%d", i, j), Outcome: OutcomeAccepted,
					OutcomeTimestamp: base, Received: base.Add(time.Duration(i) * time.Millisecond),
				})
			}
			errs <- s.SaveFeedback(ctx, batch)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("SaveFeedback: %v", err)
		}
	}
	got := listAll(t, s)
	if want := 2*workers + 1; len(got) != want {
		t.Fatalf("rows stored = %d, want %d", len(got), want)
	}
	cards := map[string]bool{}
	for _, f := range got {
		cards[f.Card] = true
	}
	for i := range workers {
		for j := range 2 {
			if c := fmt.Sprintf("card-%d-%d", i, j); !cards[c] {
				t.Errorf("card %s lost", c)
			}
		}
	}
}

func testRuleCode(t *testing.T, h harness) {
	s := newStore(t, h)
	ctx := context.Background()
	err := s.SaveIssued(ctx, []cdshooks.IssuedCard{
		{HookInstance: "h1", ServiceID: "svc", CardUUID: "c1", RuleCode: "tumor-board",
			Suggestions: []string{"s1"}, Issued: at("2025-03-10T10:00:00Z")},
		{HookInstance: "h1", ServiceID: "svc", CardUUID: "c2", RuleCode: "receptor-status",
			Issued: at("2025-03-10T10:00:00Z")},
	})
	if err != nil {
		t.Fatalf("SaveIssued: %v", err)
	}
	tests := []struct{ card, want string }{
		{"c1", "tumor-board"},
		{"c2", "receptor-status"},
		{"never-issued", ""},
	}
	for _, tc := range tests {
		t.Run(tc.card, func(t *testing.T) {
			got, err := s.RuleCode(ctx, tc.card)
			if err != nil {
				t.Fatalf("RuleCode: %v", err)
			}
			if got != tc.want {
				t.Errorf("RuleCode(%q) = %q, want %q", tc.card, got, tc.want)
			}
		})
	}
}

func testRetentionPurge(t *testing.T, h harness) {
	s := newStore(t, h)
	ctx := context.Background()
	now := at("2025-03-10T00:00:00Z")
	fb := func(card string, received time.Time) cdshooks.Feedback {
		return cdshooks.Feedback{ServiceID: "svc", Card: card, Outcome: OutcomeAccepted,
			OutcomeTimestamp: received, Received: received}
	}
	if err := s.SaveFeedback(ctx, []cdshooks.Feedback{
		fb("old", now.AddDate(0, 0, -10)),
		fb("at-cutoff", now.AddDate(0, 0, -2)),
		fb("recent", now.AddDate(0, 0, -1)),
	}); err != nil {
		t.Fatalf("SaveFeedback: %v", err)
	}
	if err := s.SaveIssued(ctx, []cdshooks.IssuedCard{
		{HookInstance: "h-old", ServiceID: "svc", CardUUID: "old", RuleCode: "tumor-board", Issued: now.AddDate(0, 0, -10)},
		{HookInstance: "h-new", ServiceID: "svc", CardUUID: "recent", RuleCode: "tumor-board", Issued: now.AddDate(0, 0, -1)},
	}); err != nil {
		t.Fatalf("SaveIssued: %v", err)
	}

	n, err := s.PurgeFeedback(ctx, now.AddDate(0, 0, -2))
	if err != nil {
		t.Fatalf("PurgeFeedback: %v", err)
	}
	if n != 2 {
		t.Errorf("rows purged = %d, want 2 (one feedback, one issued card)", n)
	}
	var cards []string
	for _, f := range listAll(t, s) {
		cards = append(cards, f.Card)
	}
	if want := []string{"at-cutoff", "recent"}; !reflect.DeepEqual(cards, want) {
		t.Errorf("feedback left = %v, want %v", cards, want)
	}
	for card, want := range map[string]string{"old": "", "recent": "tumor-board"} {
		if got, err := s.RuleCode(ctx, card); err != nil || got != want {
			t.Errorf("RuleCode(%q) after purge = %q, %v; want %q", card, got, err, want)
		}
	}
}

func testPing(t *testing.T, h harness) {
	s := newStore(t, h)
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
