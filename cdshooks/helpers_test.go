package cdshooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ombc-cds/internal/sharedtest"
	"ombc-cds/logic"
)

const (
	testServiceID    = "ombc-patient-view"
	testHookInstance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
	testIssuer       = "https://ehr.example.org"
)

// testNow is the fixed clock of the tests.
func testNow() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }

// validRequest is a complete patient-view call; tests mutate copies of it.
const validRequest = `{
  "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
  "hook": "patient-view",
  "fhirServer": "https://fhir.example.org/r4",
  "fhirAuthorization": {
    "access_token": "opaque-fhir-token",
    "token_type": "Bearer",
    "expires_in": 300,
    "scope": "patient/Patient.read patient/Observation.read",
    "subject": "ombc-cds",
    "patient": "1288992"
  },
  "context": {"userId": "Practitioner/example", "patientId": "1288992", "encounterId": "89284"},
  "prefetch": {
    "patient": {"resourceType": "Patient", "id": "1288992", "gender": "female", "birthDate": "1961-04-02"},
    "conditions": null
  }
}`

// mutate returns validRequest changed by f.
func mutate(tb testing.TB, f func(m map[string]any)) string {
	tb.Helper()
	return mutateJSON(tb, validRequest, f)
}

func mutateJSON(tb testing.TB, doc string, f func(m map[string]any)) string {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		tb.Fatalf("test JSON: %v", err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		tb.Fatalf("test JSON: %v", err)
	}
	return string(out)
}

// sub returns the object at key in m.
func sub(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

// testRecommendations is a small recommendation set: one card with two
// suggestions and links, one plain info card.
func testRecommendations() []logic.Recommendation {
	return []logic.Recommendation{
		{
			Code:        "tumor-board",
			Title:       "Tumour board review",
			Summary:     "Oligometastatic breast cancer: refer to the multidisciplinary tumour board",
			Indicator:   logic.Warning,
			Detail:      "**Why**\n\n- 2 distant lesions (Condition/c1, 2026-01-12)\n\n## Evidence\n\nESMO 2021.",
			SourceLabel: "ESMO metastatic breast cancer guideline 2021",
			SourceURL:   "https://www.esmo.org/guidelines/guidelines-by-topic/breast-cancer",
			Suggestions: []logic.Suggestion{
				{Label: "Refer to tumour board", Recommended: true, Orders: []logic.Order{
					{Kind: logic.ServiceRequest, Code: logic.OrderTumorBoard, Label: "Referral to multidisciplinary tumour board"},
				}},
				{Label: "Refer and stage with PET/CT", Orders: []logic.Order{
					{Kind: logic.ServiceRequest, Code: logic.OrderTumorBoard, Label: "Referral to multidisciplinary tumour board"},
					{Kind: logic.ServiceRequest, Code: logic.OrderPETCT, Label: "FDG PET/CT, whole body"},
				}},
			},
			Selection: logic.SelectAtMostOne,
			Links: []logic.Link{
				{Label: "ESMO guideline", URL: "https://www.annalsofoncology.org/article/S0923-7534(21)04498-7/fulltext"},
			},
		},
		{
			Code:        "data-quality",
			Title:       "Data quality",
			Summary:     "Receptor status of the primary tumour is not recorded",
			Indicator:   logic.Info,
			SourceLabel: "OMBC rule book",
		},
	}
}

// testDraft is a DraftFunc that builds a minimal draft ServiceRequest.
func testDraft(o logic.Order, patientID string) (json.RawMessage, error) {
	if o.Kind == logic.MedicationRequest {
		return json.Marshal(map[string]any{
			"resourceType": "MedicationRequest", "status": "draft", "intent": "proposal",
			"medicationCodeableConcept": map[string]any{"text": o.Label},
			"subject":                   map[string]string{"reference": "Patient/" + patientID},
		})
	}
	return json.Marshal(map[string]any{
		"resourceType": "ServiceRequest", "status": "draft", "intent": "proposal",
		"code":    map[string]any{"text": o.Label},
		"subject": map[string]string{"reference": "Patient/" + patientID},
	})
}

// fakeStore is an in-memory FeedbackStore that dedupes like the real one
// must (same card, outcome and outcome timestamp stored once).
type fakeStore struct {
	mu       sync.Mutex
	feedback map[string]Feedback
	calls    int
	issued   []IssuedCard
	rules    map[string]string // card uuid -> rule code
	fail     error
}

func newFakeStore() *fakeStore {
	return &fakeStore{feedback: map[string]Feedback{}, rules: map[string]string{}}
}

func (s *fakeStore) SaveFeedback(_ context.Context, items []Feedback) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.calls++
	for _, it := range items {
		s.feedback[it.Card+"|"+it.Outcome+"|"+it.OutcomeTimestamp.Format(time.RFC3339Nano)] = it
	}
	return nil
}

func (s *fakeStore) SaveIssued(_ context.Context, cards []IssuedCard) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = append(s.issued, cards...)
	for _, c := range cards {
		s.rules[c.CardUUID] = c.RuleCode
	}
	return nil
}

func (s *fakeStore) RuleCode(_ context.Context, card string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rules[card], nil
}

