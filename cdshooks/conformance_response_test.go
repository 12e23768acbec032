package cdshooks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"ombc-cds/logic"
)

func responseCases() []conformanceCase {
	return []conformanceCase{
		{"O-1_cards_array", testCardsArray},
		{"O-2_no_guidance_empty_cards", testNoGuidance},
		{"O-3_412_operation_outcome", testPreconditionFailed},
		{"O-4_summary_under_140", testSummaryUnder140},
		{"O-4_card_required_fields", testCardRequiredFields},
		{"O-4_uuid_deterministic", testUUIDDeterministic},
		{"O-5_source_https_and_topic", testSource},
		{"O-6_suggestions_selection_behavior", testSelectionBehavior},
		{"O-7_create_actions", testCreateActions},
		{"O-8_override_reasons_display", testOverrideReasons},
		{"O-9_links_absolute", testLinks},
		{"O-10_no_system_actions", testNoSystemActions},
		{"O-11_advisor_bounded_by_request_context", testAdvisorContext},
		{"O-12_detail_without_html", testDetailWithoutHTML},
	}
}

// serviceCards posts validRequest to a handler answering recs.
func serviceCards(t *testing.T, recs []logic.Recommendation) ([]Card, map[string]any) {
	t.Helper()
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) {
		return recs, nil
	}))
	rec := callService(t, h, validRequest)
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatalf("body: %v", err)
	}
	return decodeCards(t, rec), raw
}

// cardsError runs Cards on one changed test recommendation.
func cardsError(change func(r *logic.Recommendation)) error {
	rec := testRecommendations()[0]
	change(&rec)
	_, err := Cards([]logic.Recommendation{rec}, testHookInstance, testDraft, "1288992")
	return err
}

func testCardsArray(t *testing.T) {
	cards, raw := serviceCards(t, testRecommendations())
	if _, ok := raw["cards"].([]any); !ok || len(cards) != 2 {
		t.Errorf("cards = %v, want an array of 2", raw["cards"])
	}
}

func testNoGuidance(t *testing.T) {
	_, raw := serviceCards(t, nil)
	if arr, ok := raw["cards"].([]any); !ok || len(arr) != 0 {
		t.Errorf("cards = %v, want []", raw["cards"])
	}
	t.Run("spec example shape", func(t *testing.T) {
		var want map[string]any
		if err := json.Unmarshal(readExample(t, "v2.0.1/response-no-guidance-empty-cards.json"), &want); err != nil {
			t.Fatal(err)
		}
		if arr, ok := want["cards"].([]any); !ok || len(arr) != 0 {
			t.Fatalf("spec example = %v, want cards: []", want)
		}
	})
}

func testPreconditionFailed(t *testing.T) {
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) {
		return nil, &Error{Status: http.StatusPreconditionFailed, Code: "processing", Message: "required prefetch missing and no fhirServer"}
	}))
	diag := wantOutcome(t, callService(t, h, validRequest), http.StatusPreconditionFailed, "processing")
	if diag != "required prefetch missing and no fhirServer" {
		t.Errorf("diagnostics = %q", diag)
	}
}

func testSummaryUnder140(t *testing.T) {
	cards, _ := serviceCards(t, testRecommendations())
	for _, c := range cards {
		if n := utf8.RuneCountInString(c.Summary); n == 0 || n >= 140 {
			t.Errorf("summary %q has %d characters, want 1 to 139", c.Summary, n)
		}
	}
	for _, n := range []int{140, 200} {
		if err := cardsError(func(r *logic.Recommendation) { r.Summary = strings.Repeat("é", n) }); err == nil {
			t.Errorf("Cards accepted a %d-character summary", n)
		}
	}
	if err := cardsError(func(r *logic.Recommendation) { r.Summary = strings.Repeat("é", 139) }); err != nil {
		t.Errorf("Cards refused a 139-character summary: %v", err)
	}
}

func testCardRequiredFields(t *testing.T) {
	cards, _ := serviceCards(t, testRecommendations())
	for _, c := range cards {
		if c.Indicator != "info" && c.Indicator != "warning" && c.Indicator != "critical" {
			t.Errorf("indicator = %q", c.Indicator)
		}
		if c.Source.Label == "" || c.UUID == "" {
			t.Errorf("card %q: source.label %q uuid %q, want both", c.Summary, c.Source.Label, c.UUID)
		}
	}
	for name, change := range map[string]func(r *logic.Recommendation){
		"empty code":         func(r *logic.Recommendation) { r.Code = "" },
		"empty summary":      func(r *logic.Recommendation) { r.Summary = " " },
		"empty source label": func(r *logic.Recommendation) { r.SourceLabel = "" },
	} {
		if err := cardsError(change); err == nil {
			t.Errorf("Cards accepted a recommendation with %s", name)
		}
	}
}

