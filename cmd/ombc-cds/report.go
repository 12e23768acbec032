package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"ombc-cds/store"
)

// runReport prints feedback analytics per rule code: cards shown, accepted,
// overridden, acceptance rate and the top override reasons over a period.
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ef := newEnvFlags("ombc-cds report", getenv, stderr)
	var (
		dataDir, dsn, from, to string
		days                   int
		asJSON                 bool
	)
	ef.String(&dataDir, "data-dir", "OMBC_DATA_DIR", "data", "directory of the embedded SQLite database")
	ef.String(&dsn, "db-dsn", "OMBC_DB_DSN", "", "PostgreSQL DSN; overrides --data-dir")
	ef.Int(&days, "days", "OMBC_REPORT_DAYS", 30, "report period: the last N days (ignored when --from is set)")
	ef.String(&from, "from", "OMBC_REPORT_FROM", "", "period start, RFC 3339 or YYYY-MM-DD (inclusive)")
	ef.String(&to, "to", "OMBC_REPORT_TO", "", "period end, RFC 3339 or YYYY-MM-DD (exclusive; default now)")
	ef.Bool(&asJSON, "json", "OMBC_REPORT_JSON", false, "print JSON instead of a text table")
	ef.fs.Usage = func() {
		fmt.Fprintf(ef.fs.Output(), "Usage: ombc-cds report [flags]\n\nPrints feedback analytics per rule code. Flags:\n")
		ef.fs.PrintDefaults()
	}
	if err := ef.parse(args); err != nil {
		return err
	}
	end := time.Now().UTC()
	if to != "" {
		t, err := parseDay(to)
		if err != nil {
			return usageError{"--to: " + err.Error()}
		}
		end = t
	}
	start := end.AddDate(0, 0, -days)
	if from != "" {
		t, err := parseDay(from)
		if err != nil {
			return usageError{"--from: " + err.Error()}
		}
		start = t
	}
	if !start.Before(end) {
		return usageError{"the period is empty: --from must be before --to"}
	}
	st, err := store.Open(ctx, dataDir, dsn)
	if err != nil {
		return fmt.Errorf("open storage: %w", err)
	}
	defer st.Close()
	rep, err := st.Report(ctx, start, end)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(stdout)
}

// parseDay accepts RFC 3339 timestamps and plain dates (UTC midnight).
func parseDay(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor YYYY-MM-DD", s)
	}
	return t, nil
}
