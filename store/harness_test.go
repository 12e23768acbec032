package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// update rewrites the golden files under testdata/.
var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// postgresDSNEnv names the variable holding the DSN of a PostgreSQL server
// the tests may create schemas in.
const postgresDSNEnv = "OMBC_TEST_POSTGRES_DSN"

// harness opens one implementation: newTarget makes a fresh, empty place
// for a store (a directory or a DSN with its own schema) and open opens a
// store there. Several stores may be opened on one target.
type harness struct {
	name      string
	newTarget func(tb testing.TB) string
	open      func(ctx context.Context, target string, opts ...Option) (Store, error)
}

// sqliteHarness stores in a fresh temporary directory.
func sqliteHarness() harness {
	return harness{
		name:      "sqlite",
		newTarget: func(tb testing.TB) string { tb.Helper(); return tb.TempDir() },
		open:      OpenSQLite,
	}
}

// postgresHarness gives each target a schema of its own in the server at
// dsn, dropped when the test ends.
func postgresHarness(dsn string) harness {
	return harness{
		name: "postgres",
		newTarget: func(tb testing.TB) string {
			tb.Helper()
			return newPostgresSchema(tb, dsn)
		},
		open: OpenPostgres,
	}
}

// harnessFor returns the harness named by kind, for the child process.
func harnessFor(kind string) (harness, bool) {
	switch kind {
	case "sqlite":
		return sqliteHarness(), true
	case "postgres":
		return postgresHarness(os.Getenv(postgresDSNEnv)), true
	}
	return harness{}, false
}

// newPostgresSchema creates a uniquely named schema and returns dsn with
// search_path set to it, so the store's tables land there.
func newPostgresSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("random schema name: %v", err)
	}
	schema := "ombc_test_" + hex.EncodeToString(b[:])
	ident := pgx.Identifier{schema}.Sanitize()
	adminExec(tb, dsn, "CREATE SCHEMA "+ident)
	tb.Cleanup(func() { adminExec(tb, dsn, "DROP SCHEMA IF EXISTS "+ident+" CASCADE") })
	target, err := withSearchPath(dsn, schema)
	if err != nil {
		tb.Fatalf("DSN with search_path: %v", err)
	}
	return target
}

// adminExec runs one statement on a connection of its own.
func adminExec(tb testing.TB, dsn, stmt string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to %s: %v", postgresDSNEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}

// withSearchPath adds search_path to a URL or key=value DSN; pgx sends it
// as a run-time parameter on every connection.
func withSearchPath(dsn, schema string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema), nil
}

// openStore opens a store on target and closes it when the test ends.
func openStore(tb testing.TB, h harness, target string, opts ...Option) Store {
	tb.Helper()
	s, err := h.open(context.Background(), target, opts...)
	if err != nil {
		tb.Fatalf("open %s store: %v", h.name, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close %s store: %v", h.name, err)
		}
	})
	return s
}

// newStore opens a store on a fresh target.
func newStore(tb testing.TB, h harness, opts ...Option) Store {
	tb.Helper()
	return openStore(tb, h, h.newTarget(tb), opts...)
}

// fakeClock is a settable clock for Seen and defaults.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// at returns a fixed UTC time with microseconds, the finest precision both
// databases keep.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// TestMain lets the test binary act as the child process of the SIGKILL
// test when the child variable is set.
func TestMain(m *testing.M) {
	if kind := os.Getenv(childKindEnv); kind != "" {
		os.Exit(runKillChild(kind, os.Getenv(childTargetEnv), os.Getenv(childModeEnv)))
	}
	os.Exit(m.Run())
}

func TestSQLite(t *testing.T) {
	runSuite(t, sqliteHarness())
}

func TestPostgres(t *testing.T) {
	dsn := os.Getenv(postgresDSNEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a server where the tests may create schemas, e.g. "+
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable", postgresDSNEnv)
	}
	runSuite(t, postgresHarness(dsn))
}

// runSuite runs every storage test against one implementation.
func runSuite(t *testing.T, h harness) {
	tests := []struct {
		name string
		run  func(t *testing.T, h harness)
	}{
		{"feedback is read back with every field", testFeedbackRoundTrip},
		{"duplicate feedback is stored once", testFeedbackDuplicates},
		{"concurrent feedback from 50 goroutines loses nothing", testFeedbackConcurrent},
		{"rule code of an issued card", testRuleCode},
		{"report figures on a hand-computed dataset", testReportFigures},
		{"report period includes its start and excludes its end", testReportBoundaries},
		{"report refuses an empty period", testReportEmptyPeriod},
		{"retention purge deletes only old records", testRetentionPurge},
		{"replay cache refuses a live key and accepts it after expiry", testSeen},
		{"concurrent Seen of one key answers false exactly once", testSeenConcurrent},
		{"expired replay entries are purged", testPurgeExpired},
		{"replay is refused across two store instances", testSeenAcrossInstances},
		{"replay is refused after a restart", testSeenAfterRestart},
		{"migrations run twice are harmless", testMigrationsTwice},
		{"concurrent opens migrate once", testMigrationsConcurrent},
		{"ping answers", testPing},
		{"feedback saved before SIGKILL survives", testKillAfterSave},
		{"issued cards flushed before SIGKILL survive", testKillAfterIssued},
		{"queued issued cards are found, reported and purged", testIssuedQueued},
		{"the writer commits issued cards without a flush", testIssuedWriter},
		{"a full queue writes issued cards synchronously", testIssuedBackPressure},
		{"Close writes the queued issued cards", testIssuedClose},
		{"concurrent SaveIssued and RuleCode lose nothing", testIssuedConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, h) })
	}
}