func (s *fakeStore) saved() []Feedback {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Feedback, 0, len(s.feedback))
	for _, f := range s.feedback {
		out = append(out, f)
	}
	return out
}

// testService is the discovery entry of the tests.
func testService() Service {
	return Service{
		Hook:        "patient-view",
		ID:          testServiceID,
		Title:       "Oligometastatic breast cancer advice",
		Description: "Suggests the next steps for oligometastatic breast cancer.",
		Prefetch: map[string]string{
			"patient":    "Patient/{{context.patientId}}",
			"conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
		},
		UsageRequirements: "Needs read access to the patient's record.",
	}
}

// testOptions returns working Options: an advisor answering
// testRecommendations, an authenticator accepting everyone as testIssuer,
// testDraft, a fake store and a discarding logger.
func testOptions(store FeedbackStore) Options {
	return Options{
		Logger: slog.New(slog.NewTextHandler(discard{}, nil)),
		Entries: []Entry{{Service: testService(), Advise: func(context.Context, *Request) ([]logic.Recommendation, error) {
			return testRecommendations(), nil
		}}},
		Authenticate: func(*http.Request) (Caller, error) { return Caller{Issuer: testIssuer}, nil },
		Draft:        testDraft,
		Feedback:     store,
		CORS:         CORS{AllowedOrigins: []string{"https://sandbox.cds-hooks.org"}},
		Now:          testNow,
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// withAdvisor replaces the advisor of the first entry.
func withAdvisor(o Options, a Advisor) Options {
	o.Entries = []Entry{{Service: o.Entries[0].Service, Advise: a}}
	return o
}

func newTestHandler(tb testing.TB, opts Options) http.Handler {
	tb.Helper()
	h, err := NewHandler(opts)
	if err != nil {
		tb.Fatalf("NewHandler: %v", err)
	}
	return h
}

// do serves one request; headers are name, value pairs.
func do(tb testing.TB, h http.Handler, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func callService(tb testing.TB, h http.Handler, body string) *httptest.ResponseRecorder {
	tb.Helper()
	return do(tb, h, http.MethodPost, "/cds-services/"+testServiceID, body)
}

// decodeCards decodes a 200 service answer.
func decodeCards(tb testing.TB, rec *httptest.ResponseRecorder) []Card {
	tb.Helper()
	if rec.Code != http.StatusOK {
		tb.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	var resp Response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		tb.Fatalf("decoding cards: %v; body %s", err, rec.Body)
	}
	return resp.Cards
}

// outcome is a decoded OperationOutcome body.
type outcome struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity    string `json:"severity"`
		Code        string `json:"code"`
		Diagnostics string `json:"diagnostics"`
	} `json:"issue"`
}

// wantOutcome checks status, content type and the OperationOutcome shape,
// and returns the diagnostics.
func wantOutcome(tb testing.TB, rec *httptest.ResponseRecorder, status int, code string) string {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		tb.Errorf("Content-Type = %q, want application/json", ct)
	}
	var oo outcome
	if err := json.Unmarshal(rec.Body.Bytes(), &oo); err != nil {
		tb.Fatalf("body is not JSON: %v; %s", err, rec.Body)
	}
	if oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 || oo.Issue[0].Severity != "error" {
		tb.Fatalf("body = %s, want an OperationOutcome with one error issue", rec.Body)
	}
	if code != "" && oo.Issue[0].Code != code {
		tb.Errorf("issue code = %q, want %q", oo.Issue[0].Code, code)
	}
	checkNoEmpty(tb, rec.Body.Bytes())
	return oo.Issue[0].Diagnostics
}

// checkNoEmpty fails on any null, "", [] or {} in a JSON document, except a
// top-level "cards": [] or "services": [] (CONFORMANCE.md G-2).
func checkNoEmpty(tb testing.TB, body []byte) {
	tb.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("not JSON: %v; %s", err, body)
	}
	for _, p := range emptyMembers("$", v, true) {
		tb.Errorf("G-2: %s is null or empty in %s", p, body)
	}
}

func emptyMembers(path string, v any, top bool) []string {
	var found []string
	switch x := v.(type) {
	case nil:
		return []string{path}
	case string:
		if x == "" {
			return []string{path}
		}
	case []any:
		if len(x) == 0 {
			return []string{path}
		}
		for i, e := range x {
			found = append(found, emptyMembers(fmt.Sprintf("%s[%d]", path, i), e, false)...)
		}
	case map[string]any:
		if len(x) == 0 {
			return []string{path}
		}
		for k, e := range x {
			if arr, ok := e.([]any); ok && top && len(arr) == 0 && (k == "cards" || k == "services") {
				continue
			}
			found = append(found, emptyMembers(path+"."+k, e, false)...)
		}
	}
	return found
}

// sharedDir returns ../shared beside the repository, or skips.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Dir(tb)
}

// readExample reads a spec example from ../shared/cdshooks/examples, or
// skips when it is absent.
func readExample(tb testing.TB, name string) []byte {
	tb.Helper()
	path := filepath.Join(sharedDir(tb), "cdshooks", "examples", name)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("../shared not present: example %s is missing", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// newPost builds a JSON POST request.
func newPost(tb testing.TB, path, body string) *http.Request {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// serve runs one request through h.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
