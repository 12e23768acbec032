package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations run by several replicas starting at once.
const migrationLockKey int64 = 0x6f6d6263 // "ombc"

// OpenPostgres connects to PostgreSQL with dsn (a URL or key=value
// string, as pgx accepts) and runs the migrations. Tables are created in
// the first schema of the search_path, which the DSN may set.
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (Store, error) {
	o := buildOptions(opts)
	// Run-time parameters in the DSN, search_path among them, stay in
	// cfg.ConnConfig.RuntimeParams and are sent in the startup message of
	// every connection the pool opens, so no AfterConnect hook is needed.
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx error text may echo the DSN, including a password; keep it out.
		return nil, fmt.Errorf("store: postgres: invalid DSN")
	}
	// WithMaxConns is the one limit callers set; it overrides pgxpool's
	// CPU-based default and any pool_max_conns in the DSN.
	cfg.MaxConns = int32(min(o.maxConns, math.MaxInt32))
	// NewWithConfig connects lazily, so the ping in open is what reports an
	// unreachable server.
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s := &sqlStore{db: pgDB{pool: pool}, fast: pgDB{pool: pool}, d: postgresDialect(), now: o.now}
	if err := s.open(ctx, o); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// postgresDialect describes PostgreSQL's types and migrations.
func postgresDialect() dialect {
	return dialect{
		name: "postgres",
		timeArg: func(t time.Time) any {
			return t.UTC()
		},
		migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY,
			applied_at timestamptz NOT NULL)`,
		lockMigrations: "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(migrationLockKey, 10) + ")",
		migrations:     postgresMigrations,
		relaxCommit:    "SET LOCAL synchronous_commit = off",
	}
}

// rebind turns '?' placeholders into PostgreSQL's $1, $2, ... The
// statements of this package hold no '?' in literals or identifiers.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pgDB adapts the pgx connection pool to the database interface.
type pgDB struct{ pool *pgxpool.Pool }

// pgRunner is what *pgxpool.Pool and pgx.Tx have in common.
type pgRunner interface {
	Exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, q string, args ...any) (pgx.Rows, error)
}

// exec and query let the pool acquire a connection per statement; it is
// released when Exec returns or when the rows are closed.
func (d pgDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return pgExec(ctx, d.pool, q, args)
}

func (d pgDB) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	return pgQuery(ctx, d.pool, q, args, each)
}

// inTx acquires the connection itself rather than calling pool.Begin so
// that only a failing BEGIN is reported as "begin:", not a failure to get
// a connection. Release destroys a connection still in a transaction
// (when fn panics), so a half-done transaction is never reused.
func (d pgDB) inTx(ctx context.Context, fn func(q querier) error) error {
	c, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	tx, err := c.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(pgTx{tx: tx}); err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// connect is ping: pgxpool already retries dialling within the context.
func (d pgDB) connect(ctx context.Context) error { return d.ping(ctx) }

func (d pgDB) ping(ctx context.Context) error {
	if err := d.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// close waits for connections in use to be released, then closes them all.
func (d pgDB) close() error {
	d.pool.Close()
	return nil
}

// pgTx is a querier inside a transaction.
type pgTx struct{ tx pgx.Tx }

func (t pgTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return pgExec(ctx, t.tx, q, args)
}

func (t pgTx) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	return pgQuery(ctx, t.tx, q, args, each)
}

func pgExec(ctx context.Context, r pgRunner, q string, args []any) (int64, error) {
	tag, err := r.Exec(ctx, rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func pgQuery(ctx context.Context, r pgRunner, q string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := r.Query(ctx, rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
