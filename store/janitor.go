package store

import (
	"context"
	"log/slog"
	"time"
)

// Janitor purges expired replay entries and, when retention is positive,
// feedback and issued cards older than retention; it runs once at once and
// then every interval until ctx ends. A failed purge is logged and retried
// at the next tick: it never stops the service.
func Janitor(ctx context.Context, s Store, every, retention time.Duration, now func() time.Time, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		purgeOnce(ctx, s, retention, now(), log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purgeOnce runs both purges once.
func purgeOnce(ctx context.Context, s Store, retention time.Duration, now time.Time, log *slog.Logger) {
	if n, err := s.PurgeExpired(ctx, now); err != nil {
		if ctx.Err() == nil {
			log.WarnContext(ctx, "replay cache purge failed", "err", err)
		}
	} else if n > 0 {
		log.InfoContext(ctx, "replay cache purged", "rows", n)
	}
	if retention <= 0 {
		return
	}
	before := now.Add(-retention)
	if n, err := s.PurgeFeedback(ctx, before); err != nil {
		if ctx.Err() == nil {
			log.WarnContext(ctx, "feedback retention purge failed", "err", err)
		}
	} else if n > 0 {
		log.InfoContext(ctx, "feedback retention purge", "rows", n, "before", before)
	}
}
