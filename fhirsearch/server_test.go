package fhirsearch

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// get performs a GET against the test server and returns status and body.
func get(tb testing.TB, rawURL string, header map[string]string) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		tb.Errorf("Content-Type = %q, want application/fhir+json", ct)
	}
	return resp.StatusCode, body
}

func TestServerStatus(t *testing.T) {
	x := loadIndex(t, "small_transaction.json")
	srv := &Server{Index: x, Token: "secret-token", Fail: func(r *http.Request) int {
		if r.URL.Query().Get("fail") != "" {
			return http.StatusServiceUnavailable
		}
		return 0
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	auth := map[string]string{"Authorization": "Bearer secret-token"}
	tests := []struct {
		name, path string
		header     map[string]string
		want       int
		wantType   string
	}{
		{"read", "/fhir/Patient/" + patientID, auth, 200, "Patient"},
		{"read at the root", "/Patient/" + patientID, auth, 200, "Patient"},
		{"unknown id is 404 with OperationOutcome", "/fhir/Patient/nobody", auth, 404, "OperationOutcome"},
		{"search", "/fhir/Condition?patient=" + patientID, auth, 200, "Bundle"},
		{"unsupported parameter is 400", "/fhir/Condition?patient=x&_include=Condition:subject", auth, 400, "OperationOutcome"},
		{"missing token is 401", "/fhir/Patient/" + patientID, nil, 401, "OperationOutcome"},
		{"wrong token is 401", "/fhir/Patient/" + patientID, map[string]string{"Authorization": "Bearer other"}, 401, "OperationOutcome"},
		{"token without Bearer is 401", "/fhir/Patient/" + patientID, map[string]string{"Authorization": "secret-token"}, 401, "OperationOutcome"},
		{"injected failure", "/fhir/Condition?fail=1", auth, 503, "OperationOutcome"},
		{"unknown path is 404", "/fhir/", auth, 404, "OperationOutcome"},
		{"bad offset is 400", "/fhir/Condition?_offset=x", auth, 400, "OperationOutcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, ts.URL+tt.path, tt.header)
			if status != tt.want {
				t.Errorf("status = %d, want %d (%s)", status, tt.want, body)
			}
			var r struct {
				ResourceType string `json:"resourceType"`
			}
			if err := json.Unmarshal(body, &r); err != nil || r.ResourceType != tt.wantType {
				t.Errorf("resourceType = %q (%v), want %q", r.ResourceType, err, tt.wantType)
			}
		})
	}
}

func TestServerPaging(t *testing.T) {
	x := loadIndex(t, "small_transaction.json")
	ts := httptest.NewServer(&Server{Index: x, PageSize: 3})
	defer ts.Close()
	tests := []struct {
		name, query string
		wantPages   [][]string
	}{
		{"page size from the server", "Observation?patient=" + patientID + "&_sort=-date", [][]string{
			{"Observation/obs-pr", "Observation/obs-er", "Observation/obs-m"},
			{"Observation/obs-size"},
		}},
		{"page size from _count", "Observation?patient=" + patientID + "&_count=2", [][]string{
			{"Observation/obs-er", "Observation/obs-pr"},
			{"Observation/obs-m", "Observation/obs-size"},
		}},
		{"one page", "Condition?patient=" + patientID, [][]string{{"Condition/cond-1"}}},
		{"empty search has total 0 and no next", "CarePlan?patient=" + patientID, [][]string{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := ts.URL + "/fhir/" + tt.query
			var pages [][]string
			for next != "" && len(pages) < 10 {
				status, body := get(t, next, nil)
				if status != 200 {
					t.Fatalf("status %d: %s", status, body)
				}
				b := decodeBundle(t, body)
				pages = append(pages, b.keys(t))
				next = ""
				for _, l := range b.Link {
					if l.Relation == "next" {
						next = l.URL
					}
				}
				if next != "" && !strings.HasPrefix(next, ts.URL+"/fhir/") {
					t.Errorf("next link %q is not absolute on the server", next)
				}
				for _, e := range b.Entry {
					if !strings.HasPrefix(e.FullURL, ts.URL+"/fhir/") || e.Search.Mode != "match" {
						t.Errorf("entry fullUrl %q mode %q, want absolute under /fhir and match", e.FullURL, e.Search.Mode)
					}
				}
			}
			if len(pages) != len(tt.wantPages) {
				t.Fatalf("got %d pages %v, want %v", len(pages), pages, tt.wantPages)
			}
			for i := range pages {
				if !slices.Equal(pages[i], tt.wantPages[i]) {
					t.Errorf("page %d = %v, want %v", i, pages[i], tt.wantPages[i])
				}
			}
		})
	}
}

func TestServerLatencyStopsOnCancel(t *testing.T) {
	x := loadIndex(t, "small_transaction.json")
	ts := httptest.NewServer(&Server{Index: x, Latency: time.Minute})
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/Patient/"+patientID, nil)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("request answered although the latency is a minute")
	}
	// ts.Close (deferred) waits for the handler: it returns only because
	// the handler stops waiting when the request is cancelled.
}

func TestServerRefusesWrites(t *testing.T) {
	ts := httptest.NewServer(&Server{Index: loadIndex(t, "small_transaction.json")})
	defer ts.Close()
	resp, err := http.Post(ts.URL+"/Patient", "application/fhir+json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST status = %d, want 405", resp.StatusCode)
	}
}
