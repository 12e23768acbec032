package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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
	// issuedMaxAttempts bounds how often one SaveIssued call's cards are
	// tried: a group the database keeps refusing (for instance text
	// PostgreSQL rejects) must not block the queue for ever. Dropping it
	// then is what the synchronous path did on its first failure.
	issuedMaxAttempts = 10
	// issuedWriteTimeout bounds one background transaction, which has no
	// request context to inherit a deadline from.
	issuedWriteTimeout = 30 * time.Second
)

// issuedGroup is the cards of one SaveIssued call: the unit that is
// retried, and dropped after issuedMaxAttempts, when a batch fails.
type issuedGroup struct {
	cards    []cdshooks.IssuedCard
	attempts int
}

// issuedQueue takes issued-card records off the hook's critical path: the
// hook only appends to a bounded in-memory queue and one background
// goroutine writes the cards in batches, one transaction per batch, every
// interval or as soon as a batch is full.
type issuedQueue struct {
	// write stores cards in one transaction.
	write    func(ctx context.Context, cards []cdshooks.IssuedCard) error
	capacity int           // most cards held before SaveIssued writes synchronously
	batch    int           // most cards per transaction (a larger group goes alone)
	interval time.Duration // longest a card waits when no batch fills
	retry    time.Duration // wait before a failed batch is retried

	mu       sync.Mutex
	pending  []issuedGroup // queued, oldest first
	queued   int           // cards in pending
	inflight []issuedGroup // taken by a drain, visible to ruleCode until committed
	closed   bool
	dropErr  error // why cards were dropped in the background, reported by close

	// writeMu lets one drain run at a time, so a flush waits for the
	// batch the writer is committing and the order of batches is kept.
	writeMu sync.Mutex
	signal  chan struct{} // capacity 1: the queue became non-empty or a batch filled
	stop    chan struct{}
	done    chan struct{}
}

