package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"ombc-cds/cdshooks"
)

// fakeWriter records the transactions of an issuedQueue; a card whose
// uuid is in fail makes its transaction fail.
type fakeWriter struct {
	mu      sync.Mutex
	fail    map[string]bool
	txs     [][]string // the card uuids of each committed transaction
	written chan struct{}
}

func newFakeWriter(fail ...string) *fakeWriter {
	w := &fakeWriter{fail: map[string]bool{}, written: make(chan struct{}, 100)}
	for _, f := range fail {
		w.fail[f] = true
	}
	return w
}

func (w *fakeWriter) write(_ context.Context, cards []cdshooks.IssuedCard) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var uuids []string
	for _, c := range cards {
		if w.fail[c.CardUUID] {
			return fmt.Errorf("refused %s", c.CardUUID)
		}
		uuids = append(uuids, c.CardUUID)
	}
	w.txs = append(w.txs, uuids)
	select {
	case w.written <- struct{}{}:
	default:
	}
	return nil
}

// cards returns every committed uuid in commit order.
func (w *fakeWriter) cards() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, tx := range w.txs {
		out = append(out, tx...)
	}
	return out
}

func (w *fakeWriter) transactions() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.txs)
}

// waitWritten waits for the writer to commit n cards in all.
func (w *fakeWriter) waitWritten(tb testing.TB, n int) {
	tb.Helper()
	deadline := time.After(10 * time.Second)
	for len(w.cards()) < n {
		select {
		case <-w.written:
		case <-deadline:
			tb.Fatalf("cards written = %v, want %d", w.cards(), n)
		}
	}
}

// issued returns one card per uuid, all shown by one hook call.
func issued(uuids ...string) []cdshooks.IssuedCard {
	out := make([]cdshooks.IssuedCard, len(uuids))
	for i, u := range uuids {
		out[i] = cdshooks.IssuedCard{HookInstance: "h-" + u, ServiceID: "svc", CardUUID: u, RuleCode: "rule-" + u}
	}
	return out
}

// testQueue starts a queue over w and stops it when the test ends.
func testQueue(t *testing.T, w *fakeWriter, capacity, batch int, interval, retry time.Duration) *issuedQueue {
	t.Helper()
	o := defaultOptions()
	o.issuedCapacity, o.issuedBatch, o.issuedInterval, o.issuedRetry = capacity, batch, interval, retry
	q := newIssuedQueue(w.write, o)
	t.Cleanup(func() { _ = q.close(context.Background()) })
	return q
}

func TestIssuedQueueWritesInBatches(t *testing.T) {
	tests := []struct {
		name     string
		batch    int
		interval time.Duration
		calls    [][]string
		wantTxs  int // transactions once every card is written, 0: not checked
	}{
		{"a full batch is written without waiting for the interval", 4, time.Hour,
			[][]string{{"a", "b"}, {"c", "d"}}, 1},
		{"a partial batch is written after the interval", 100, 10 * time.Millisecond,
			[][]string{{"a"}, {"b", "c"}}, 0},
		{"a call larger than a batch is written alone", 2, time.Hour,
			[][]string{{"a", "b", "c"}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newFakeWriter()
			q := testQueue(t, w, 100, tc.batch, tc.interval, time.Hour)
			var want []string
			for _, call := range tc.calls {
				if !q.enqueue(issued(call...), time.Now()) {
					t.Fatalf("enqueue(%v) refused", call)
				}
				want = append(want, call...)
			}
			w.waitWritten(t, len(want))
			if got := w.cards(); !slices.Equal(got, want) {
				t.Errorf("written %v, want %v", got, want)
			}
			if n := w.transactions(); tc.wantTxs > 0 && n != tc.wantTxs {
				t.Errorf("transactions = %d, want %d", n, tc.wantTxs)
			}
			if n := q.len(); n != 0 {
				t.Errorf("cards still queued = %d, want 0", n)
			}
		})
	}
}

func TestIssuedQueueEnqueue(t *testing.T) {
	now := at("2025-03-10T10:00:00Z")
	w := newFakeWriter()
	q := testQueue(t, w, 3, 100, time.Hour, time.Hour)
	suggestions := []string{"s1"}
	first := issued("a", "b")
	first[0].Suggestions = suggestions
	first[1].Issued = now.Add(-time.Minute)
	steps := []struct {
		name  string
		cards []cdshooks.IssuedCard
		want  bool
	}{
		{"room for two", first, true},
		{"room for one more", issued("c"), true},
		{"no room: the caller writes synchronously", issued("d"), false},
	}
	for _, st := range steps {
		if got := q.enqueue(st.cards, now); got != st.want {
			t.Errorf("%s: enqueue = %v, want %v", st.name, got, st.want)
		}
	}
	suggestions[0] = "changed by the caller"
	first[0].RuleCode = "changed by the caller"
	if got := q.pending[0].items[0]; got.Suggestions[0] != "s1" || got.RuleCode != "rule-a" {
		t.Errorf("queued card shares the caller's memory: %+v", got)
	}
	if got := q.pending[0].items[0].Issued; !got.Equal(now) {
		t.Errorf("zero issue time stamped %v, want the enqueue time %v", got, now)
	}
	if got := q.pending[0].items[1].Issued; !got.Equal(now.Add(-time.Minute)) {
		t.Errorf("issue time %v overwritten", got)
	}
	if err := q.close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}
	if got, want := w.cards(), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("written at close %v, want %v", got, want)
	}
	if q.enqueue(issued("e"), now) {
		t.Error("a closed queue accepted cards")
	}
}

