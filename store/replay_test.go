package store

import (
	"context"
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
