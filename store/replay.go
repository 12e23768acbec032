package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Defaults of the SQLite replay cache's write-behind queue. A key is a few
// dozen bytes, so 65536 of them (about a minute of hooks at a thousand a
// second) cost little memory and let the database stall that long before
// Seen falls back to writing synchronously.
const (
	defaultReplayCapacity = 65536
	defaultReplayBatch    = 512
	defaultReplayInterval = 50 * time.Millisecond
	defaultReplayRetry    = time.Second
	// replaySweepMin is the size below which Seen does not sweep expired
	// keys: sweeping a small map would cost more than the memory it frees.
	replaySweepMin = 1024
)

// replayKey is one accepted key as the write-behind queue persists it.
type replayKey struct {
	key string
	exp time.Time
}

// replayCache is the SQLite replay cache: an in-memory set of unexpired
// keys, authoritative for this process, so that Seen costs a map lookup
// and no I/O, with the keys persisted behind the request in batches so
// that they survive a restart. It is loaded from the replay table at Open.
//
// Only one process may use a SQLite file's replay cache: another process
// does not see the keys held in this one's memory (doc.go).
type replayCache struct {
	mu   sync.Mutex
	keys map[replayID]int64 // hash of the key → expiry in Unix nanoseconds
	// sweepAt is the size at which Seen next drops expired keys: twice
	// the live size after the last sweep, so the sweeps cost O(1) per
	// call amortised.
	sweepAt int

	queue *writeQueue[replayKey]
}

// replayID is a 128-bit hash of a replay key ("iss|jti"). Every accepted
// token stays in memory until it expires, so at a sustained 2,500 calls/s
// with 5-minute tokens the cache holds ~750,000 keys: a fixed 16 bytes each
// instead of the whole issuer URL and jti keeps that near 40 MB. A
// collision of two different keys (probability ~2^-64 at 10^19 pairs)
// would refuse one valid token, never accept a replay.
type replayID [16]byte

func replayHash(key string) replayID {
	sum := sha256.Sum256([]byte(key))
	return replayID(sum[:16])
}

// newReplayCache starts the write-behind queue that persists keys with
// write and returns an empty cache.
func newReplayCache(write func(ctx context.Context, keys []replayKey) error, o options) *replayCache {
	return &replayCache{
		keys:    make(map[replayID]int64),
		sweepAt: replaySweepMin,
		queue: newWriteQueue(write, queueConfig{
			noun:     "replay keys",
			capacity: o.replayCapacity,
			batch:    o.replayBatch,
			interval: o.replayInterval,
			retry:    o.replayRetry,
		}),
	}
}

