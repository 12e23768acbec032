package prefetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"ombc-cds/fhirsearch"
)

// TestConformance covers CONFORMANCE.md §P and, one subtest per
// checklist item.
func TestConformance(t *testing.T) {
	t.Run("P-1", testP1States)
	t.Run("P-2_no_prefetch_fetches", testNoPrefetchFetches)
	t.Run("P-2_no_fhirServer_412", testNoFHIRServer)
	t.Run("P-2_partial_prefetch_fetches_only_missing", testPartialPrefetch)
	t.Run("P-3_pages_merged", testPagesMerged)
	t.Run("P-3_pagination_cap", testPaginationCap)
	t.Run("P-3_next_other_origin_refused", testNextOtherOrigin)
	t.Run("P-4_unknown_keys_ignored", testUnknownKeysIgnored)
	t.Run("R-5_token_never_logged", testTokenNeverLogged)
	t.Run("R-6_bearer_sent", testBearerSent)
}

// testP1States runs the P-1 state matrix for a read key and a search key.
func testP1States(t *testing.T) {
	patientRes := `{"resourceType":"Patient","id":"` + testPatient + `","gender":"female"}`
	const outcome = `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing"}]}`
	const emptyBundle = `{"resourceType":"Bundle","type":"searchset","total":0}`
	firstPage := func(f *fhirServer) string {
		return `{"resourceType":"Bundle","type":"searchset","total":3,` +
			`"link":[{"relation":"next","url":"` + f.base + `/Condition?patient=` + testPatient + `&_count=1&_offset=1"}],` +
			`"entry":[{"resource":{"resourceType":"Condition","id":"cond-breast"},"search":{"mode":"match"}}]}`
	}
	allConditions := []string{"Condition/cond-bone", "Condition/cond-breast", "Condition/cond-liver"}
	type want struct {
		requests int
		value    string   // exact JSON (null or the prefetched value) or "" to check keys
		keys     []string // Bundle entries (search) or the single resource key (read)
	}
	tests := []struct {
		state    string
		prefetch func(*fhirServer) string // "" = key absent
		read     want
		search   want
	}{
		{"absent", nil,
			want{requests: 1, keys: []string{"Patient/" + testPatient}},
			want{requests: 1, keys: allConditions}},
		{"null", func(*fhirServer) string { return "null" },
			want{value: "null"},
			want{value: "null"}},
		{"empty_Bundle", func(*fhirServer) string { return emptyBundle },
			want{requests: 1, keys: []string{"Patient/" + testPatient}}, // a Bundle does not answer a read
			want{value: emptyBundle}},
		{"Bundle_with_next", firstPage,
			want{requests: 1, keys: []string{"Patient/" + testPatient}},
			want{requests: 2, keys: allConditions}}, // offsets 1 and 2 at one entry per page
		{"OperationOutcome", func(*fhirServer) string { return outcome },
			want{requests: 1, keys: []string{"Patient/" + testPatient}},
			want{requests: 1, keys: allConditions}},
		{"Bundle_of_OperationOutcomes", func(*fhirServer) string {
			return `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":` + outcome + `,"search":{"mode":"outcome"}}]}`
		},
			want{requests: 1, keys: []string{"Patient/" + testPatient}},
			want{requests: 1, keys: allConditions}},
		{"single_resource", func(*fhirServer) string { return patientRes },
			want{value: patientRes},
			want{requests: 1, keys: allConditions}}, // a Patient does not answer a Condition search
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			for _, kind := range []struct {
				name, key string
				want      want
			}{{"read", "patient", tt.read}, {"search", "conditions", tt.search}} {
				t.Run(kind.name, func(t *testing.T) {
					f := newIndexServer(t, nil)
					in := input(f, nil)
					in.Templates = map[string]string{kind.key: templates()[kind.key]}
					if tt.prefetch != nil {
						in.Prefetch = map[string]json.RawMessage{kind.key: json.RawMessage(tt.prefetch(f))}
					}
					got, rep, err := newFetcher().Resolve(context.Background(), in)
					if err != nil {
						t.Fatalf("Resolve: %v", err)
					}
					if n := len(f.log()); n != kind.want.requests || rep.Requests != n {
						t.Errorf("server saw %d requests, report says %d, want %d", n, rep.Requests, kind.want.requests)
					}
					v, ok := got[kind.key]
					if !ok {
						t.Fatalf("no value for key %q", kind.key)
					}
					switch {
					case kind.want.value != "":
						if string(v) != kind.want.value {
							t.Errorf("value = %s, want %s", v, kind.want.value)
						}
					case kind.name == "read":
						var r struct{ ResourceType, ID string }
						if err := json.Unmarshal(v, &r); err != nil || r.ResourceType+"/"+r.ID != kind.want.keys[0] {
							t.Errorf("value = %.200s, want %s", v, kind.want.keys[0])
						}
					default:
						if keys, _ := resourceKeys(t, v); !slices.Equal(keys, kind.want.keys) {
							t.Errorf("entries = %v, want %v", keys, kind.want.keys)
						}
					}
				})
			}
		})
	}
}

