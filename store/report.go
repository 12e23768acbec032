package store

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// maxOverrideReasons is how many override reasons a rule lists.
const maxOverrideReasons = 5

// Report is the analytics over a period: how each rule's cards fared
// (issue 6: which cards clinicians accept or override, and why).
type Report struct {
	From  time.Time   `json:"from"`
	To    time.Time   `json:"to"`
	Rules []RuleStats `json:"rules"`
}

// RuleStats are the figures of one rule code. Shown counts the cards
// issued in the period; Accepted and Overridden count the distinct cards
// with such feedback whose outcome timestamp is in the period (a card may
// have been shown before the period began).
type RuleStats struct {
	Code               string        `json:"code"`
	Shown              int           `json:"shown"`
	Accepted           int           `json:"accepted"`
	Overridden         int           `json:"overridden"`
	AcceptanceRate     float64       `json:"acceptanceRate"` // Accepted/Shown, 0 when none shown
	TopOverrideReasons []ReasonCount `json:"topOverrideReasons"`
}

// ReasonCount is an override reason (CDS Hooks 2.0 §Overridden guidance,
// overrideReason) and the number of distinct cards overridden with it.
type ReasonCount struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display"`
	Count   int    `json:"count"`
}

// feedbackRuleCode is the rule of a feedback row: that of the issued card
// with the same uuid when known, else the rule code stored with the
// feedback (taken from the card's topic when it was received).
const feedbackRuleCode = `COALESCE((SELECT i.rule_code FROM issued_cards i
	WHERE i.card_uuid = f.card_uuid AND i.rule_code <> ''
	ORDER BY i.issued_at LIMIT 1), f.rule_code)`

// Report computes the analytics over [from, to).
func (s *sqlStore) Report(ctx context.Context, from, to time.Time) (Report, error) {
	if !to.After(from) {
		return Report{}, ErrInvalidPeriod
	}
	// Figures include every card issued so far, queued ones too.
	if err := s.flushIssued(ctx); err != nil {
		return Report{}, err
	}
	period := []any{s.d.timeArg(from), s.d.timeArg(to)}
	b := newReportBuilder(from, to)

	err := s.db.query(ctx, `SELECT rule_code, COUNT(*) FROM issued_cards
		WHERE issued_at >= ? AND issued_at < ? GROUP BY rule_code`, period,
		func(scan func(dest ...any) error) error {
			var code string
			var n int64
			if err := scan(&code, &n); err != nil {
				return err
			}
			b.rule(code).Shown += int(n)
			return nil
		})
	if err != nil {
		return Report{}, s.wrap("report shown", err)
	}

	err = s.db.query(ctx, `SELECT rule_code, outcome, COUNT(DISTINCT card_uuid) FROM (
		SELECT `+feedbackRuleCode+` AS rule_code, f.outcome, f.card_uuid FROM feedback f
		WHERE f.outcome_ts >= ? AND f.outcome_ts < ?) x
		GROUP BY rule_code, outcome`, period,
		func(scan func(dest ...any) error) error {
			var code, outcome string
			var n int64
			if err := scan(&code, &outcome, &n); err != nil {
				return err
			}
			switch outcome {
			case OutcomeAccepted:
				b.rule(code).Accepted += int(n)
			case OutcomeOverridden:
				b.rule(code).Overridden += int(n)
			}
			return nil
		})
	if err != nil {
		return Report{}, s.wrap("report outcomes", err)
	}

	err = s.db.query(ctx, `SELECT rule_code, override_system, override_code, MAX(override_display),
		COUNT(DISTINCT card_uuid) FROM (
		SELECT `+feedbackRuleCode+` AS rule_code, f.override_system, f.override_code,
			f.override_display, f.card_uuid FROM feedback f
		WHERE f.outcome = ? AND f.override_code <> '' AND f.outcome_ts >= ? AND f.outcome_ts < ?) x
		GROUP BY rule_code, override_system, override_code`,
		append([]any{OutcomeOverridden}, period...),
		func(scan func(dest ...any) error) error {
			var code string
			var r ReasonCount
			var n int64
			if err := scan(&code, &r.System, &r.Code, &r.Display, &n); err != nil {
				return err
			}
			r.Count = int(n)
			st := b.rule(code)
			st.TopOverrideReasons = append(st.TopOverrideReasons, r)
			return nil
		})
	if err != nil {
		return Report{}, s.wrap("report override reasons", err)
	}
	return b.report(), nil
}

// reportBuilder gathers per-rule figures from several queries.
type reportBuilder struct {
	from, to time.Time
	rules    map[string]*RuleStats
}

func newReportBuilder(from, to time.Time) *reportBuilder {
	return &reportBuilder{from: from.UTC(), to: to.UTC(), rules: map[string]*RuleStats{}}
}

// rule returns the figures of code, creating them on first use.
func (b *reportBuilder) rule(code string) *RuleStats {
	st, ok := b.rules[code]
	if !ok {
		st = &RuleStats{Code: code}
		b.rules[code] = st
	}
	return st
}

// report orders the rules by code, computes the rates and keeps the most
// frequent override reasons (ties by code, so the output is stable).
func (b *reportBuilder) report() Report {
	r := Report{From: b.from, To: b.to, Rules: make([]RuleStats, 0, len(b.rules))}
	for _, st := range b.rules {
		if st.Shown > 0 {
			st.AcceptanceRate = float64(st.Accepted) / float64(st.Shown)
		}
		slices.SortFunc(st.TopOverrideReasons, func(x, y ReasonCount) int {
			return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Code, y.Code), cmp.Compare(x.System, y.System))
		})
		if len(st.TopOverrideReasons) > maxOverrideReasons {
			st.TopOverrideReasons = st.TopOverrideReasons[:maxOverrideReasons]
		}
		if st.TopOverrideReasons == nil {
			st.TopOverrideReasons = []ReasonCount{}
		}
		r.Rules = append(r.Rules, *st)
	}
	slices.SortFunc(r.Rules, func(x, y RuleStats) int { return cmp.Compare(x.Code, y.Code) })
	return r
}

// unknownRule labels feedback whose card was never recorded and carried no
// rule code.
const unknownRule = "(unknown)"

// WriteText writes the report as an aligned text table for the `report`
// subcommand.
func (r Report) WriteText(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "Period: %s to %s (end excluded)\n\n",
		r.From.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	if len(r.Rules) == 0 {
		_, err := fmt.Fprintln(w, "No cards shown and no feedback in this period.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSHOWN\tACCEPTED\tOVERRIDDEN\tACCEPTANCE\tTOP OVERRIDE REASONS")
	for _, st := range r.Rules {
		code := st.Code
		if code == "" {
			code = unknownRule
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f%%\t%s\n", code, st.Shown, st.Accepted, st.Overridden,
			100*st.AcceptanceRate, reasonsText(st.TopOverrideReasons))
	}
	return tw.Flush()
}

// reasonsText lists reasons as "display (code) xN" separated by "; ",
// "-" when there are none. Tabs and newlines in displays are flattened so
// the table stays aligned.
func reasonsText(reasons []ReasonCount) string {
	if len(reasons) == 0 {
		return "-"
	}
	flat := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		label := flat.Replace(r.Display)
		if label == "" {
			label = flat.Replace(r.Code)
		}
		parts[i] = fmt.Sprintf("%s (%s) x%d", label, flat.Replace(r.Code), r.Count)
	}
	return strings.Join(parts, "; ")
}
