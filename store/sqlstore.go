package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ombc-cds/cdshooks"
)

// Feedback outcomes (CDS Hooks 2.0 §Feedback, outcome).
const (
	OutcomeAccepted   = "accepted"
	OutcomeOverridden = "overridden"
)

// ErrInvalidPeriod is returned by Report when the period is empty or
// reversed.
var ErrInvalidPeriod = errors.New("store: period end must be after its start")

// errEmptyKey is returned by Seen for an empty key: a token without a jti
// cannot be checked for replay.
var errEmptyKey = errors.New("store: empty replay key")

// sqlStore implements Store over either database; the SQL is shared.
type sqlStore struct {
	db  database
	d   dialect
	now func() time.Time
}

// open checks the connection and runs the migrations.
func (s *sqlStore) open(ctx context.Context) error {
	if err := s.db.ping(ctx); err != nil {
		return fmt.Errorf("store: %s: %w", s.d.name, err)
	}
	return s.migrate(ctx)
}

// wrap prefixes err with the store, the back end and the operation.
func (s *sqlStore) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %s: %w", s.d.name, op, err)
}

// insertFeedback stores an item once: a resent duplicate (same card,
// outcome and outcome timestamp) is dropped by the UNIQUE key.
const insertFeedback = `INSERT INTO feedback (service_id, card_uuid, rule_code, outcome,
	accepted_suggestions, override_code, override_system, override_display, user_comment,
	outcome_ts, received_at, issuer)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (card_uuid, outcome, outcome_ts) DO NOTHING`

// SaveFeedback stores items in one transaction; when it returns nil the
// items are durable (SQLite synchronous=FULL, PostgreSQL commit), so the
// handler may answer 200.
func (s *sqlStore) SaveFeedback(ctx context.Context, items []cdshooks.Feedback) error {
	if len(items) == 0 {
		return nil
	}
	err := s.db.inTx(ctx, func(q querier) error {
		for _, f := range items {
			accepted, err := encodeIDs(f.AcceptedSuggestions)
			if err != nil {
				return err
			}
			received := f.Received
			if received.IsZero() {
				received = s.now()
			}
			_, err = q.exec(ctx, insertFeedback, f.ServiceID, f.Card, f.RuleCode, f.Outcome, accepted,
				f.OverrideReason.Code, f.OverrideReason.System, f.OverrideReason.Display, f.UserComment,
				s.d.timeArg(f.OutcomeTimestamp), s.d.timeArg(received), f.Issuer)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return s.wrap("save feedback", err)
}

// insertIssued records a card once per hook instance.
const insertIssued = `INSERT INTO issued_cards (hook_instance, service_id, card_uuid, rule_code,
	suggestions, issued_at)
	VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (hook_instance, card_uuid) DO NOTHING`

// SaveIssued records the cards returned to a client, in one transaction.
func (s *sqlStore) SaveIssued(ctx context.Context, cards []cdshooks.IssuedCard) error {
	if len(cards) == 0 {
		return nil
	}
	err := s.db.inTx(ctx, func(q querier) error {
		for _, c := range cards {
			suggestions, err := encodeIDs(c.Suggestions)
			if err != nil {
				return err
			}
			issued := c.Issued
			if issued.IsZero() {
				issued = s.now()
			}
			_, err = q.exec(ctx, insertIssued, c.HookInstance, c.ServiceID, c.CardUUID, c.RuleCode,
				suggestions, s.d.timeArg(issued))
			if err != nil {
				return err
			}
		}
		return nil
	})
	return s.wrap("save issued cards", err)
}

// RuleCode returns the rule code of the most recently issued card with
// this uuid, "" when the card is unknown.
func (s *sqlStore) RuleCode(ctx context.Context, cardUUID string) (string, error) {
	var code string
	err := s.db.query(ctx, `SELECT rule_code FROM issued_cards WHERE card_uuid = ?
		ORDER BY issued_at DESC, id DESC LIMIT 1`, []any{cardUUID},
		func(scan func(dest ...any) error) error { return scan(&code) })
	if err != nil {
		return "", s.wrap("rule code", err)
	}
	return code, nil
}

// seenUpsert is the atomic check-and-add of the replay cache in a single
// statement: a new key is inserted; an existing key is replaced only when
// it has expired. A row is returned exactly when the key was stored, so
// no row means a live entry already existed (a replay). Concurrent callers,
// in one process or on several replicas, serialise on the key's row.
const seenUpsert = `INSERT INTO replay (key, expires_at) VALUES (?, ?)
	ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
	WHERE replay.expires_at <= ?
	RETURNING key`

// Seen implements the JWT replay cache.
func (s *sqlStore) Seen(ctx context.Context, key string, exp time.Time) (bool, error) {
	if key == "" {
		return false, s.wrap("replay", errEmptyKey)
	}
	stored := 0
	err := s.db.query(ctx, seenUpsert, []any{key, s.d.timeArg(exp), s.d.timeArg(s.now())},
		func(scan func(dest ...any) error) error {
			var k string
			stored++
			return scan(&k)
		})
	if err != nil {
		return false, s.wrap("replay", err)
	}
	return stored == 0, nil
}

// PurgeFeedback deletes feedback received before the cut-off and cards
// issued before it.
func (s *sqlStore) PurgeFeedback(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	err := s.db.inTx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "DELETE FROM feedback WHERE received_at < ?", s.d.timeArg(before))
		if err != nil {
			return err
		}
		m, err := q.exec(ctx, "DELETE FROM issued_cards WHERE issued_at < ?", s.d.timeArg(before))
		if err != nil {
			return err
		}
		total = n + m
		return nil
	})
	if err != nil {
		return 0, s.wrap("purge feedback", err)
	}
	return total, nil
}

