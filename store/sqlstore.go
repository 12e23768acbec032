package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// db carries everything that must be durable when a call returns
	// (feedback, migrations, purges) and the reads.
	db database
	// fast carries the replay cache and the issued cards, whose last
	// commits may be lost to an OS crash or power cut (not to a process
	// crash): on SQLite a second handle with synchronous=NORMAL, on
	// PostgreSQL the same pool as db.
	fast   database
	d      dialect
	now    func() time.Time
	issued *issuedQueue
	// memoryReplay makes open load the replay table into replay, which
	// then answers Seen from memory and persists behind it: SQLite, whose
	// file one process owns. PostgreSQL leaves it false, because replicas
	// must check and add each key in the shared database.
	memoryReplay bool
	replay       *replayCache
}

// open checks the connection, runs the migrations, loads the in-memory
// replay cache when the store keeps one, and starts the issued-card writer.
func (s *sqlStore) open(ctx context.Context, o options) error {
	if err := s.db.connect(ctx); err != nil {
		return fmt.Errorf("store: %s: %w", s.d.name, err)
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if s.memoryReplay {
		if err := s.openReplayCache(ctx, o); err != nil {
			return err
		}
	}
	s.issued = newIssuedQueue(s.writeIssued, o)
	return nil
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

// issuedRowsPerInsert is the most cards one INSERT statement carries: a
// batch is written with a few multi-row statements rather than one per
// card, because preparing a statement costs about as much as the insert
// (SQLite parses it anew for each Exec). 64 rows are 384 parameters, far
// below the limits of both databases, and keep the number of distinct
// statement texts (which pgx caches) at 64.
const issuedRowsPerInsert = 64

// insertIssuedRows holds, at index n, the statement that records n cards,
// each once per hook instance (a duplicate, within the statement too, is
// skipped).
var insertIssuedRows = func() []string {
	out := make([]string, issuedRowsPerInsert+1)
	for n := 1; n <= issuedRowsPerInsert; n++ {
		var b strings.Builder
		b.WriteString(`INSERT INTO issued_cards (hook_instance, service_id, card_uuid, rule_code,
	suggestions, issued_at) VALUES `)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
		}
		b.WriteString(" ON CONFLICT (hook_instance, card_uuid) DO NOTHING")
		out[n] = b.String()
	}
	return out
}()

// SaveIssued records the cards returned to a client. It only queues them
// (the background writer commits them within defaultIssuedInterval), so it
// costs the hook no database round trip; when the queue is full it writes
// them synchronously instead, in one transaction. A nil error therefore
// does not mean the cards are on disk: Close, Report and PurgeFeedback
// flush the queue, and RuleCode sees queued cards.
func (s *sqlStore) SaveIssued(ctx context.Context, cards []cdshooks.IssuedCard) error {
	if len(cards) == 0 {
		return nil
	}
	now := s.now()
	if s.issued.enqueue(cards, now) {
		return nil
	}
	return s.wrap("save issued cards", s.issued.writeNow(ctx, cards, now))
}

// writeIssued inserts cards in one transaction on the fast handle. On
// PostgreSQL the commit does not wait for the WAL flush (synchronous_commit
// off for this transaction only): issued cards have the durability class
// of the SQLite fast handle, and feedback keeps synchronous commits.
func (s *sqlStore) writeIssued(ctx context.Context, cards []cdshooks.IssuedCard) error {
	return s.fast.inTx(ctx, func(q querier) error {
		if s.d.relaxCommit != "" {
			if _, err := q.exec(ctx, s.d.relaxCommit); err != nil {
				return err
			}
		}
		args := make([]any, 0, 6*min(len(cards), issuedRowsPerInsert))
		for chunk := range slices.Chunk(cards, issuedRowsPerInsert) {
			args = args[:0]
			for _, c := range chunk {
				suggestions, err := encodeIDs(c.Suggestions)
				if err != nil {
					return err
				}
				issued := c.Issued
				if issued.IsZero() {
					issued = s.now()
				}
				args = append(args, c.HookInstance, c.ServiceID, c.CardUUID, c.RuleCode,
					suggestions, s.d.timeArg(issued))
			}
			if _, err := q.exec(ctx, insertIssuedRows[len(chunk)], args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// flushIssued writes the queued issued cards before a statement that reads
// or deletes them.
func (s *sqlStore) flushIssued(ctx context.Context) error {
	if err := s.issued.flush(ctx); err != nil {
		return s.wrap("write queued issued cards", err)
	}
	return nil
}

// RuleCode returns the rule code of the most recently issued card with
// this uuid, "" when the card is unknown. Cards still queued are looked up
// first, so feedback sent right after the hook response joins correctly.
func (s *sqlStore) RuleCode(ctx context.Context, cardUUID string) (string, error) {
	if code, ok := s.issued.ruleCode(cardUUID); ok {
		return code, nil
	}
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

// Seen implements the JWT replay cache. On SQLite it answers from the
// in-memory set and queues a new key for the database (see replayCache);
// on PostgreSQL it runs seenUpsert, so that replicas sharing the database
// check and add atomically.
func (s *sqlStore) Seen(ctx context.Context, key string, exp time.Time) (bool, error) {
	if key == "" {
		return false, s.wrap("replay", errEmptyKey)
	}
	if s.replay != nil {
		seen, err := s.replay.seen(ctx, key, exp, s.now())
		return seen, s.wrap("replay", err)
	}
	stored := 0
	err := s.fast.query(ctx, seenUpsert, []any{key, s.d.timeArg(exp), s.d.timeArg(s.now())},
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
// issued before it, queued ones included.
func (s *sqlStore) PurgeFeedback(ctx context.Context, before time.Time) (int64, error) {
	if err := s.flushIssued(ctx); err != nil {
		return 0, err
	}
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
// past its exp is refused by the verifier anyway. The queued keys are
// written first, so that an expired one is not written back after the
// DELETE and the count is that of the rows deleted.
func (s *sqlStore) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	if err := s.flushReplay(ctx); err != nil {
		return 0, err
	}
	n, err := s.db.exec(ctx, "DELETE FROM replay WHERE expires_at <= ?", s.d.timeArg(now))
	if err != nil {
		return 0, s.wrap("purge replay", err)
	}
	if s.replay != nil {
		s.replay.purge(now)
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

// Close writes the queued issued cards and replay keys, then releases the
// connections.
func (s *sqlStore) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), queueWriteTimeout)
	defer cancel()
	err := errors.Join(s.issued.close(ctx), s.closeReplay(ctx))
	if s.fast != s.db {
		err = errors.Join(err, s.fast.close())
	}
	return s.wrap("close", errors.Join(err, s.db.close()))
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