func testUUIDDeterministic(t *testing.T) {
	a, _ := Cards(testRecommendations(), testHookInstance, testDraft, "p")
	b, _ := Cards(testRecommendations(), testHookInstance, testDraft, "p")
	c, _ := Cards(testRecommendations(), "another-hook-instance", testDraft, "p")
	if a[0].UUID != b[0].UUID || a[0].Suggestions[1].UUID != b[0].Suggestions[1].UUID {
		t.Errorf("uuids differ between identical calls: %s %s", a[0].UUID, b[0].UUID)
	}
	if a[0].UUID == c[0].UUID || a[0].UUID == a[1].UUID || a[0].Suggestions[0].UUID == a[0].Suggestions[1].UUID {
		t.Error("uuids collide across hook instances, rules or suggestions")
	}
	if a[0].UUID != CardUUID(testHookInstance, "tumor-board") {
		t.Errorf("card uuid = %s, want CardUUID(hookInstance, rule code)", a[0].UUID)
	}
	// Format: version 5, RFC 9562 variant.
	u := CardUUID("x", "y")
	if len(u) != 36 || u[14] != '5' || !strings.ContainsRune("89ab", rune(u[19])) {
		t.Errorf("CardUUID = %s, want a version-5 RFC 9562 uuid", u)
	}
	// Known answer of an independent implementation (Python's
	// uuid.uuid5(uuid.NAMESPACE_URL, "http://www.example.com/")).
	if got, want := uuidV5("http://www.example.com/"), "fcde3c85-2270-590f-9e7c-ee003d65e0e2"; got != want {
		t.Errorf("uuidV5 = %s, want %s", got, want)
	}
}

func testSource(t *testing.T) {
	cards, _ := serviceCards(t, testRecommendations())
	for _, c := range cards {
		if c.Source.URL != "" {
			if u, err := url.Parse(c.Source.URL); err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("source.url %q is not absolute https", c.Source.URL)
			}
		}
		if c.Source.Topic == nil || c.Source.Topic.System != RuleSystem || c.Source.Topic.Code == "" {
			t.Errorf("source.topic = %+v, want system %s and the rule code", c.Source.Topic, RuleSystem)
		}
	}
	if got := cards[0].Source.Topic; got.Code != "tumor-board" || got.Display != "Tumour board review" {
		t.Errorf("topic = %+v, want tumor-board with its title", got)
	}
	for _, bad := range []string{"http://www.esmo.org", "/relative", "javascript:alert(1)"} {
		if err := cardsError(func(r *logic.Recommendation) { r.SourceURL = bad }); err == nil {
			t.Errorf("Cards accepted source url %q", bad)
		}
	}
}

func testSelectionBehavior(t *testing.T) {
	cards, raw := serviceCards(t, testRecommendations())
	for _, c := range cards {
		if len(c.Suggestions) > 0 && c.SelectionBehavior != "at-most-one" && c.SelectionBehavior != "any" {
			t.Errorf("card with suggestions has selectionBehavior %q", c.SelectionBehavior)
		}
		if len(c.Suggestions) == 0 && c.SelectionBehavior != "" {
			t.Errorf("card without suggestions has selectionBehavior %q", c.SelectionBehavior)
		}
		recommended := 0
		for _, s := range c.Suggestions {
			if s.Label == "" || s.UUID == "" {
				t.Errorf("suggestion %+v lacks label or uuid", s)
			}
			if s.IsRecommended {
				recommended++
			}
		}
		if c.SelectionBehavior == "at-most-one" && recommended > 1 {
			t.Errorf("%d recommended suggestions under at-most-one", recommended)
		}
	}
	// isRecommended is present only when true.
	second := raw["cards"].([]any)[0].(map[string]any)["suggestions"].([]any)[1].(map[string]any)
	if _, ok := second["isRecommended"]; ok {
		t.Errorf("suggestion %v carries isRecommended false", second)
	}
	for name, change := range map[string]func(r *logic.Recommendation){
		"no selection":             func(r *logic.Recommendation) { r.Selection = logic.SelectNone },
		"two recommended":          func(r *logic.Recommendation) { r.Suggestions[1].Recommended = true },
		"suggestion with no label": func(r *logic.Recommendation) { r.Suggestions[0].Label = "" },
	} {
		if err := cardsError(change); err == nil {
			t.Errorf("Cards accepted %s", name)
		}
	}
	if err := cardsError(func(r *logic.Recommendation) { r.Selection = logic.SelectAny; r.Suggestions[1].Recommended = true }); err != nil {
		t.Errorf("Cards refused two recommended under any: %v", err)
	}
}

