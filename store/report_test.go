package store

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// golden compares got with testdata/name, rewriting it under -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatalf("update golden: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestWriteText(t *testing.T) {
	tests := []struct {
		name   string
		report Report
	}{
		{"report.golden", Report{
			From: at("2025-03-10T00:00:00Z"), To: at("2025-03-11T00:00:00Z"),
			Rules: []RuleStats{
				{Code: "", Overridden: 1, TopOverrideReasons: []ReasonCount{}},
				{Code: "biopsy-metastasis", Overridden: 1, TopOverrideReasons: []ReasonCount{
					{System: overrideSystem, Code: "not-candidate", Display: "Not a candidate", Count: 1}}},
				{Code: "staging-imaging", Shown: 2, Overridden: 1, TopOverrideReasons: []ReasonCount{}},
				{Code: "tumor-board", Shown: 3, Accepted: 2, Overridden: 3, AcceptanceRate: 2.0 / 3,
					TopOverrideReasons: []ReasonCount{
						{System: overrideSystem, Code: "already-done", Display: "Already\tdone", Count: 2},
						{System: overrideSystem, Code: "patient-declined", Count: 1},
					}},
			},
		}},
		{"report_empty.golden", Report{From: at("2025-03-10T00:00:00Z"), To: at("2025-03-11T00:00:00Z")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.report.WriteText(&b); err != nil {
				t.Fatalf("WriteText: %v", err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestReportBuilderOrdersAndTruncatesReasons(t *testing.T) {
	b := newReportBuilder(at("2025-03-10T00:00:00Z"), at("2025-03-11T00:00:00Z"))
	st := b.rule("tumor-board")
	st.Shown, st.Accepted = 4, 1
	st.TopOverrideReasons = []ReasonCount{
		{Code: "f", Count: 1}, {Code: "e", Count: 3}, {Code: "d", Count: 1},
		{Code: "c", Count: 2}, {Code: "b", Count: 1}, {Code: "a", Count: 1},
	}
	b.rule("a-rule-with-nothing-shown").Accepted = 2

	got := b.report()
	want := []RuleStats{
		{Code: "a-rule-with-nothing-shown", Accepted: 2, TopOverrideReasons: []ReasonCount{}},
		{Code: "tumor-board", Shown: 4, Accepted: 1, AcceptanceRate: 0.25, TopOverrideReasons: []ReasonCount{
			{Code: "e", Count: 3}, {Code: "c", Count: 2}, {Code: "a", Count: 1}, {Code: "b", Count: 1}, {Code: "d", Count: 1},
		}},
	}
	if !reflect.DeepEqual(got.Rules, want) {
		t.Errorf("rules:\n got %+v\nwant %+v", got.Rules, want)
	}
}