func testNoPrefetchFetches(t *testing.T) {
	f := newIndexServer(t, nil)
	got, rep, err := newFetcher().Resolve(context.Background(), input(f, nil))
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if want := sortedKeys(templates()); !slices.Equal(rep.Fetched, want) {
		t.Errorf("Fetched = %v, want %v", rep.Fetched, want)
	}
	for key, tmpl := range templates() {
		v, ok := got[key]
		if !ok {
			t.Errorf("no value for %q", key)
			continue
		}
		if strings.Contains(tmpl, "?") {
			resourceKeys(t, v) // fails unless a Bundle without next
		}
	}
	obs, _ := resourceKeys(t, got["observations"])
	if len(obs) != 7 { // obs-other (body weight) is not in the code list
		t.Errorf("observations = %v, want the 7 coded ones", obs)
	}
}

func testNoFHIRServer(t *testing.T) {
	in := input(nil, map[string]json.RawMessage{"patient": json.RawMessage(`{"resourceType":"Patient","id":"x"}`)})
	_, _, err := newFetcher().Resolve(context.Background(), in)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable (412)", err)
	}
	if !strings.Contains(err.Error(), "conditions") {
		t.Errorf("error %q does not name a missing key", err)
	}
}

func testPartialPrefetch(t *testing.T) {
	f := newIndexServer(t, nil)
	in := input(f, map[string]json.RawMessage{
		"patient":    json.RawMessage(`{"resourceType":"Patient","id":"` + testPatient + `"}`),
		"conditions": json.RawMessage(`{"resourceType":"Bundle","type":"searchset","total":0}`),
		"careplans":  json.RawMessage(`null`),
	})
	_, rep, err := newFetcher().Resolve(context.Background(), in)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	types := f.requestedTypes()
	for _, typ := range []string{"Patient", "Condition", "CarePlan"} {
		if slices.Contains(types, typ) {
			t.Errorf("server was asked for %s although the client sent it: %v", typ, types)
		}
	}
	// 8 searches plus the Medication reads for mr-tam (found) and
	// mr-missing (404).
	if len(types) != 10 || rep.Requests != 10 {
		t.Errorf("requests %v (report %d), want the 8 missing keys and 2 Medication reads", types, rep.Requests)
	}
	if slices.Contains(rep.Fetched, "patient") || !slices.Contains(rep.Fetched, "observations") {
		t.Errorf("Fetched = %v, want only the missing keys", rep.Fetched)
	}
}

func testPagesMerged(t *testing.T) {
	f := newIndexServer(t, func(s *fhirsearch.Server) { s.PageSize = 2 })
	in := input(f, nil)
	in.Templates = map[string]string{"observations": templates()["observations"]}
	got, rep, err := newFetcher().Resolve(context.Background(), in)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	keys, modes := resourceKeys(t, got["observations"])
	if len(keys) != 7 || modes["match"] != 7 || rep.Pages != 4 {
		t.Errorf("got %d entries (%v) over %d pages, want 7 matches over 4 pages", len(keys), modes, rep.Pages)
	}
	var b struct{ Total int }
	_ = json.Unmarshal(got["observations"], &b)
	if b.Total != 7 {
		t.Errorf("total = %d, want 7", b.Total)
	}
}

func testPaginationCap(t *testing.T) {
	f := newIndexServer(t, func(s *fhirsearch.Server) { s.PageSize = 2 })
	in := input(f, nil)
	in.Templates = map[string]string{"observations": templates()["observations"]}
	fe := newFetcher()
	fe.MaxPages = 3 // 7 observations need 4 pages
	_, _, err := fe.Resolve(context.Background(), in)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable: incomplete data must not give advice", err)
	}
	if n := len(f.log()); n != 3 {
		t.Errorf("server saw %d requests, want 3 (the cap)", n)
	}
}

