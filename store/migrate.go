package store

import (
	"context"
	"fmt"
	"strings"
)

// migration is one versioned schema change. Versions only grow; a
// migration, once released, is never edited.
type migration struct {
	version    int
	name       string
	statements []string
}

// schemaV1 is the first schema, written once for both dialects: {id} is the
// surrogate key and {time} the timestamp type. Feedback duplicates (same
// card, outcome and outcome timestamp) are rejected by the UNIQUE key (CDS
// Hooks 2.0 §Feedback: a client may resend). Issued cards hold no patient
// data: identifiers, the rule code and the time only.
func schemaV1() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS feedback (
			id {id},
			service_id TEXT NOT NULL,
			card_uuid TEXT NOT NULL,
			rule_code TEXT NOT NULL DEFAULT '',
			outcome TEXT NOT NULL,
			accepted_suggestions TEXT NOT NULL DEFAULT '[]',
			override_code TEXT NOT NULL DEFAULT '',
			override_system TEXT NOT NULL DEFAULT '',
			override_display TEXT NOT NULL DEFAULT '',
			user_comment TEXT NOT NULL DEFAULT '',
			outcome_ts {time} NOT NULL,
			received_at {time} NOT NULL,
			issuer TEXT NOT NULL DEFAULT '',
			UNIQUE (card_uuid, outcome, outcome_ts))`,
		`CREATE INDEX IF NOT EXISTS feedback_received_at ON feedback (received_at)`,
		`CREATE INDEX IF NOT EXISTS feedback_outcome_ts ON feedback (outcome_ts)`,
		`CREATE TABLE IF NOT EXISTS issued_cards (
			id {id},
			hook_instance TEXT NOT NULL,
			service_id TEXT NOT NULL,
			card_uuid TEXT NOT NULL,
			rule_code TEXT NOT NULL DEFAULT '',
			suggestions TEXT NOT NULL DEFAULT '[]',
			issued_at {time} NOT NULL,
			UNIQUE (hook_instance, card_uuid))`,
		`CREATE INDEX IF NOT EXISTS issued_cards_card_uuid ON issued_cards (card_uuid)`,
		`CREATE INDEX IF NOT EXISTS issued_cards_issued_at ON issued_cards (issued_at)`,
		`CREATE TABLE IF NOT EXISTS replay (
			key TEXT PRIMARY KEY,
			expires_at {time} NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS replay_expires_at ON replay (expires_at)`,
	}
}

// typed substitutes the dialect's types into the shared schema.
func typed(r *strings.Replacer, stmts []string) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = r.Replace(s)
	}
	return out
}

// sqliteMigrations returns SQLite's migrations; times are fixed-width UTC
// text (see sqliteTimeLayout).
func sqliteMigrations() []migration {
	r := strings.NewReplacer("{id}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{time}", "TEXT")
	return []migration{{version: 1, name: "feedback, issued cards, replay cache", statements: typed(r, schemaV1())}}
}

// postgresMigrations returns PostgreSQL's migrations; timestamptz keeps
// microseconds.
func postgresMigrations() []migration {
	r := strings.NewReplacer("{id}", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "{time}", "timestamptz")
	return []migration{{version: 1, name: "feedback, issued cards, replay cache", statements: typed(r, schemaV1())}}
}

// migrate applies the migrations not yet recorded in schema_migrations,
// each in its own transaction together with its record, so a crash leaves
// either all of a migration or none of it. On PostgreSQL an advisory lock
// taken first in the transaction makes concurrent starts wait for each
// other; on SQLite BEGIN IMMEDIATE does the same.
func (s *sqlStore) migrate(ctx context.Context) error {
	for _, m := range s.d.migrations() {
		err := s.db.inTx(ctx, func(q querier) error {
			if s.d.lockMigrations != "" {
				if _, err := q.exec(ctx, s.d.lockMigrations); err != nil {
					return fmt.Errorf("lock: %w", err)
				}
			}
			if _, err := q.exec(ctx, s.d.migrationsTable); err != nil {
				return fmt.Errorf("create schema_migrations: %w", err)
			}
			var applied int64
			err := q.query(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", []any{m.version},
				func(scan func(dest ...any) error) error { return scan(&applied) })
			if err != nil {
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			if applied > 0 {
				return nil
			}
			for _, stmt := range m.statements {
				if _, err := q.exec(ctx, stmt); err != nil {
					return err
				}
			}
			_, err = q.exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
				m.version, s.d.timeArg(s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: %s: migration %d (%s): %w", s.d.name, m.version, m.name, err)
		}
	}
	return nil
}
