package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Analytics period limits.
const (
	defaultAnalyticsDays = 30
	maxAnalyticsDays     = 3660
)

// AnalyticsHandler serves GET /analytics: the Report as JSON over the
// period given either by from and to (RFC 3339, both required, to after
// from) or by days (the last N days up to now; 30 when nothing is given).
// Bad parameters get 400 and a store failure 500, each with a FHIR
// OperationOutcome body (as CDS Hooks 2.0 §Error handling recommends for
// FHIR-related errors). Authentication is the caller's middleware.
func AnalyticsHandler(s Store, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeOutcome(w, http.StatusMethodNotAllowed, "not-supported", "use GET")
			return
		}
		from, to, err := analyticsPeriod(r, now())
		if err != nil {
			writeOutcome(w, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		rep, err := s.Report(r.Context(), from, to)
		if err != nil {
			// The store's error may name tables or the server; keep it out
			// of the response.
			writeOutcome(w, http.StatusInternalServerError, "exception", "analytics unavailable")
			return
		}
		writeJSON(w, http.StatusOK, rep)
	})
}

// analyticsPeriod reads the period parameters.
func analyticsPeriod(r *http.Request, now time.Time) (time.Time, time.Time, error) {
	q := r.URL.Query()
	fromS, toS, daysS := q.Get("from"), q.Get("to"), q.Get("days")
	hasRange := q.Has("from") || q.Has("to")
	switch {
	case hasRange && q.Has("days"):
		return time.Time{}, time.Time{}, errors.New("give either from and to, or days, not both")
	case hasRange:
		if fromS == "" || toS == "" {
			return time.Time{}, time.Time{}, errors.New("from and to must be given together")
		}
		from, err := time.Parse(time.RFC3339, fromS)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("from is not an RFC 3339 time: %q", fromS)
		}
		to, err := time.Parse(time.RFC3339, toS)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("to is not an RFC 3339 time: %q", toS)
		}
		if !to.After(from) {
			return time.Time{}, time.Time{}, errors.New("to must be after from")
		}
		return from, to, nil
	}
	days := defaultAnalyticsDays
	if q.Has("days") {
		n, err := strconv.Atoi(daysS)
		if err != nil || n < 1 || n > maxAnalyticsDays {
			return time.Time{}, time.Time{}, fmt.Errorf("days must be a whole number from 1 to %d", maxAnalyticsDays)
		}
		days = n
	}
	to := now.UTC()
	return to.AddDate(0, 0, -days), to, nil
}

// operationOutcome is the minimal FHIR R4 OperationOutcome.
type operationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []outcomeIssue `json:"issue"`
}

// outcomeIssue is one OperationOutcome.issue.
type outcomeIssue struct {
	Severity    string `json:"severity"`
	Code        string `json:"code"`
	Diagnostics string `json:"diagnostics,omitempty"`
}

// writeOutcome answers with an OperationOutcome of one error issue; code
// is from the FHIR IssueType value set.
func writeOutcome(w http.ResponseWriter, status int, code, diagnostics string) {
	writeJSON(w, status, operationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []outcomeIssue{{Severity: "error", Code: code, Diagnostics: diagnostics}},
	})
}

// writeJSON writes v as the JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
