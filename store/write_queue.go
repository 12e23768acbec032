package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Limits shared by every write-behind queue.
const (
	// queueMaxAttempts bounds how often one enqueued group is tried: a
	// group the database keeps refusing (for instance text PostgreSQL
	// rejects) must not block the queue for ever. Dropping it then is what
	// a synchronous write would have done on its first failure.
	queueMaxAttempts = 10
	// queueWriteTimeout bounds one background transaction, which has no
	// request context to inherit a deadline from.
	queueWriteTimeout = 30 * time.Second
)

// queueConfig sizes a writeQueue.
type queueConfig struct {
	noun     string        // what the items are, for error messages ("issued cards")
	capacity int           // most items held before enqueue refuses (the caller then writes synchronously)
	batch    int           // most items per transaction (a larger group goes alone)
	interval time.Duration // longest an item waits when no batch fills
	retry    time.Duration // wait before a failed batch is retried
}

// queueGroup is the items of one enqueue call: the unit that is retried,
// and dropped after queueMaxAttempts, when a batch fails.
type queueGroup[T any] struct {
	items    []T
	attempts int
}

// writeQueue takes writes whose durability may lag the request off the
// request's critical path: the caller only appends to a bounded in-memory
// queue and one background goroutine writes the items in batches, one
// transaction per batch, every interval or as soon as a batch is full.
// The issued cards and the SQLite replay keys each have one.
type writeQueue[T any] struct {
	// write stores items in one transaction.
	write func(ctx context.Context, items []T) error
	cfg   queueConfig

	mu       sync.Mutex
	pending  []queueGroup[T] // queued, oldest first
	queued   int             // items in pending
	inflight []queueGroup[T] // taken by a drain, visible to scan until committed
	closed   bool
	dropErr  error // why items were dropped in the background, reported by close

	// writeMu lets one drain run at a time, so a flush waits for the
	// batch the writer is committing and the order of batches is kept.
	writeMu sync.Mutex
	signal  chan struct{} // capacity 1: the queue became non-empty or a batch filled
	stop    chan struct{}
	done    chan struct{}
}

// newWriteQueue starts the background writer of a queue.
func newWriteQueue[T any](write func(ctx context.Context, items []T) error, cfg queueConfig) *writeQueue[T] {
	q := &writeQueue[T]{
		write:  write,
		cfg:    cfg,
		signal: make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go q.run()
	return q
}

// enqueue queues items, which the queue then owns: the caller must not
// modify them afterwards. It returns false, queuing nothing, when the
// queue is closed or has no room: the caller then writes synchronously
// (back-pressure) rather than dropping the items or blocking.
func (q *writeQueue[T]) enqueue(items []T) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.queued+len(items) > q.cfg.capacity {
		return false
	}
	wasEmpty := q.queued == 0
	q.pending = append(q.pending, queueGroup[T]{items: items})
	q.queued += len(items)
	if wasEmpty || q.queued >= q.cfg.batch {
		select {
		case q.signal <- struct{}{}:
		default: // a wake-up is already pending; the writer rereads the length
		}
	}
	return true
}

// writeNow is the back-pressure path, taken when enqueue refused items: it
// waits for the batch being committed (one at most, see drain), queues the
// items if that made room, and otherwise writes them itself. Taking turns
// with the writer here rather than in the database matters on SQLite,
// where two writers at once make the second sleep in the busy handler for
// milliseconds.
func (q *writeQueue[T]) writeNow(ctx context.Context, items []T) error {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	if q.enqueue(items) {
		return nil
	}
	return q.write(ctx, items)
}

// len returns the number of items waiting to be taken by a drain.
func (q *writeQueue[T]) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// scan calls visit for every item in flight, then every pending item, in
// the order they were queued, so that a reader can see what is not yet
// committed.
func (q *writeQueue[T]) scan(visit func(T)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, groups := range [][]queueGroup[T]{q.inflight, q.pending} {
		for _, g := range groups {
			for _, it := range g.items {
				visit(it)
			}
		}
	}
}

