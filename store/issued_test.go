package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"ombc-cds/cdshooks"
)

// keepQueued holds issued cards in the queue until something flushes it.
func keepQueued() Option { return withIssuedQueue(0, 0, time.Hour) }

// storedIssued counts the issued-card rows in the database, not the queue.
func storedIssued(tb testing.TB, s Store) int {
	tb.Helper()
	var n int
	err := s.(*sqlStore).db.query(context.Background(), "SELECT COUNT(*) FROM issued_cards", nil,
		func(scan func(dest ...any) error) error { return scan(&n) })
	if err != nil {
		tb.Fatalf("count issued_cards: %v", err)
	}
	return n
}

// waitStored waits until the database holds n issued cards.
func waitStored(tb testing.TB, s Store, n int) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for storedIssued(tb, s) < n {
		if time.Now().After(deadline) {
			tb.Fatalf("issued cards stored = %d, want %d", storedIssued(tb, s), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hookCards are the cards of one hook call.
func hookCards(hook string, rules ...string) []cdshooks.IssuedCard {
	out := make([]cdshooks.IssuedCard, len(rules))
	for i, r := range rules {
		out[i] = cdshooks.IssuedCard{HookInstance: hook, ServiceID: "svc",
			CardUUID: fmt.Sprintf("%s-c%d", hook, i), RuleCode: r, Suggestions: []string{"s"}}
	}
	return out
}

func testIssuedQueued(t *testing.T, h harness) {
	clock := newFakeClock(at("2025-03-10T10:00:00Z"))
	s := newStore(t, h, WithClock(clock.now), keepQueued())
	ctx := context.Background()
	if err := s.SaveIssued(ctx, hookCards("h1", "tumor-board", "staging-imaging")); err != nil {
		t.Fatalf("SaveIssued: %v", err)
	}
	if n := storedIssued(t, s); n != 0 {
		t.Fatalf("issued cards stored before a flush = %d, want 0 (queued)", n)
	}
	for card, want := range map[string]string{"h1-c0": "tumor-board", "h1-c1": "staging-imaging", "other": ""} {
		if got, err := s.RuleCode(ctx, card); err != nil || got != want {
			t.Errorf("RuleCode(%q) of a queued card = %q, %v; want %q", card, got, err, want)
		}
	}
	rep, err := s.Report(ctx, clock.now().Add(-time.Hour), clock.now().Add(time.Hour))
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if len(rep.Rules) != 2 || rep.Rules[0].Shown != 1 || rep.Rules[1].Shown != 1 {
		t.Errorf("report of queued cards = %+v, want each rule shown once", rep.Rules)
	}
	if n := storedIssued(t, s); n != 2 {
		t.Errorf("issued cards stored after Report = %d, want 2", n)
	}
	// The issue time is the enqueue time, not the time of the flush.
	clock.advance(time.Hour)
	if err := s.SaveIssued(ctx, hookCards("h2", "tumor-board")); err != nil {
		t.Fatalf("SaveIssued: %v", err)
	}
	clock.advance(time.Hour)
	n, err := s.PurgeFeedback(ctx, clock.now().Add(-time.Hour))
	if err != nil {
		t.Fatalf("PurgeFeedback: %v", err)
	}
	if n != 2 {
		t.Errorf("rows purged = %d, want the 2 cards of h1 (h2 was queued at the cut-off)", n)
	}
	if got, err := s.RuleCode(ctx, "h2-c0"); err != nil || got != "tumor-board" {
		t.Errorf("RuleCode after purge = %q, %v; want tumor-board", got, err)
	}
}

func testIssuedWriter(t *testing.T, h harness) {
	tests := []struct {
		name string
		opt  Option
	}{
		{"a full batch is written without a flush", withIssuedQueue(0, 4, time.Hour)},
		{"a partial batch is written after the interval", withIssuedQueue(0, 1000, 10*time.Millisecond)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, h, tc.opt)
			for _, hook := range []string{"h1", "h2"} {
				if err := s.SaveIssued(context.Background(), hookCards(hook, "a", "b")); err != nil {
					t.Fatalf("SaveIssued: %v", err)
				}
			}
			waitStored(t, s, 4)
		})
	}
}

func testIssuedBackPressure(t *testing.T, h harness) {
	s := newStore(t, h, withIssuedQueue(2, 0, time.Hour))
	ctx := context.Background()
	steps := []struct {
		hook       string
		cards      int
		wantStored int
	}{
		{"h1", 2, 0}, // fills the queue
		{"h2", 1, 1}, // no room: written before SaveIssued returns
		{"h3", 3, 4}, // larger than the queue: written at once
	}
	for _, st := range steps {
		rules := make([]string, st.cards)
		for i := range rules {
			rules[i] = "tumor-board"
		}
		if err := s.SaveIssued(ctx, hookCards(st.hook, rules...)); err != nil {
			t.Fatalf("SaveIssued(%s): %v", st.hook, err)
		}
		if n := storedIssued(t, s); n != st.wantStored {
			t.Errorf("after %s: issued cards stored = %d, want %d", st.hook, n, st.wantStored)
		}
	}
}

func testIssuedClose(t *testing.T, h harness) {
	target := h.newTarget(t)
	ctx := context.Background()
	first, err := h.open(ctx, target, keepQueued())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := first.SaveIssued(ctx, hookCards("h1", "tumor-board")); err != nil {
		t.Fatalf("SaveIssued: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := first.SaveIssued(ctx, hookCards("h2", "tumor-board")); err == nil {
		t.Error("SaveIssued after Close returned no error")
	}
	second := openStore(t, h, target)
	if got, err := second.RuleCode(ctx, "h1-c0"); err != nil || got != "tumor-board" {
		t.Errorf("RuleCode after Close and reopen = %q, %v; want tumor-board", got, err)
	}
	if n := storedIssued(t, second); n != 1 {
		t.Errorf("issued cards stored = %d, want 1", n)
	}
}

func testIssuedConcurrent(t *testing.T, h harness) {
	// A small queue and batch so that the writer, back-pressure and
	// RuleCode all race.
	s := newStore(t, h, withIssuedQueue(16, 8, time.Millisecond))
	ctx := context.Background()
	const workers, calls = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				hook := fmt.Sprintf("w%d-h%d", w, i)
				if err := s.SaveIssued(ctx, hookCards(hook, "tumor-board", "staging-imaging")); err != nil {
					t.Errorf("SaveIssued: %v", err)
					return
				}
				if got, err := s.RuleCode(ctx, hook+"-c1"); err != nil || got != "staging-imaging" {
					t.Errorf("RuleCode(%s-c1) = %q, %v; want staging-imaging", hook, got, err)
				}
			}
		}()
	}
	wg.Wait()
	from, to := everything()
	rep, err := s.Report(ctx, from, to)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	for _, r := range rep.Rules {
		if r.Shown != workers*calls {
			t.Errorf("%s shown %d times, want %d", r.Code, r.Shown, workers*calls)
		}
	}
	if len(rep.Rules) != 2 {
		t.Errorf("rules = %+v, want two", rep.Rules)
	}
}