// load adds a key read from the database at Open, keeping the later expiry
// when the key is already known.
func (c *replayCache) load(key string, exp time.Time) {
	id := replayHash(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := exp.UnixNano(); e > c.keys[id] {
		c.keys[id] = e
	}
	c.sweepAt = max(c.sweepAt, 2*len(c.keys))
}

// seen is the atomic check-and-add of Store.Seen. A key is live while its
// expiry is after now, as in the SQL of seenUpsert. A new key is queued for
// the database; when the queue is full it is written before seen returns,
// and if that write fails the key is forgotten again and the error
// returned, so that the caller refuses the token (fail closed) and a
// retry is not taken for a replay.
func (c *replayCache) seen(ctx context.Context, key string, exp, now time.Time) (bool, error) {
	n, e := now.UnixNano(), exp.UnixNano()
	id := replayHash(key)
	c.mu.Lock()
	if old, ok := c.keys[id]; ok && old > n {
		c.mu.Unlock()
		return true, nil
	}
	c.keys[id] = e
	if len(c.keys) >= c.sweepAt {
		c.sweepLocked(n)
	}
	c.mu.Unlock()
	k := []replayKey{{key: key, exp: exp}}
	if c.queue.enqueue(k) {
		return false, nil
	}
	if err := c.queue.writeNow(ctx, k); err != nil {
		c.mu.Lock()
		if c.keys[id] == e {
			delete(c.keys, id)
		}
		c.mu.Unlock()
		return false, err
	}
	return false, nil
}

// sweepLocked drops the keys expired at n (Unix nanoseconds) and returns
// how many it dropped; c.mu must be held.
func (c *replayCache) sweepLocked(n int64) int {
	before := len(c.keys)
	for k, e := range c.keys {
		if e <= n {
			delete(c.keys, k)
		}
	}
	c.sweepAt = max(replaySweepMin, 2*len(c.keys))
	return before - len(c.keys)
}

// purge drops the keys expired at now.
func (c *replayCache) purge(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweepLocked(now.UnixNano())
}

// len returns the number of keys in memory, expired ones included until
// the next sweep.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}

// replayRowsPerInsert is the most keys one INSERT carries, for the reason
// given at issuedRowsPerInsert; 128 rows are 256 parameters.
const replayRowsPerInsert = 128

// upsertReplayRows holds, at index n, the statement that persists n keys.
// The in-memory set has already decided that each key is new, so a stored
// row is overwritten, but never with an earlier expiry: two acceptances of
// one key (the first having expired) may reach the database in either
// order, and the later expiry is the one to keep. SQLite's two-argument
// max() compares the fixed-width time text in time order.
var upsertReplayRows = func() []string {
	out := make([]string, replayRowsPerInsert+1)
	for n := 1; n <= replayRowsPerInsert; n++ {
		var b strings.Builder
		b.WriteString("INSERT INTO replay (key, expires_at) VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?)")
		}
		b.WriteString(" ON CONFLICT (key) DO UPDATE SET expires_at = max(replay.expires_at, excluded.expires_at)")
		out[n] = b.String()
	}
	return out
}()

// writeReplay persists keys in one transaction on the fast handle
// (synchronous=NORMAL): the keys are already authoritative in memory, and
// what they protect after a restart needs no fsync.
func (s *sqlStore) writeReplay(ctx context.Context, keys []replayKey) error {
	return s.fast.inTx(ctx, func(q querier) error {
		args := make([]any, 0, 2*min(len(keys), replayRowsPerInsert))
		for len(keys) > 0 {
			chunk := keys[:min(len(keys), replayRowsPerInsert)]
			keys = keys[len(chunk):]
			args = args[:0]
			for _, k := range chunk {
				args = append(args, k.key, s.d.timeArg(k.exp))
			}
			if _, err := q.exec(ctx, upsertReplayRows[len(chunk)], args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// openReplayCache starts the in-memory replay cache of the SQLite store and
// fills it with the keys still unexpired in the replay table, so that a
// token accepted before a restart (and flushed) is still refused after it.
func (s *sqlStore) openReplayCache(ctx context.Context, o options) error {
	c := newReplayCache(s.writeReplay, o)
	err := s.db.query(ctx, "SELECT key, expires_at FROM replay WHERE expires_at > ?",
		[]any{s.d.timeArg(s.now())},
		func(scan func(dest ...any) error) error {
			var (
				key string
				exp any
			)
			if err := scan(&key, &exp); err != nil {
				return err
			}
			t, err := decodeTime(exp)
			if err != nil {
				return err
			}
			c.load(key, t)
			return nil
		})
	if err != nil {
		return errors.Join(s.wrap("load replay cache", err), c.queue.close(ctx))
	}
	s.replay = c
	return nil
}

// flushReplay writes the queued replay keys, when the store queues them.
func (s *sqlStore) flushReplay(ctx context.Context) error {
	if s.replay == nil {
		return nil
	}
	if err := s.replay.queue.flush(ctx); err != nil {
		return s.wrap("write queued replay keys", err)
	}
	return nil
}

// closeReplay writes the queued replay keys and stops the writer.
func (s *sqlStore) closeReplay(ctx context.Context) error {
	if s.replay == nil {
		return nil
	}
	if err := s.replay.queue.close(ctx); err != nil {
		return fmt.Errorf("replay cache: %w", err)
	}
	return nil
}
