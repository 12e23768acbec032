package store

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// purgeFake records the purges the Janitor asks for.
type purgeFake struct {
	Store
	expired  chan time.Time
	feedback chan time.Time
	err      error
}

func (f purgeFake) PurgeExpired(_ context.Context, now time.Time) (int64, error) {
	f.expired <- now
	return 1, f.err
}

func (f purgeFake) PurgeFeedback(_ context.Context, before time.Time) (int64, error) {
	f.feedback <- before
	return 1, f.err
}

func TestJanitor(t *testing.T) {
	now := at("2025-03-31T12:00:00Z")
	tests := []struct {
		name       string
		retention  time.Duration
		err        error
		wantBefore time.Time // zero: no feedback purge
	}{
		{"purges replay entries and old feedback", 90 * 24 * time.Hour, nil, now.Add(-90 * 24 * time.Hour)},
		{"zero retention keeps feedback", 0, nil, time.Time{}},
		{"failed purges are retried", time.Hour, errors.New("database is locked"), now.Add(-time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := purgeFake{expired: make(chan time.Time, 10), feedback: make(chan time.Time, 10), err: tc.err}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				Janitor(ctx, f, time.Millisecond, tc.retention, func() time.Time { return now }, slog.New(slog.DiscardHandler))
			}()
			// Two rounds: the one at start and one on the ticker.
			for round := range 2 {
				if got := <-f.expired; !got.Equal(now) {
					t.Errorf("round %d: PurgeExpired(%v), want %v", round, got, now)
				}
				if tc.wantBefore.IsZero() {
					continue
				}
				if got := <-f.feedback; !got.Equal(tc.wantBefore) {
					t.Errorf("round %d: PurgeFeedback(%v), want %v", round, got, tc.wantBefore)
				}
			}
			cancel()
			// Drain so a round in progress can finish, then wait for exit.
			for {
				select {
				case <-f.expired:
				case <-f.feedback:
				case <-done:
					if tc.wantBefore.IsZero() && len(f.feedback) > 0 {
						t.Error("PurgeFeedback called with zero retention")
					}
					return
				}
			}
		})
	}
}
