package trust

import (
	"context"
	"sync"
	"time"
)

// ReplayCache remembers the jti of every accepted token until it expires, so
// that a captured token cannot be replayed (CDS Hooks 2.0: jti is "A nonce …
// used to protect against replay attacks"; best practices §JWT: "jti value
// doesn't exist in the short-term storage", CONFORMANCE.md S-9).
//
// Seen is an atomic check-and-add: it records key until exp and reports true
// when key was already present and not yet expired. An error makes the
// Verifier refuse the token (fail closed). A shared implementation (for
// several replicas) lives with the storage code; MemoryReplayCache serves a
// single process.
type ReplayCache interface {
	Seen(ctx context.Context, key string, exp time.Time) (bool, error)
}

// purgeEvery is how often MemoryReplayCache sweeps expired entries.
const purgeEvery = time.Minute

// MemoryReplayCache is an in-process ReplayCache. It is safe for concurrent
// use. Its size is bounded by the number of valid tokens accepted within the
// maximum token lifetime, since only verified tokens reach it.
type MemoryReplayCache struct {
	now func() time.Time

	mu        sync.Mutex
	entries   map[string]time.Time
	lastPurge time.Time
}

// NewMemoryReplayCache returns an empty cache reading the time from now
// (time.Now when nil).
func NewMemoryReplayCache(now func() time.Time) *MemoryReplayCache {
	if now == nil {
		now = time.Now
	}
	return &MemoryReplayCache{now: now, entries: map[string]time.Time{}}
}

// Seen implements ReplayCache.
func (c *MemoryReplayCache) Seen(_ context.Context, key string, exp time.Time) (bool, error) {
	t := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Sub(c.lastPurge) >= purgeEvery {
		c.purge(t)
	}
	if until, ok := c.entries[key]; ok && t.Before(until) {
		return true, nil
	}
	c.entries[key] = exp
	return false, nil
}

// Len returns the number of remembered keys, expired ones included until the
// next sweep.
func (c *MemoryReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *MemoryReplayCache) purge(t time.Time) {
	for k, until := range c.entries {
		if !t.Before(until) {
			delete(c.entries, k)
		}
	}
	c.lastPurge = t
}
