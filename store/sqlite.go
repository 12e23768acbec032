package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver (CGO_ENABLED=0 builds)
)

// SQLiteFile is the name of the database file inside the data directory.
const SQLiteFile = "ombc-cds.db"

// sqliteTimeLayout stores times as fixed-width UTC text with nanoseconds, so
// that text order is time order and range comparisons work in SQL.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000000Z"

// sqliteBusyTimeoutMS is how long a writer waits for another writer (in
// this or another process) before giving up.
const sqliteBusyTimeoutMS = 10000

// OpenSQLite opens (creating when needed) the SQLite store in the file
// <dir>/ombc-cds.db and runs the migrations. The journal is WAL. Two
// handles share the file: feedback, migrations and purges go through one
// with synchronous=FULL, so a transaction is on disk when SaveFeedback
// returns and the 200 is sent (issue 6: feedback must never be lost); the
// replay keys and the issued cards, both written behind the request, go
// through one with synchronous=NORMAL, whose commits survive a process
// crash but not necessarily an OS crash or power cut, which saves an fsync
// per batch. The replay cache itself is held in memory (see replayCache),
// so only this process may use the file's replay table.
func OpenSQLite(ctx context.Context, dir string, opts ...Option) (Store, error) {
	o := buildOptions(opts)
	if dir == "" {
		return nil, fmt.Errorf("store: sqlite: empty data directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: sqlite: create data directory: %w", err)
	}
	path := filepath.Join(dir, SQLiteFile)
	db, err := openSQLiteHandle(path, "FULL", o.maxConns)
	if err != nil {
		return nil, err
	}
	fast, err := openSQLiteHandle(path, "NORMAL", o.maxConns)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s := &sqlStore{db: sqliteDB{db: db}, fast: sqliteDB{db: fast}, d: sqliteDialect(), now: o.now,
		memoryReplay: true}
	if err := s.open(ctx, o); err != nil {
		_ = fast.Close()
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// openSQLiteHandle opens a handle whose connections use the given
// synchronous level. sql.Open connects lazily, so the ping in open is what
// reports an unusable file.
func openSQLiteHandle(path, synchronous string, maxConns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path, synchronous))
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	return db, nil
}

// sqliteDSN builds the modernc.org/sqlite DSN: busy_timeout first so the
// other pragmas wait for a concurrent writer; synchronous is FULL or
// NORMAL (a per-connection setting, hence one handle per level); BEGIN
// IMMEDIATE so a transaction holds the write lock from its start and never
// fails to upgrade a read lock.
func sqliteDSN(path, synchronous string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeoutMS))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// sqliteDialect describes SQLite's types and migrations.
func sqliteDialect() dialect {
	return dialect{
		name: "sqlite",
		timeArg: func(t time.Time) any {
			return t.UTC().Format(sqliteTimeLayout)
		},
		migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			applied_at TEXT NOT NULL)`,
		migrations: sqliteMigrations,
	}
}

// sqliteDB adapts database/sql to the database interface.
type sqliteDB struct{ db *sql.DB }

// sqlExecer is what *sql.DB and *sql.Tx have in common.
type sqlExecer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (d sqliteDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, d.db, q, args)
}

func (d sqliteDB) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	return sqlQuery(ctx, d.db, q, args, each)
}

func (d sqliteDB) inTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(sqliteTx{tx: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (d sqliteDB) ping(ctx context.Context) error {
	var one int
	if err := d.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// connect makes the first connection, retrying while the file is busy.
// A new connection switches the journal to WAL, which needs the file to
// itself, and SQLite answers SQLITE_BUSY at once for that rather than
// waiting for busy_timeout; so several processes (or stores) opening the
// same new file together would otherwise fail at random.
func (d sqliteDB) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, sqliteBusyTimeoutMS*time.Millisecond)
	defer cancel()
	wait := 5 * time.Millisecond
	for {
		err := d.ping(ctx)
		if err == nil || !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (5) or one of its
// extended codes (the low byte is the primary code).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == 5
}

func (d sqliteDB) close() error { return d.db.Close() }

// sqliteTx is a querier inside a transaction.
type sqliteTx struct{ tx *sql.Tx }

func (t sqliteTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, t.tx, q, args)
}

func (t sqliteTx) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	return sqlQuery(ctx, t.tx, q, args, each)
}

func sqlExec(ctx context.Context, e sqlExecer, q string, args []any) (int64, error) {
	res, err := e.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func sqlQuery(ctx context.Context, e sqlExecer, q string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := e.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
