package store

import (
	"context"
	"time"

	"ombc-cds/cdshooks"
)

// Store is the persistence the service needs. It satisfies
// cdshooks.FeedbackStore and the replay cache interface of package trust.
type Store interface {
	cdshooks.FeedbackStore

	// Seen is the JWT replay cache (CDS Hooks 2.0 §Trusting CDS Clients:
	// the jti must not be reused). It atomically checks and adds key: it
	// returns true when key is present and unexpired; otherwise it stores
	// key until exp and returns false. On PostgreSQL it is atomic across
	// the processes sharing the database; on SQLite it is atomic within
	// the one process that may use the file, and answers from memory
	// (see doc.go for what a crash may forget).
	Seen(ctx context.Context, key string, exp time.Time) (bool, error)

	// Report computes the per-rule analytics over the half-open period
	// [from, to).
	Report(ctx context.Context, from, to time.Time) (Report, error)

	// ListFeedback returns the feedback received in [from, to), oldest
	// first.
	ListFeedback(ctx context.Context, from, to time.Time) ([]cdshooks.Feedback, error)

	// PurgeFeedback deletes feedback received before the given time and
	// issued-card records issued before it (retention), and returns the
	// number of rows deleted.
	PurgeFeedback(ctx context.Context, before time.Time) (int64, error)

	// PurgeExpired deletes replay entries that expired at or before now
	// and returns how many were deleted.
	PurgeExpired(ctx context.Context, now time.Time) (int64, error)

	// Ping reports whether the database answers (readiness).
	Ping(ctx context.Context) error

	// Close writes the issued cards still queued, then releases the
	// database connections.
	Close() error
}

// Option adjusts how a Store is opened.
type Option func(*options)

// options holds the settings an Option can change.
type options struct {
	now      func() time.Time
	maxConns int

	// The issued-card queue (see issuedQueue); tests shrink or stretch it.
	issuedCapacity int
	issuedBatch    int
	issuedInterval time.Duration
	issuedRetry    time.Duration

	// The SQLite replay cache's write-behind queue (see replayCache).
	replayCapacity int
	replayBatch    int
	replayInterval time.Duration
	replayRetry    time.Duration
}

// defaultOptions returns fresh defaults: the wall clock and a connection
// limit that suits a two-core machine.
func defaultOptions() options {
	return options{now: time.Now, maxConns: 8,
		issuedCapacity: defaultIssuedCapacity, issuedBatch: defaultIssuedBatch,
		issuedInterval: defaultIssuedInterval, issuedRetry: defaultIssuedRetry,
		replayCapacity: defaultReplayCapacity, replayBatch: defaultReplayBatch,
		replayInterval: defaultReplayInterval, replayRetry: defaultReplayRetry}
}

// WithClock sets the clock used by Seen to decide whether a replay entry
// has expired and to stamp migrations and feedback without a received
// time. Tests use it to move time forward without sleeping.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithMaxConns sets the maximum number of open database connections. On
// SQLite it applies to each of the two handles (see OpenSQLite).
func WithMaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// withIssuedQueue sets the capacity, batch size and flush interval of the
// issued-card queue; non-positive values keep the defaults. Tests use it to
// keep cards queued or to make the queue fill.
func withIssuedQueue(capacity, batch int, interval time.Duration) Option {
	return func(o *options) {
		if capacity > 0 {
			o.issuedCapacity = capacity
		}
		if batch > 0 {
			o.issuedBatch = batch
		}
		if interval > 0 {
			o.issuedInterval = interval
		}
	}
}

// buildOptions applies opts over the defaults.
func buildOptions(opts []Option) options {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Open opens the PostgreSQL store when dsn is set (several replicas share
// it) and the SQLite store under dataDir otherwise (the embedded default).
func Open(ctx context.Context, dataDir, dsn string, opts ...Option) (Store, error) {
	if dsn != "" {
		return OpenPostgres(ctx, dsn, opts...)
	}
	return OpenSQLite(ctx, dataDir, opts...)
}
