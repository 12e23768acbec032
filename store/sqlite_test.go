package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSQLitePragmas(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data dir with spaces?#")
	s := openStore(t, sqliteHarness(), dir)
	ss := s.(*sqlStore)
	tests := []struct {
		handle string
		db     database
		pragma string
		want   string
	}{
		{"durable", ss.db, "journal_mode", "wal"},
		{"durable", ss.db, "synchronous", "2"}, // FULL: feedback
		{"durable", ss.db, "busy_timeout", "10000"},
		{"fast", ss.fast, "journal_mode", "wal"},
		{"fast", ss.fast, "synchronous", "1"}, // NORMAL: replay cache, issued cards
		{"fast", ss.fast, "busy_timeout", "10000"},
	}
	for _, tc := range tests {
		t.Run(tc.handle+" "+tc.pragma, func(t *testing.T) {
			var got string
			err := tc.db.query(context.Background(), "PRAGMA "+tc.pragma, nil,
				func(scan func(dest ...any) error) error { return scan(&got) })
			if err != nil {
				t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, SQLiteFile)); err != nil {
		t.Errorf("database file not created: %v", err)
	}
}

func TestOpenChoosesTheBackEnd(t *testing.T) {
	t.Run("empty DSN opens SQLite in the data directory", func(t *testing.T) {
		s, err := Open(context.Background(), t.TempDir(), "")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		if name := s.(*sqlStore).d.name; name != "sqlite" {
			t.Errorf("back end = %s, want sqlite", name)
		}
	})
	t.Run("a malformed DSN is refused without echoing it", func(t *testing.T) {
		_, err := Open(context.Background(), t.TempDir(), "postgres://user:s3cret@[::1")
		if err == nil {
			t.Fatal("Open accepted a malformed DSN")
		}
		if got := err.Error(); strings.Contains(got, "s3cret") {
			t.Errorf("error %q echoes the DSN", got)
		}
	})
	t.Run("an empty data directory is refused", func(t *testing.T) {
		if _, err := Open(context.Background(), "", ""); err == nil {
			t.Error("Open accepted an empty data directory")
		}
	})
}

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b < ?", "a = $1 AND b < $2"},
		{"VALUES (?, ?, ?)", "VALUES ($1, $2, $3)"},
	}
	for _, tc := range tests {
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
