package cdshooks

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"ombc-cds/logic"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenRecommendations covers every card feature: suggestions under
// at-most-one and any, several orders per suggestion, links, no detail.
func goldenRecommendations() []logic.Recommendation {
	return append(testRecommendations(), logic.Recommendation{
		Code:        "bone-modifying-agent",
		Title:       "Bone-modifying agent",
		Summary:     "Bone metastases without a bone-modifying agent: consider denosumab or zoledronic acid",
		Indicator:   logic.Critical,
		Detail:      "Bone lesion (Condition/c2, 2026-01-12); no denosumab or zoledronic acid on record.",
		SourceLabel: "ASCO bone-modifying agents guideline",
		SourceURL:   "https://ascopubs.org/doi/10.1200/JCO.21.02955",
		Suggestions: []logic.Suggestion{
			{Label: "Denosumab 120 mg every 4 weeks", Recommended: true, Orders: []logic.Order{
				{Kind: logic.MedicationRequest, Code: logic.OrderDenosumab, Label: "Denosumab 120 mg SC every 4 weeks"},
			}},
			{Label: "Zoledronic acid 4 mg every 12 weeks", Recommended: true, Orders: []logic.Order{
				{Kind: logic.MedicationRequest, Code: logic.OrderZoledronicAcid, Label: "Zoledronic acid 4 mg IV every 12 weeks"},
			}},
		},
		Selection: logic.SelectAny,
		Links: []logic.Link{
			{Label: "ASCO guideline", URL: "https://ascopubs.org/doi/10.1200/JCO.21.02955"},
			{Label: "ESMO bone health", URL: "https://www.esmo.org/guidelines"},
		},
	})
}

// TestCardsGolden pins the wire JSON of a recommendation set, served
// through the real handler. Run with -update to rewrite the golden file.
func TestCardsGolden(t *testing.T) {
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) {
		return goldenRecommendations(), nil
	}))
	rec := callService(t, h, validRequest)
	if rec.Code != 200 {
		t.Fatalf("status = %d, want 200; %s", rec.Code, rec.Body)
	}
	checkNoEmpty(t, rec.Body.Bytes())
	var got bytes.Buffer
	if err := json.Indent(&got, rec.Body.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	path := filepath.Join("testdata", "cards.golden.json")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cdshooks -run TestCardsGolden -update)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("cards differ from %s (run with -update if intended)\ngot:\n%s\nwant:\n%s", path, got.Bytes(), want)
	}
}

// TestCardsEmpty checks that no recommendations give an empty, non-nil
// slice, which marshals as [] (O-2).
func TestCardsEmpty(t *testing.T) {
	for _, recs := range [][]logic.Recommendation{nil, {}} {
		cards, err := Cards(recs, testHookInstance, nil, "p")
		if err != nil || cards == nil || len(cards) != 0 {
			t.Errorf("Cards(%v) = %v, %v; want an empty non-nil slice", recs, cards, err)
		}
	}
}

// BenchmarkServiceCall measures a whole service call with prefetch present
// (CONFORMANCE.md O-11 budgets 500 ms; the protocol layer should cost a
// tiny fraction of it).
func BenchmarkServiceCall(b *testing.B) {
	h := newTestHandler(b, testOptions(newFakeStore()))
	for b.Loop() {
		if rec := callService(b, h, validRequest); rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