func TestIssuedQueueRuleCode(t *testing.T) {
	now := at("2025-03-10T10:00:00Z")
	q := testQueue(t, newFakeWriter(), 100, 100, time.Hour, time.Hour)
	older := issued("c1")
	older[0].RuleCode, older[0].Issued = "older", now.Add(-time.Second)
	newer := issued("c1")
	newer[0].RuleCode, newer[0].HookInstance = "newer", "h2"
	sameTime := issued("c2")
	sameTime[0].RuleCode = "first"
	sameTimeLater := issued("c2")
	sameTimeLater[0].RuleCode, sameTimeLater[0].HookInstance = "second", "h2"
	for _, cards := range [][]cdshooks.IssuedCard{newer, older, sameTime, sameTimeLater} {
		q.enqueue(cards, now)
	}
	// Move the first two calls in flight, as a drain in progress would.
	if _, n := q.take(); n != 4 {
		t.Fatalf("took %d cards, want 4", n)
	}
	q.enqueue(issued("c3"), now)
	tests := []struct {
		card      string
		want      string
		wantFound bool
	}{
		{"c1", "newer", true},  // latest issue time wins
		{"c2", "second", true}, // same time: the last queued wins
		{"c3", "rule-c3", true},
		{"unknown", "", false},
	}
	for _, tc := range tests {
		got, found := q.ruleCode(tc.card)
		if got != tc.want || found != tc.wantFound {
			t.Errorf("ruleCode(%q) = %q, %v; want %q, %v", tc.card, got, found, tc.want, tc.wantFound)
		}
	}
	q.mu.Lock()
	q.inflight = nil // let close write only what is pending
	q.mu.Unlock()
}

func TestIssuedQueueFailures(t *testing.T) {
	t.Run("a refused call is dropped after the last attempt, the others are written", func(t *testing.T) {
		w := newFakeWriter("bad")
		q := testQueue(t, w, 100, 100, time.Millisecond, time.Hour)
		for _, call := range [][]string{{"a"}, {"bad", "b"}, {"c"}} {
			q.enqueue(issued(call...), time.Now())
		}
		w.waitWritten(t, 2)
		if got, want := w.cards(), []string{"a", "c"}; !slices.Equal(got, want) {
			t.Errorf("written %v, want %v", got, want)
		}
		if code, ok := q.ruleCode("b"); !ok || code != "rule-b" {
			t.Errorf("ruleCode of a card queued for retry = %q, %v; want rule-b, true", code, ok)
		}
		// The writer tried once; each flush is one more attempt.
		flushes := 0
		for q.len() > 0 && flushes < queueMaxAttempts {
			if err := q.flush(context.Background()); err == nil {
				t.Fatal("flush reported no error for a refused call")
			}
			flushes++
		}
		if n := q.len(); n != 0 || flushes != queueMaxAttempts-1 {
			t.Fatalf("after %d flushes %d cards are queued; want dropped after %d attempts", flushes, n, queueMaxAttempts)
		}
		if _, ok := q.ruleCode("b"); ok {
			t.Error("a dropped card is still found")
		}
		if err := q.close(context.Background()); err == nil {
			t.Error("close did not report the dropped cards")
		}
	})
	t.Run("a failure that clears is retried and nothing is lost", func(t *testing.T) {
		w := newFakeWriter("a")
		q := testQueue(t, w, 100, 100, 5*time.Millisecond, 5*time.Millisecond)
		q.enqueue(issued("a"), time.Now())
		if err := q.flush(context.Background()); err == nil {
			t.Fatal("flush reported no error")
		}
		w.mu.Lock()
		w.fail = nil
		w.mu.Unlock()
		w.waitWritten(t, 1)
		if err := q.close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	t.Run("close reports cards it could not write", func(t *testing.T) {
		w := newFakeWriter("a")
		q := testQueue(t, w, 100, 100, time.Hour, time.Hour)
		q.enqueue(issued("a"), time.Now())
		if err := q.close(context.Background()); err == nil {
			t.Fatal("close reported no error")
		}
		if n := q.len(); n != 1 {
			t.Errorf("cards counted as queued = %d, want 1", n)
		}
	})
}