// PurgeExpired deletes replay entries that are no longer needed: a token
// past its exp is refused by the verifier anyway.
func (s *sqlStore) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.db.exec(ctx, "DELETE FROM replay WHERE expires_at <= ?", s.d.timeArg(now))
	if err != nil {
		return 0, s.wrap("purge replay", err)
	}
	return n, nil
}

// ListFeedback returns the feedback received in [from, to), oldest first.
func (s *sqlStore) ListFeedback(ctx context.Context, from, to time.Time) ([]cdshooks.Feedback, error) {
	var out []cdshooks.Feedback
	err := s.db.query(ctx, `SELECT service_id, card_uuid, rule_code, outcome, accepted_suggestions,
		override_code, override_system, override_display, user_comment, outcome_ts, received_at, issuer
		FROM feedback WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id`,
		[]any{s.d.timeArg(from), s.d.timeArg(to)},
		func(scan func(dest ...any) error) error {
			var (
				f                   cdshooks.Feedback
				accepted            string
				outcomeTS, received any
			)
			err := scan(&f.ServiceID, &f.Card, &f.RuleCode, &f.Outcome, &accepted,
				&f.OverrideReason.Code, &f.OverrideReason.System, &f.OverrideReason.Display,
				&f.UserComment, &outcomeTS, &received, &f.Issuer)
			if err != nil {
				return err
			}
			if f.AcceptedSuggestions, err = decodeIDs(accepted); err != nil {
				return err
			}
			if f.OutcomeTimestamp, err = decodeTime(outcomeTS); err != nil {
				return err
			}
			if f.Received, err = decodeTime(received); err != nil {
				return err
			}
			out = append(out, f)
			return nil
		})
	if err != nil {
		return nil, s.wrap("list feedback", err)
	}
	return out, nil
}

// Ping reports whether the database answers.
func (s *sqlStore) Ping(ctx context.Context) error {
	return s.wrap("ping", s.db.ping(ctx))
}

// Close releases the connections.
func (s *sqlStore) Close() error {
	return s.wrap("close", s.db.close())
}

// encodeIDs stores a list of identifiers as a JSON array ("[]" when empty).
func encodeIDs(ids []string) (string, error) {
	if len(ids) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return "", fmt.Errorf("encode ids: %w", err)
	}
	return string(b), nil
}

// decodeIDs reads what encodeIDs wrote; an empty list reads as nil.
func decodeIDs(s string) ([]string, error) {
	var ids []string
	if err := json.Unmarshal([]byte(s), &ids); err != nil {
		return nil, fmt.Errorf("decode ids: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return ids, nil
}

// decodeTime reads a stored time: PostgreSQL returns time.Time, SQLite the
// text written with sqliteTimeLayout.
func decodeTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseStoredTime(t)
	case []byte:
		return parseStoredTime(string(t))
	default:
		return time.Time{}, fmt.Errorf("decode time: unexpected %T", v)
	}
}

// parseStoredTime parses the SQLite text form.
func parseStoredTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("decode time: %w", err)
	}
	return t.UTC(), nil
}
