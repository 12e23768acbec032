package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func testSeen(t *testing.T, h harness) {
	clock := newFakeClock(at("2025-03-10T10:00:00Z"))
	s := newStore(t, h, WithClock(clock.now))
	ctx := context.Background()
	exp := clock.now().Add(5 * time.Minute)
	steps := []struct {
		name    string
		key     string
		advance time.Duration
		exp     time.Time
		want    bool
	}{
		{"first use is not a replay", "jti-1", 0, exp, false},
		{"second use is a replay", "jti-1", 0, exp, true},
		{"another key is independent", "jti-2", 0, exp, false},
		{"still a replay one microsecond before expiry", "jti-1", 5*time.Minute - time.Microsecond, exp, true},
		{"after expiry the key is accepted again", "jti-1", time.Microsecond, exp.Add(5 * time.Minute), false},
		{"and is then a replay until the new expiry", "jti-1", time.Minute, exp.Add(5 * time.Minute), true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clock.advance(st.advance)
			got, err := s.Seen(ctx, st.key, st.exp)
			if err != nil {
				t.Fatalf("Seen: %v", err)
			}
			if got != st.want {
				t.Errorf("Seen(%q) at %v = %v, want %v", st.key, clock.now(), got, st.want)
			}
		})
	}
	t.Run("empty key is an error", func(t *testing.T) {
		if _, err := s.Seen(ctx, "", exp); err == nil {
			t.Error("Seen(\"\") returned no error")
		}
	})
}

// countFresh calls seen from n goroutines at once and counts the answers
// "not seen before".
func countFresh(t *testing.T, n int, seen func() (bool, error)) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fresh int
	)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got, err := seen()
			if err != nil {
				t.Errorf("Seen: %v", err)
				return
			}
			if !got {
				mu.Lock()
				fresh++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return fresh
}

func testSeenConcurrent(t *testing.T, h harness) {
	s := newStore(t, h)
	exp := time.Now().Add(time.Hour)
	fresh := countFresh(t, 20, func() (bool, error) { return s.Seen(context.Background(), "jti-race", exp) })
	if fresh != 1 {
		t.Errorf("concurrent Seen answered false %d times, want exactly 1", fresh)
	}
}

func testPurgeExpired(t *testing.T, h harness) {
	clock := newFakeClock(at("2025-03-10T10:00:00Z"))
	s := newStore(t, h, WithClock(clock.now))
	ctx := context.Background()
	for key, exp := range map[string]time.Time{
		"expired": clock.now().Add(-time.Minute),
		"at-now":  clock.now(),
		"live":    clock.now().Add(time.Minute),
	} {
		if _, err := s.Seen(ctx, key, exp); err != nil {
			t.Fatalf("Seen(%q): %v", key, err)
		}
	}
	n, err := s.PurgeExpired(ctx, clock.now())
	if err != nil {
		t.Fatalf("PurgeExpired: %v", err)
	}
	if n != 2 {
		t.Errorf("entries purged = %d, want 2", n)
	}
	if again, err := s.Seen(ctx, "live", clock.now().Add(time.Minute)); err != nil || !again {
		t.Errorf("Seen(live) after purge = %v, %v; want true (the live entry is kept)", again, err)
	}
}

func testSeenAcrossInstances(t *testing.T, h harness) {
	if h.name == "sqlite" {
		// SQLite answers Seen from the memory of the one process that owns
		// the file (doc.go); replicas use PostgreSQL. What SQLite keeps
		// across instances, one after the other, is testSeenAfterRestart.
		t.Skip("two live SQLite stores on one file are not a supported deployment for replay protection")
	}
	target := h.newTarget(t)
	first := openStore(t, h, target)
	second := openStore(t, h, target)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	if got, err := first.Seen(ctx, "jti-shared", exp); err != nil || got {
		t.Fatalf("first instance Seen = %v, %v; want false", got, err)
	}
	if got, err := second.Seen(ctx, "jti-shared", exp); err != nil || !got {
		t.Errorf("second instance Seen of the first's jti = %v, %v; want true (replay refused)", got, err)
	}
	stores := []Store{first, second}
	i := 0
	var mu sync.Mutex
	fresh := countFresh(t, 20, func() (bool, error) {
		mu.Lock()
		s := stores[i%2]
		i++
		mu.Unlock()
		return s.Seen(ctx, "jti-race-two-instances", exp)
	})
	if fresh != 1 {
		t.Errorf("Seen from two instances answered false %d times, want exactly 1", fresh)
	}
}