// newIssuedQueue starts the background writer of a queue.
func newIssuedQueue(write func(ctx context.Context, cards []cdshooks.IssuedCard) error, o options) *issuedQueue {
	q := &issuedQueue{
		write:    write,
		capacity: o.issuedCapacity,
		batch:    o.issuedBatch,
		interval: o.issuedInterval,
		retry:    o.issuedRetry,
		signal:   make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go q.run()
	return q
}

// enqueue queues a copy of cards, stamping a zero issue time with now so
// that the record keeps the time the card was shown, not the time it was
// written. It returns false, queuing nothing, when the queue is closed or
// has no room: the caller then writes synchronously (back-pressure)
// rather than dropping the cards or blocking the hook.
func (q *issuedQueue) enqueue(cards []cdshooks.IssuedCard, now time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.queued+len(cards) > q.capacity {
		return false
	}
	g := issuedGroup{cards: make([]cdshooks.IssuedCard, len(cards))}
	for i, c := range cards {
		// The caller owns its slices; the suggestions are written later.
		c.Suggestions = slices.Clone(c.Suggestions)
		if c.Issued.IsZero() {
			c.Issued = now
		}
		g.cards[i] = c
	}
	wasEmpty := q.queued == 0
	q.pending = append(q.pending, g)
	q.queued += len(cards)
	if wasEmpty || q.queued >= q.batch {
		select {
		case q.signal <- struct{}{}:
		default: // a wake-up is already pending; the writer rereads the length
		}
	}
	return true
}

// writeNow is the back-pressure path, taken when enqueue refused cards: it
// waits for the batch being committed (one at most, see drain), queues the cards if that made room,
// and otherwise writes them itself. Taking turns with the writer here
// rather than in the database matters on SQLite, where two writers at
// once make the second sleep in the busy handler for milliseconds.
func (q *issuedQueue) writeNow(ctx context.Context, cards []cdshooks.IssuedCard, now time.Time) error {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	if q.enqueue(cards, now) {
		return nil
	}
	return q.write(ctx, cards)
}

// len returns the number of cards waiting to be taken by a drain.
func (q *issuedQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// ruleCode returns the rule code of the most recently issued queued or
// in-flight card with this uuid, so that feedback arriving before the
// card's batch is committed still joins to its rule. A linear scan is
// enough: the queue is bounded and the feedback path pays an fsync anyway.
func (q *issuedQueue) ruleCode(cardUUID string) (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var (
		code   string
		latest time.Time
		found  bool
	)
	// In-flight cards were queued before pending ones, so scanning them
	// first and letting a later equal time win picks the last one queued.
	for _, groups := range [][]issuedGroup{q.inflight, q.pending} {
		for _, g := range groups {
			for _, c := range g.cards {
				if c.CardUUID == cardUUID && (!found || !c.Issued.Before(latest)) {
					code, latest, found = c.RuleCode, c.Issued, true
				}
			}
		}
	}
	return code, found
}

// take moves the oldest groups, up to q.batch cards (at least one group),
// from pending to in flight and returns them with their card count.
func (q *issuedQueue) take() ([]issuedGroup, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k, n := 0, 0
	for k < len(q.pending) && (k == 0 || n+len(q.pending[k].cards) <= q.batch) {
		n += len(q.pending[k].cards)
		k++
	}
	if k == 0 {
		return nil, 0
	}
	q.inflight = slices.Clone(q.pending[:k])
	clear(q.pending[:k]) // let the collector reclaim the written cards
	q.pending = q.pending[k:]
	q.queued -= n
	return q.inflight, n
}

// writeBatch commits a batch in one transaction. When that fails, each
// group is tried on its own so that one bad group cannot sink the others;
// groups that still fail go back to the front of the queue, or are dropped
// after issuedMaxAttempts. It returns the first error met.
func (q *issuedQueue) writeBatch(ctx context.Context, batch []issuedGroup) error {
	var cards []cdshooks.IssuedCard
	if len(batch) == 1 {
		cards = batch[0].cards
	} else {
		for _, g := range batch {
			cards = append(cards, g.cards...)
		}
	}
	err := q.write(ctx, cards)
	if err == nil {
		q.mu.Lock()
		q.inflight = nil
		q.mu.Unlock()
		return nil
	}
	var failed []issuedGroup
	if len(batch) == 1 {
		failed = batch
	} else {
		for _, g := range batch {
			if q.write(ctx, g.cards) != nil {
				failed = append(failed, g)
			}
		}
	}
	var requeue []issuedGroup
	var dropped int
	for _, g := range failed {
		g.attempts++
		if g.attempts >= issuedMaxAttempts {
			dropped += len(g.cards)
			continue
		}
		requeue = append(requeue, g)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.inflight = nil
	if dropped > 0 && q.dropErr == nil {
		q.dropErr = fmt.Errorf("%d issued cards dropped after %d attempts: %w", dropped, issuedMaxAttempts, err)
	}
	if len(requeue) > 0 {
		wasEmpty := q.queued == 0
		for _, g := range requeue {
			q.queued += len(g.cards)
		}
		q.pending = append(requeue, q.pending...)
		if wasEmpty {
			// The writer may have found the queue empty while this batch
			// was in flight (taken by a flush); wake it so that it retries.
			select {
			case q.signal <- struct{}{}:
			default:
			}
		}
	}
	return err
}

// drain writes, in batches, at least the cards queued or in flight when it
// starts, and no more than that plus a batch, so that a steady stream of
// hooks neither keeps it going for ever nor stops the writer from
// batching. writeMu is taken per batch so that the back-pressure path
// waits for one batch at most. It stops at the first failed batch and
// returns its error.
func (q *issuedQueue) drain(ctx context.Context) error {
	q.mu.Lock()
	budget := q.queued
	for _, g := range q.inflight {
		budget += len(g.cards) // a failing batch in flight comes back to the front
	}
	q.mu.Unlock()
	for budget > 0 {
		n, err := q.writeNext(ctx)
		if n == 0 || err != nil {
			return err
		}
		budget -= n
	}
	return nil
}

// writeNext takes the next batch and writes it, returning its card count.
func (q *issuedQueue) writeNext(ctx context.Context) (int, error) {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	batch, n := q.take()
	if n == 0 {
		return 0, nil
	}
	return n, q.writeBatch(ctx, batch)
}

// flush writes everything queued or in flight when it is called.
func (q *issuedQueue) flush(ctx context.Context) error {
	return q.drain(ctx)
}

// run is the background writer: it starts the interval when the first card
// is queued, writes when the interval ends or a batch fills, and retries
// failed batches after q.retry.
func (q *issuedQueue) run() {
	defer close(q.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	arm := func(d time.Duration) {
		if !armed {
			timer.Reset(d)
			armed = true
		}
	}
	for {
		select {
		case <-q.stop:
			timer.Stop()
			return
		case <-q.signal:
			if n := q.len(); n < q.batch {
				if n > 0 {
					arm(q.interval)
				}
				continue
			}
		case <-timer.C:
			armed = false
		}
		if armed {
			timer.Stop()
			armed = false
		}
		ctx, cancel := context.WithTimeout(context.Background(), issuedWriteTimeout)
		err := q.drain(ctx)
		cancel()
		switch n := q.len(); {
		case n == 0:
		case err != nil:
			arm(q.retry)
		case n >= q.batch:
			select {
			case q.signal <- struct{}{}:
			default:
			}
		default:
			arm(q.interval)
		}
	}
}

// close stops the writer and writes everything still queued; SaveIssued
// calls after close write synchronously. It returns why cards could not be
// written, now or earlier in the background.
func (q *issuedQueue) close(ctx context.Context) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	q.mu.Unlock()
	close(q.stop)
	<-q.done
	err := q.flush(ctx)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queued > 0 {
		err = errors.Join(err, fmt.Errorf("%d issued cards not written", q.queued))
	}
	return errors.Join(err, q.dropErr)
}