// take moves the oldest groups, up to a batch of items (at least one
// group), from pending to in flight and returns them with their item
// count.
func (q *writeQueue[T]) take() ([]queueGroup[T], int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k, n := 0, 0
	for k < len(q.pending) && (k == 0 || n+len(q.pending[k].items) <= q.cfg.batch) {
		n += len(q.pending[k].items)
		k++
	}
	if k == 0 {
		return nil, 0
	}
	q.inflight = slices.Clone(q.pending[:k])
	clear(q.pending[:k]) // let the collector reclaim the written items
	q.pending = q.pending[k:]
	q.queued -= n
	return q.inflight, n
}

// writeBatch commits a batch in one transaction. When that fails, each
// group is tried on its own so that one bad group cannot sink the others;
// groups that still fail go back to the front of the queue, or are dropped
// after queueMaxAttempts. It returns the first error met.
func (q *writeQueue[T]) writeBatch(ctx context.Context, batch []queueGroup[T]) error {
	var items []T
	if len(batch) == 1 {
		items = batch[0].items
	} else {
		for _, g := range batch {
			items = append(items, g.items...)
		}
	}
	err := q.write(ctx, items)
	if err == nil {
		q.mu.Lock()
		q.inflight = nil
		q.mu.Unlock()
		return nil
	}
	var failed []queueGroup[T]
	if len(batch) == 1 {
		failed = batch
	} else {
		for _, g := range batch {
			if q.write(ctx, g.items) != nil {
				failed = append(failed, g)
			}
		}
	}
	var requeue []queueGroup[T]
	var dropped int
	for _, g := range failed {
		g.attempts++
		if g.attempts >= queueMaxAttempts {
			dropped += len(g.items)
			continue
		}
		requeue = append(requeue, g)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.inflight = nil
	if dropped > 0 && q.dropErr == nil {
		q.dropErr = fmt.Errorf("%d %s dropped after %d attempts: %w", dropped, q.cfg.noun, queueMaxAttempts, err)
	}
	if len(requeue) > 0 {
		wasEmpty := q.queued == 0
		for _, g := range requeue {
			q.queued += len(g.items)
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

// drain writes, in batches, at least the items queued or in flight when it
// starts, and no more than that plus a batch, so that a steady stream of
// requests neither keeps it going for ever nor stops the writer from
// batching. writeMu is taken per batch so that the back-pressure path
// waits for one batch at most. It stops at the first failed batch and
// returns its error.
func (q *writeQueue[T]) drain(ctx context.Context) error {
	q.mu.Lock()
	budget := q.queued
	for _, g := range q.inflight {
		budget += len(g.items) // a failing batch in flight comes back to the front
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

// writeNext takes the next batch and writes it, returning its item count.
func (q *writeQueue[T]) writeNext(ctx context.Context) (int, error) {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	batch, n := q.take()
	if n == 0 {
		return 0, nil
	}
	return n, q.writeBatch(ctx, batch)
}

// flush writes everything queued or in flight when it is called.
func (q *writeQueue[T]) flush(ctx context.Context) error {
	return q.drain(ctx)
}

// run is the background writer: it starts the interval when the first item
// is queued, writes when the interval ends or a batch fills, and retries
// failed batches after cfg.retry.
func (q *writeQueue[T]) run() {
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
			if n := q.len(); n < q.cfg.batch {
				if n > 0 {
					arm(q.cfg.interval)
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
		ctx, cancel := context.WithTimeout(context.Background(), queueWriteTimeout)
		err := q.drain(ctx)
		cancel()
		switch n := q.len(); {
		case n == 0:
		case err != nil:
			arm(q.cfg.retry)
		case n >= q.cfg.batch:
			select {
			case q.signal <- struct{}{}:
			default:
			}
		default:
			arm(q.cfg.interval)
		}
	}
}

// close stops the writer and writes everything still queued; enqueue
// refuses items after close, so callers write synchronously. It returns
// why items could not be written, now or earlier in the background.
func (q *writeQueue[T]) close(ctx context.Context) error {
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
		err = errors.Join(err, fmt.Errorf("%d %s not written", q.queued, q.cfg.noun))
	}
	return errors.Join(err, q.dropErr)
}