func testCreateActions(t *testing.T) {
	cards, _ := serviceCards(t, testRecommendations())
	for _, s := range cards[0].Suggestions {
		if len(s.Actions) == 0 {
			t.Errorf("suggestion %q has no actions", s.Label)
		}
		for _, a := range s.Actions {
			var res struct{ ResourceType, Status string }
			if err := json.Unmarshal(a.Resource, &res); err != nil {
				t.Fatal(err)
			}
			if a.Type != "create" || a.Description == "" || res.ResourceType == "" || a.ResourceID != "" {
				t.Errorf("action = %+v, want create with description and resource, no resourceId", a)
			}
		}
	}
	if got := len(cards[0].Suggestions[1].Actions); got != 2 {
		t.Errorf("second suggestion has %d actions, want one per order (2)", got)
	}
	t.Run("draft failures", func(t *testing.T) {
		for name, draft := range map[string]DraftFunc{
			"nil draft":          nil,
			"draft error":        func(logic.Order, string) (json.RawMessage, error) { return nil, context.DeadlineExceeded },
			"not a resource":     func(logic.Order, string) (json.RawMessage, error) { return json.RawMessage(`{"status":"draft"}`), nil },
			"not even an object": func(logic.Order, string) (json.RawMessage, error) { return json.RawMessage(`null`), nil },
		} {
			if _, err := Cards(testRecommendations(), testHookInstance, draft, "p"); err == nil {
				t.Errorf("%s: Cards succeeded", name)
			}
		}
	})
}

func testOverrideReasons(t *testing.T) {
	cards, _ := serviceCards(t, testRecommendations())
	for _, c := range cards {
		if len(c.OverrideReasons) < 4 {
			t.Errorf("card has %d override reasons, want at least 4", len(c.OverrideReasons))
		}
		for _, r := range c.OverrideReasons {
			if r.Code == "" || r.System != OverrideReasonSystem || r.Display == "" {
				t.Errorf("override reason %+v lacks code, system or display", r)
			}
		}
	}
	a := OverrideReasons()
	a[0].Code = "mutated"
	if OverrideReasons()[0].Code == "mutated" {
		t.Error("OverrideReasons shares its slice between calls")
	}
}

func testLinks(t *testing.T) {
	cards, _ := serviceCards(t, testRecommendations())
	if len(cards[0].Links) != 1 {
		t.Fatalf("links = %+v, want 1", cards[0].Links)
	}
	for _, l := range cards[0].Links {
		if l.Label == "" || l.URL == "" || l.Type != "absolute" || l.AppContext != "" {
			t.Errorf("link %+v, want label, url, type absolute and no appContext", l)
		}
	}
	if cards[1].Links != nil {
		t.Errorf("card without links has links %+v", cards[1].Links)
	}
}

func testNoSystemActions(t *testing.T) {
	_, raw := serviceCards(t, testRecommendations())
	if _, ok := raw["systemActions"]; ok || len(raw) != 1 {
		t.Errorf("response members = %v, want cards only", raw)
	}
}

// testAdvisorContext checks that the advisor works under the request's
// context, so a deadline or a client disconnect bounds its work (O-11);
// speed itself is measured by BenchmarkServiceCall.
func testAdvisorContext(t *testing.T) {
	var deadline time.Time
	var hasDeadline bool
	h := newTestHandler(t, withAdvisor(testOptions(nil), func(ctx context.Context, _ *Request) ([]logic.Recommendation, error) {
		deadline, hasDeadline = ctx.Deadline()
		return nil, nil
	}))
	want := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), want)
	defer cancel()
	req := newPost(t, "/cds-services/"+testServiceID, validRequest).WithContext(ctx)
	rec := serve(h, req)
	if rec.Code != http.StatusOK || !hasDeadline || !deadline.Equal(want) {
		t.Errorf("status %d, advisor deadline %v (set %v), want the request's %v", rec.Code, deadline, hasDeadline, want)
	}
}

func testDetailWithoutHTML(t *testing.T) {
	recs := testRecommendations()
	recs[0].Detail = "Lesion note: <script>alert(1)</script> <img src=x onerror=alert(1)>"
	cards, _ := serviceCards(t, recs)
	for _, c := range cards {
		if strings.Contains(c.Detail, "<") {
			t.Errorf("detail %q contains a raw tag", c.Detail)
		}
	}
	if !strings.Contains(cards[0].Detail, "&lt;script>") {
		t.Errorf("detail = %q, want the tag escaped as text", cards[0].Detail)
	}
}