func testNextOtherOrigin(t *testing.T) {
	f := newIndexServer(t, nil)
	other := newIndexServer(t, nil)
	in := input(f, map[string]json.RawMessage{"conditions": json.RawMessage(
		`{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"` + other.base +
			`/Condition?patient=` + testPatient + `&_count=1&_offset=1"}],"entry":[]}`)})
	in.Templates = map[string]string{"conditions": templates()["conditions"]}
	_, _, err := newFetcher().Resolve(context.Background(), in)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable", err)
	}
	if n := len(other.log()); n != 0 {
		t.Errorf("the other origin received %d requests (the token would have leaked)", n)
	}
}

func testUnknownKeysIgnored(t *testing.T) {
	f := newIndexServer(t, nil)
	in := input(f, map[string]json.RawMessage{
		"patient":             json.RawMessage(`{"resourceType":"Patient","id":"` + testPatient + `"}`),
		"otherServiceKey":     json.RawMessage(`{"resourceType":"Bundle","type":"searchset"}`),
		"otherServiceBadJSON": json.RawMessage(`"not even an object"`),
	})
	in.Templates = map[string]string{"patient": templates()["patient"]}
	got, _, err := newFetcher().Resolve(context.Background(), in)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if len(got) != 1 || got["otherServiceKey"] != nil {
		t.Errorf("result keys = %v, want only patient", got)
	}
	if n := len(f.log()); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func testTokenNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	scenarios := []struct {
		name string
		in   func() Input
	}{
		{"success", func() Input { return input(newIndexServer(t, nil), nil) }},
		{"401", func() Input {
			return input(newIndexServer(t, func(s *fhirsearch.Server) { s.Token = "another" }), nil)
		}},
		{"server error", func() Input {
			return input(newIndexServer(t, func(s *fhirsearch.Server) {
				s.Fail = func(*http.Request) int { return http.StatusInternalServerError }
			}), nil)
		}},
		{"other origin", func() Input {
			other := newIndexServer(t, nil)
			in := input(newIndexServer(t, nil), map[string]json.RawMessage{"conditions": json.RawMessage(
				`{"resourceType":"Bundle","link":[{"relation":"next","url":"` + other.base + `/Condition"}]}`)})
			return in
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			logs.Reset()
			fe := newFetcher()
			fe.Logger = logger
			_, rep, err := fe.Resolve(context.Background(), sc.in())
			if logs.Len() == 0 {
				t.Fatal("nothing was logged: the check below would be vacuous")
			}
			for _, text := range []string{logs.String(), errText(err)} {
				if strings.Contains(text, testToken) {
					t.Errorf("token appears in logs or error: %s", text)
				}
				if strings.Contains(text, testPatient) {
					t.Errorf("patient id appears in logs or error: %s", text)
				}
			}
			if sc.name == "success" && (err != nil || rep.Requests == 0) {
				t.Errorf("success scenario: err %v, %d requests", err, rep.Requests)
			}
			if sc.name != "success" && !errors.Is(err, ErrUnavailable) {
				t.Errorf("error = %v, want ErrUnavailable", err)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func testBearerSent(t *testing.T) {
	t.Run("token sent as bearer", func(t *testing.T) {
		f := newIndexServer(t, nil) // the server requires testToken
		if _, _, err := newFetcher().Resolve(context.Background(), input(f, nil)); err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		for _, r := range f.log() {
			if r.authorization != "Bearer "+testToken || r.accept != "application/fhir+json" {
				t.Errorf("request %s: Authorization %q Accept %q", r.path, r.authorization, r.accept)
			}
		}
	})
	t.Run("no token, no header (open server)", func(t *testing.T) {
		f := newIndexServer(t, func(s *fhirsearch.Server) { s.Token = "" })
		in := input(f, nil)
		in.AccessToken = ""
		if _, _, err := newFetcher().Resolve(context.Background(), in); err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		for _, r := range f.log() {
			if r.authorization != "" {
				t.Errorf("request %s carried Authorization %q", r.path, r.authorization)
			}
		}
	})
}
