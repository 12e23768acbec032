package store

import (
	"context"
	"slices"
	"time"

	"ombc-cds/cdshooks"
)

// Defaults of the issued-card queue. A hook response carries a handful of
// cards, so 4096 cards absorb several hundred responses while the database
// is slow before SaveIssued falls back to writing synchronously.
const (
	defaultIssuedCapacity = 4096
	defaultIssuedBatch    = 256
	defaultIssuedInterval = 50 * time.Millisecond
	// defaultIssuedRetry is the wait before a failed batch is tried again;
	// longer than the flush interval so an unavailable database is not
	// hammered.
	defaultIssuedRetry = time.Second
)

// issuedQueue takes issued-card records off the hook's critical path (see
// writeQueue); on top of the queue it copies and stamps the caller's cards
// and looks up the rule code of cards not yet committed.
type issuedQueue struct {
	*writeQueue[cdshooks.IssuedCard]
}

// newIssuedQueue starts the background writer of an issued-card queue.
func newIssuedQueue(write func(ctx context.Context, cards []cdshooks.IssuedCard) error, o options) *issuedQueue {
	return &issuedQueue{newWriteQueue(write, queueConfig{
		noun:     "issued cards",
		capacity: o.issuedCapacity,
		batch:    o.issuedBatch,
		interval: o.issuedInterval,
		retry:    o.issuedRetry,
	})}
}

// prepareIssued copies cards, stamping a zero issue time with now so that the
// record keeps the time the card was shown, not the time it was written.
// The copy is needed because the caller owns its slices and the queue
// writes them later.
func prepareIssued(cards []cdshooks.IssuedCard, now time.Time) []cdshooks.IssuedCard {
	out := make([]cdshooks.IssuedCard, len(cards))
	for i, c := range cards {
		c.Suggestions = slices.Clone(c.Suggestions)
		if c.Issued.IsZero() {
			c.Issued = now
		}
		out[i] = c
	}
	return out
}

// enqueue queues a copy of cards (see prepareIssued). It returns false,
// queuing nothing, when the queue is closed or has no room: the caller
// then writes synchronously with writeNow.
func (q *issuedQueue) enqueue(cards []cdshooks.IssuedCard, now time.Time) bool {
	q.mu.Lock()
	full := q.closed || q.queued+len(cards) > q.cfg.capacity
	q.mu.Unlock()
	if full {
		return false // spare the copy; writeQueue.enqueue checks again under its lock
	}
	return q.writeQueue.enqueue(prepareIssued(cards, now))
}

// writeNow is the back-pressure path of SaveIssued (see writeQueue.writeNow).
func (q *issuedQueue) writeNow(ctx context.Context, cards []cdshooks.IssuedCard, now time.Time) error {
	return q.writeQueue.writeNow(ctx, prepareIssued(cards, now))
}

// ruleCode returns the rule code of the most recently issued queued or
// in-flight card with this uuid, so that feedback arriving before the
// card's batch is committed still joins to its rule. A linear scan is
// enough: the queue is bounded and the feedback path pays an fsync anyway.
func (q *issuedQueue) ruleCode(cardUUID string) (string, bool) {
	var (
		code   string
		latest time.Time
		found  bool
	)
	// scan visits cards in the order they were queued, so letting a later
	// equal time win picks the last one queued.
	q.scan(func(c cdshooks.IssuedCard) {
		if c.CardUUID == cardUUID && (!found || !c.Issued.Before(latest)) {
			code, latest, found = c.RuleCode, c.Issued, true
		}
	})
	return code, found
}
