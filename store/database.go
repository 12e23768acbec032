package store

import (
	"context"
	"time"
)

// querier runs statements written with '?' placeholders; each database
// adapter translates them to its own dialect.
type querier interface {
	// exec runs a statement and returns the number of rows it affected.
	exec(ctx context.Context, q string, args ...any) (int64, error)
	// query runs q and calls each once per row with a scan function;
	// the rows are closed before query returns.
	query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error
}

// database is one of the two SQL back ends.
type database interface {
	querier
	// inTx runs fn in a transaction that takes the write lock up front,
	// committing when fn returns nil and rolling back otherwise.
	inTx(ctx context.Context, fn func(q querier) error) error
	ping(ctx context.Context) error
	// connect makes the first connection at open, waiting out transient
	// contention where the back end needs it.
	connect(ctx context.Context) error
	close() error
}

// dialect holds what differs between SQLite and PostgreSQL beyond the
// placeholder syntax, which the adapters handle.
type dialect struct {
	name string
	// timeArg encodes a time for a statement argument, always in UTC.
	timeArg func(t time.Time) any
	// migrationsTable is the DDL of schema_migrations.
	migrationsTable string
	// lockMigrations runs first in every migration transaction so that
	// concurrent processes apply migrations one at a time ("" for none).
	lockMigrations string
	migrations     func() []migration
	// relaxCommit runs first in an issued-card transaction to let its
	// commit skip waiting for the WAL flush ("" for none).
	relaxCommit string
}
