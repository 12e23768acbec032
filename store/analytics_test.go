package store

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// fakeStore is a Store whose Report is a func; the other methods are not
// used by the handler and panic through the nil embedded interface.
type fakeStore struct {
	Store
	report func(ctx context.Context, from, to time.Time) (Report, error)
}

func (f fakeStore) Report(ctx context.Context, from, to time.Time) (Report, error) {
	return f.report(ctx, from, to)
}

func TestAnalyticsHandler(t *testing.T) {
	now := at("2025-03-31T12:00:00Z")
	tests := []struct {
		name       string
		method     string
		query      string
		wantStatus int
		wantFrom   time.Time // for 200
		wantTo     time.Time
	}{
		{"default is the last 30 days", http.MethodGet, "", http.StatusOK, now.AddDate(0, 0, -30), now},
		{"days sets the period", http.MethodGet, "?days=7", http.StatusOK, now.AddDate(0, 0, -7), now},
		{"from and to set the period", http.MethodGet, "?from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00%2B01:00",
			http.StatusOK, at("2025-03-01T00:00:00Z"), at("2025-03-01T23:00:00Z")},
		{"days zero", http.MethodGet, "?days=0", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"days not a number", http.MethodGet, "?days=week", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"days too large", http.MethodGet, "?days=100000", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"from without to", http.MethodGet, "?from=2025-03-01T00:00:00Z", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"to without from", http.MethodGet, "?to=2025-03-01T00:00:00Z", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"from not RFC 3339", http.MethodGet, "?from=2025-03-01&to=2025-03-02T00:00:00Z", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"to before from", http.MethodGet, "?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"days with from and to", http.MethodGet, "?days=3&from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00Z", http.StatusBadRequest, time.Time{}, time.Time{}},
		{"POST is not allowed", http.MethodPost, "", http.StatusMethodNotAllowed, time.Time{}, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var gotFrom, gotTo time.Time
			s := fakeStore{report: func(_ context.Context, from, to time.Time) (Report, error) {
				gotFrom, gotTo = from, to
				return Report{From: from.UTC(), To: to.UTC(), Rules: []RuleStats{
					{Code: "tumor-board", Shown: 2, Accepted: 1, AcceptanceRate: 0.5, TopOverrideReasons: []ReasonCount{}},
				}}, nil
			}}
			rec := httptest.NewRecorder()
			AnalyticsHandler(s, func() time.Time { return now }).ServeHTTP(rec,
				httptest.NewRequest(tc.method, "/analytics"+tc.query, nil))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if tc.wantStatus != http.StatusOK {
				checkOperationOutcome(t, rec.Body.Bytes())
				return
			}
			if !gotFrom.Equal(tc.wantFrom) || !gotTo.Equal(tc.wantTo) {
				t.Errorf("period = %v to %v, want %v to %v", gotFrom, gotTo, tc.wantFrom, tc.wantTo)
			}
			var body struct {
				From  time.Time `json:"from"`
				To    time.Time `json:"to"`
				Rules []struct {
					Code           string          `json:"code"`
					Shown          int             `json:"shown"`
					Accepted       int             `json:"accepted"`
					Overridden     int             `json:"overridden"`
					AcceptanceRate float64         `json:"acceptanceRate"`
					Reasons        json.RawMessage `json:"topOverrideReasons"`
				} `json:"rules"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body is not a report: %v; %s", err, rec.Body)
			}
			if !body.From.Equal(tc.wantFrom) || len(body.Rules) != 1 || body.Rules[0].Code != "tumor-board" ||
				body.Rules[0].AcceptanceRate != 0.5 || string(body.Rules[0].Reasons) != "[]" {
				t.Errorf("body = %s", rec.Body)
			}
		})
	}
}

func TestAnalyticsHandlerStoreError(t *testing.T) {
	s := fakeStore{report: func(context.Context, time.Time, time.Time) (Report, error) {
		return Report{}, errors.New("database is locked")
	}}
	rec := httptest.NewRecorder()
	AnalyticsHandler(s, time.Now).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/analytics", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	oo := checkOperationOutcome(t, rec.Body.Bytes())
	if oo.Issue[0].Diagnostics == "database is locked" {
		t.Errorf("diagnostics expose the store error: %q", oo.Issue[0].Diagnostics)
	}
}

func TestAnalyticsHandlerOnSQLite(t *testing.T) {
	s := newStore(t, sqliteHarness())
	from, to := reportDataset(t, s)
	rec := httptest.NewRecorder()
	AnalyticsHandler(s, time.Now).ServeHTTP(rec, httptest.NewRequest(http.MethodGet,
		"/analytics?from="+from.Format(time.RFC3339)+"&to="+to.Format(time.RFC3339), nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	var got Report
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(got.Rules) != 3 || got.Rules[2].Code != "tumor-board" || got.Rules[2].Shown != 4 ||
		got.Rules[2].AcceptanceRate != 0.5 || len(got.Rules[2].TopOverrideReasons) != 2 {
		t.Errorf("report = %+v", got)
	}
}

// checkOperationOutcome decodes body as an OperationOutcome with one error
// issue.
func checkOperationOutcome(tb testing.TB, body []byte) operationOutcome {
	tb.Helper()
	var oo operationOutcome
	if err := json.Unmarshal(body, &oo); err != nil {
		tb.Fatalf("body is not JSON: %v; %s", err, body)
	}
	if oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 || oo.Issue[0].Severity != "error" ||
		oo.Issue[0].Code == "" || oo.Issue[0].Diagnostics == "" {
		tb.Errorf("not an OperationOutcome with one error issue: %s", body)
	}
	return oo
}
