package store

import (
	"context"
	"sync"
	"testing"

	"ombc-cds/cdshooks"
)

// appliedVersions returns schema_migrations' versions in order.
func appliedVersions(tb testing.TB, s Store) []int {
	tb.Helper()
	ss, ok := s.(*sqlStore)
	if !ok {
		tb.Fatalf("store is %T, want *sqlStore", s)
	}
	var versions []int
	err := ss.db.query(context.Background(), "SELECT version FROM schema_migrations ORDER BY version", nil,
		func(scan func(dest ...any) error) error {
			var v int
			if err := scan(&v); err != nil {
				return err
			}
			versions = append(versions, v)
			return nil
		})
	if err != nil {
		tb.Fatalf("read schema_migrations: %v", err)
	}
	return versions
}

// wantVersions lists the versions of every migration of the store's dialect.
func wantVersions(s Store) []int {
	var out []int
	for _, m := range s.(*sqlStore).d.migrations() {
		out = append(out, m.version)
	}
	return out
}

func testMigrationsTwice(t *testing.T, h harness) {
	target := h.newTarget(t)
	ctx := context.Background()
	first := openStore(t, h, target)
	item := cdshooks.Feedback{ServiceID: "svc", Card: "kept", Outcome: OutcomeAccepted,
		OutcomeTimestamp: at("2025-03-10T10:00:00Z"), Received: at("2025-03-10T10:00:00Z")}
	if err := first.SaveFeedback(ctx, []cdshooks.Feedback{item}); err != nil {
		t.Fatalf("SaveFeedback: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second := openStore(t, h, target)
	third := openStore(t, h, target)
	for name, s := range map[string]Store{"second open": second, "third open": third} {
		got := appliedVersions(t, s)
		if want := wantVersions(s); len(got) != len(want) || got[0] != want[0] {
			t.Errorf("%s: schema_migrations = %v, want %v", name, got, want)
		}
		if fb := listAll(t, s); len(fb) != 1 || fb[0].Card != "kept" {
			t.Errorf("%s: feedback = %+v, want the one saved before", name, fb)
		}
	}
}

func testMigrationsConcurrent(t *testing.T, h harness) {
	target := h.newTarget(t)
	const opens = 4
	stores := make([]Store, opens)
	errs := make([]error, opens)
	var wg sync.WaitGroup
	for i := range opens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = h.open(context.Background(), target)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		s := stores[i]
		t.Cleanup(func() { _ = s.Close() })
	}
	if t.Failed() {
		return
	}
	got := appliedVersions(t, stores[0])
	if want := wantVersions(stores[0]); len(got) != len(want) {
		t.Errorf("schema_migrations = %v, want %v", got, want)
	}
}