// testSeenAfterRestart closes a store and opens another on the same
// target: a live key seen by the first is refused by the second, and a
// key that expired in between is accepted again.
func testSeenAfterRestart(t *testing.T, h harness) {
	clock := newFakeClock(at("2025-03-10T10:00:00Z"))
	target := h.newTarget(t)
	ctx := context.Background()
	first, err := h.open(ctx, target, WithClock(clock.now), keepReplayQueued())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for key, exp := range map[string]time.Time{
		"live":      clock.now().Add(time.Hour),
		"short":     clock.now().Add(time.Minute),
		"long-gone": clock.now().Add(-time.Minute),
	} {
		if got, err := first.Seen(ctx, key, exp); err != nil || got {
			t.Fatalf("first Seen(%q) = %v, %v; want false", key, got, err)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	clock.advance(2 * time.Minute)
	second := openStore(t, h, target, WithClock(clock.now))
	for key, want := range map[string]bool{"live": true, "short": false, "long-gone": false, "new": false} {
		got, err := second.Seen(ctx, key, clock.now().Add(time.Hour))
		if err != nil || got != want {
			t.Errorf("Seen(%q) after restart = %v, %v; want %v", key, got, err, want)
		}
	}
}

// withReplayQueue sets the capacity, batch size and flush interval of the
// SQLite replay cache's write-behind queue; non-positive values keep the
// defaults.
func withReplayQueue(capacity, batch int, interval time.Duration) Option {
	return func(o *options) {
		if capacity > 0 {
			o.replayCapacity = capacity
		}
		if batch > 0 {
			o.replayBatch = batch
		}
		if interval > 0 {
			o.replayInterval = interval
		}
	}
}

// keepReplayQueued holds replay keys in the queue until something flushes
// it, so that a test sees what Close or PurgeExpired writes.
func keepReplayQueued() Option { return withReplayQueue(0, 0, time.Hour) }

// storedReplay counts the rows of the replay table, not the memory.
func storedReplay(tb testing.TB, s Store) int {
	tb.Helper()
	var n int
	err := s.(*sqlStore).db.query(context.Background(), "SELECT COUNT(*) FROM replay", nil,
		func(scan func(dest ...any) error) error { return scan(&n) })
	if err != nil {
		tb.Fatalf("count replay: %v", err)
	}
	return n
}

// TestSQLiteReplayWriteBehind checks that SQLite answers Seen from memory
// and persists the keys behind it: by the background writer within its
// interval, in batches, and by Close.
func TestSQLiteReplayWriteBehind(t *testing.T) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	t.Run("Seen writes nothing itself; the writer does within its interval", func(t *testing.T) {
		s := newStore(t, sqliteHarness(), withReplayQueue(0, 0, 20*time.Millisecond))
		for i := range 300 {
			if got, err := s.Seen(ctx, fmt.Sprintf("jti-%d", i), exp); err != nil || got {
				t.Fatalf("Seen(jti-%d) = %v, %v; want false", i, got, err)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for storedReplay(t, s) < 300 {
			if time.Now().After(deadline) {
				t.Fatalf("replay rows = %d after 10 s, want 300", storedReplay(t, s))
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	t.Run("queued keys are refused, and written by Close", func(t *testing.T) {
		target := t.TempDir()
		s, err := OpenSQLite(ctx, target, keepReplayQueued())
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if got, err := s.Seen(ctx, "jti-queued", exp); err != nil || got {
			t.Fatalf("Seen = %v, %v; want false", got, err)
		}
		if got, err := s.Seen(ctx, "jti-queued", exp); err != nil || !got {
			t.Errorf("second Seen before any flush = %v, %v; want true (memory is authoritative)", got, err)
		}
		if n := storedReplay(t, s); n != 0 {
			t.Errorf("replay rows before a flush = %d, want 0 (queued)", n)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		reopened := openStore(t, sqliteHarness(), target)
		if n := storedReplay(t, reopened); n != 1 {
			t.Errorf("replay rows after Close = %d, want 1", n)
		}
	})
	t.Run("a full queue writes the key before Seen returns", func(t *testing.T) {
		s := newStore(t, sqliteHarness(), withReplayQueue(2, 0, time.Hour))
		for i := range 5 {
			if got, err := s.Seen(ctx, fmt.Sprintf("jti-%d", i), exp); err != nil || got {
				t.Fatalf("Seen(jti-%d) = %v, %v; want false", i, got, err)
			}
		}
		if n, q := storedReplay(t, s), s.(*sqlStore).replay.queue.len(); n+q != 5 || n == 0 {
			t.Errorf("replay rows %d + queued %d, want 5 with some written synchronously", n, q)
		}
	})
	t.Run("a later acceptance of a key keeps the later expiry whatever the write order", func(t *testing.T) {
		s := newStore(t, sqliteHarness(), keepReplayQueued())
		ss := s.(*sqlStore)
		early, late := at("2025-03-10T10:00:00Z"), at("2025-03-10T11:00:00Z")
		if err := ss.writeReplay(ctx, []replayKey{{"jti", late}, {"jti", early}}); err != nil {
			t.Fatalf("writeReplay: %v", err)
		}
		var got any
		err := ss.db.query(ctx, "SELECT expires_at FROM replay WHERE key = 'jti'", nil,
			func(scan func(dest ...any) error) error { return scan(&got) })
		if err != nil {
			t.Fatalf("select: %v", err)
		}
		if exp, err := decodeTime(got); err != nil || !exp.Equal(late) {
			t.Errorf("stored expiry = %v, %v; want %v", exp, err, late)
		}
	})
}

// TestReplayCacheSweep checks that expired keys leave memory: once the
// map has doubled since the last sweep, and on PurgeExpired.
func TestReplayCacheSweep(t *testing.T) {
	clock := newFakeClock(at("2025-03-10T10:00:00Z"))
	s := newStore(t, sqliteHarness(), WithClock(clock.now))
	ss := s.(*sqlStore)
	ctx := context.Background()
	seen := func(key string, exp time.Time) bool {
		t.Helper()
		got, err := s.Seen(ctx, key, exp)
		if err != nil {
			t.Fatalf("Seen(%q): %v", key, err)
		}
		return got
	}
	for i := range replaySweepMin - 1 {
		seen(fmt.Sprintf("short-%d", i), clock.now().Add(time.Minute))
	}
	seen("live", clock.now().Add(time.Hour))
	if n := ss.replay.len(); n != replaySweepMin {
		t.Fatalf("keys in memory = %d, want %d (a sweep with nothing expired keeps all)", n, replaySweepMin)
	}
	clock.advance(2 * time.Minute)
	// The next sweep comes when the map has doubled; the short keys have
	// expired by then, and so have these, which expire at once.
	for i := range replaySweepMin {
		seen(fmt.Sprintf("instant-%d", i), clock.now())
	}
	if n := ss.replay.len(); n != 1 {
		t.Errorf("keys in memory after the sweep = %d, want 1 (live)", n)
	}
	if !seen("live", clock.now().Add(time.Hour)) {
		t.Error("Seen(live) after a sweep = false, want true")
	}
	clock.advance(2 * time.Hour)
	n, err := s.PurgeExpired(ctx, clock.now())
	if err != nil {
		t.Fatalf("PurgeExpired: %v", err)
	}
	if n != 2*replaySweepMin {
		t.Errorf("PurgeExpired deleted %d rows, want %d (queued keys are written first)", n, 2*replaySweepMin)
	}
	if left := storedReplay(t, s); left != 0 {
		t.Errorf("replay rows after PurgeExpired = %d, want 0", left)
	}
	if k := ss.replay.len(); k != 0 {
		t.Errorf("keys in memory after PurgeExpired = %d, want 0", k)
	}
}

// TestSQLiteSeenConcurrentKeys has goroutines race on many keys at once,
// with the writer flushing under them: each key is fresh exactly once,
// and every key reaches the database by Close.
func TestSQLiteSeenConcurrentKeys(t *testing.T) {
	const goroutines, keys = 8, 500
	target := t.TempDir()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, target, withReplayQueue(0, 64, time.Millisecond))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	exp := time.Now().Add(time.Hour)
	fresh := make([][]int, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		fresh[g] = make([]int, keys)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range keys {
				got, err := s.Seen(ctx, fmt.Sprintf("jti-%d", (i+g*61)%keys), exp)
				if err != nil {
					t.Errorf("Seen: %v", err)
					return
				}
				if !got {
					fresh[g][(i+g*61)%keys]++
				}
			}
		}()
	}
	wg.Wait()
	for i := range keys {
		n := 0
		for g := range goroutines {
			n += fresh[g][i]
		}
		if n != 1 {
			t.Errorf("jti-%d answered false %d times, want exactly 1", i, n)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Seen(ctx, "after-close", exp); err == nil {
		t.Error("Seen after Close returned no error; want the failed write (fail closed)")
	}
	if n := storedReplay(t, openStore(t, sqliteHarness(), target)); n != keys {
		t.Errorf("replay rows after Close = %d, want %d", n, keys)
	}
}
