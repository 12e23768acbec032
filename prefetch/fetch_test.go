package prefetch

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"ombc-cds/fhirsearch"
)

func TestTimeout(t *testing.T) {
	f := newIndexServer(t, func(s *fhirsearch.Server) { s.Latency = time.Minute })
	fe := newFetcher()
	fe.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, _, err := fe.Resolve(context.Background(), input(f, nil))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("error = %v, want ErrTimeout (504)", err)
	}
	// Not a speed assertion: the server would answer after a minute, so
	// returning at all before that shows the call does not wait for it.
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Errorf("Resolve returned after %s, i.e. it waited for the server", elapsed)
	}
}

func TestCallerCancel(t *testing.T) {
	f := newIndexServer(t, func(s *fhirsearch.Server) { s.Latency = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, _, err := newFetcher().Resolve(ctx, input(f, nil))
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestConcurrency(t *testing.T) {
	tests := []struct {
		name        string
		concurrency int
		check       func(maxIn int) bool
		want        string
	}{
		{"keys fetched in parallel", 0, func(n int) bool { return n > 1 && n <= defaultConcurrency }, "between 2 and 6"},
		{"bound respected", 1, func(n int) bool { return n == 1 }, "exactly 1"},
		{"bound of three", 3, func(n int) bool { return n > 1 && n <= 3 }, "2 or 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newIndexServer(t, func(s *fhirsearch.Server) { s.Latency = 50 * time.Millisecond })
			fe := newFetcher()
			fe.Concurrency = tt.concurrency
			_, rep, err := fe.Resolve(context.Background(), input(f, nil))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if len(rep.Fetched) != 11 {
				t.Errorf("fetched %d keys, want 11", len(rep.Fetched))
			}
			if n := f.maxInFlight(); !tt.check(n) {
				t.Errorf("max requests in flight at the server = %d, want %s", n, tt.want)
			}
		})
	}
}

func TestAllowRefusing(t *testing.T) {
	f := newIndexServer(t, nil)
	fe := newFetcher()
	var asked string
	fe.Allow = func(s string) error { asked = s; return errors.New("origin not allowlisted") }
	_, rep, err := fe.Resolve(context.Background(), input(f, nil))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable", err)
	}
	if asked != f.base {
		t.Errorf("Allow got %q, want %q", asked, f.base)
	}
	if n := len(f.log()); n != 0 || rep.Requests != 0 {
		t.Errorf("%d requests made (report %d), want none", n, rep.Requests)
	}
}

func TestServerFailures(t *testing.T) {
	tests := []struct {
		name   string
		fail   func(r *http.Request) int
		token  string
		key    string
		want   error
		wantOK string // for success cases: the exact value
	}{
		{"401 is unavailable", nil, "wrong", "conditions", ErrUnavailable, ""},
		{"403 is unavailable", func(*http.Request) int { return 403 }, testToken, "conditions", ErrUnavailable, ""},
		{"500 is unavailable", func(*http.Request) int { return 500 }, testToken, "patient", ErrUnavailable, ""},
		{"404 on a search is unavailable", func(*http.Request) int { return 404 }, testToken, "conditions", ErrUnavailable, ""},
		{"404 on a read is null", func(*http.Request) int { return 404 }, testToken, "patient", nil, "null"},
		{"410 on a read is null", func(*http.Request) int { return 410 }, testToken, "patient", nil, "null"},
		{"failure on a second page", func(r *http.Request) int {
			if r.URL.Query().Get("_offset") == "2" {
				return 500
			}
			return 0
		}, testToken, "observations", ErrUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newIndexServer(t, func(s *fhirsearch.Server) { s.Fail = tt.fail; s.PageSize = 2 })
			in := input(f, nil)
			in.Templates = map[string]string{tt.key: templates()[tt.key]}
			in.AccessToken = tt.token
			got, _, err := newFetcher().Resolve(context.Background(), in)
			if tt.want != nil {
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.key) {
					t.Fatalf("error = %v, want %v naming key %q", err, tt.want, tt.key)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if string(got[tt.key]) != tt.wantOK {
				t.Errorf("value = %s, want %s", got[tt.key], tt.wantOK)
			}
		})
	}
}

func TestBadResponses(t *testing.T) {
	handler := func(body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/fhir+json")
			_, _ = w.Write([]byte(body))
		})
	}
	tests := []struct {
		name, key, body string
		maxBytes        int64
	}{
		{"search answered with a resource", "conditions", `{"resourceType":"Condition","id":"x"}`, 0},
		{"read answered with another type", "patient", `{"resourceType":"Practitioner","id":"x"}`, 0},
		{"read answered with a Bundle", "patient", `{"resourceType":"Bundle","type":"searchset"}`, 0},
		{"not JSON", "conditions", `<html>login</html>`, 0},
		{"truncated JSON", "patient", `{"resourceType":"Patient"`, 0},
		{"huge response", "conditions", `{"resourceType":"Bundle","type":"searchset","entry":[` +
			strings.Repeat(`{"resource":{"resourceType":"Condition","id":"x"}},`, 100) + `{}]}`, 1024},
		{"error OperationOutcome inside a Bundle", "conditions", `{"resourceType":"Bundle","type":"searchset","entry":[` +
			`{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]},"search":{"mode":"outcome"}}]}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFHIRServer(t, handler(tt.body))
			in := input(f, nil)
			in.Templates = map[string]string{tt.key: templates()[tt.key]}
			fe := newFetcher()
			fe.MaxBytes = tt.maxBytes
			_, _, err := fe.Resolve(context.Background(), in)
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("error = %v, want ErrUnavailable", err)
			}
		})
	}
}

func TestRedirectToOtherOrigin(t *testing.T) {
	other := newIndexServer(t, nil)
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.base+"/Patient/"+testPatient, http.StatusFound)
	})
	tests := []struct {
		name   string
		client *http.Client
	}{
		{"default client refuses the redirect", nil},
		{"a client that follows redirects is made to refuse too", &http.Client{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFHIRServer(t, redirect)
			in := input(f, nil)
			in.Templates = map[string]string{"patient": templates()["patient"]}
			fe := newFetcher()
			fe.Client = tt.client
			_, _, err := fe.Resolve(context.Background(), in)
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("error = %v, want ErrUnavailable", err)
			}
			for _, r := range other.log() {
				if r.authorization != "" {
					t.Errorf("the other origin received Authorization %q", r.authorization)
				}
			}
		})
	}
}

func TestMedicationReferences(t *testing.T) {
	t.Run("fetched bundle", func(t *testing.T) {
		f := newIndexServer(t, nil)
		in := input(f, nil)
		in.Templates = map[string]string{"medicationrequests": templates()["medicationrequests"]}
		got, rep, err := newFetcher().Resolve(context.Background(), in)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		keys, modes := resourceKeys(t, got["medicationrequests"])
		want := []string{"Medication/med-tam", "MedicationRequest/mr-contained", "MedicationRequest/mr-missing",
			"MedicationRequest/mr-tam", "MedicationRequest/mr-tam-2"}
		if !slices.Equal(keys, want) || modes["include"] != 1 || modes["match"] != 4 {
			t.Errorf("entries = %v modes %v, want %v with one include", keys, modes, want)
		}
		// one search, one read of med-tam (referenced twice, read once),
		// one read of the missing Medication (404, left alone)
		if rep.Requests != 3 {
			t.Errorf("Requests = %d, want 3: %v", rep.Requests, f.requestedTypes())
		}
		var b struct{ Total int }
		_ = json.Unmarshal(got["medicationrequests"], &b)
		if b.Total != 4 {
			t.Errorf("total = %d, want 4 (includes are not matches)", b.Total)
		}
	})
	t.Run("prefetched bundle", func(t *testing.T) {
		f := newIndexServer(t, nil)
		prefetched := `{"resourceType":"Bundle","type":"searchset","total":3,"entry":[` +
			`{"resource":{"resourceType":"MedicationRequest","id":"a","medicationReference":{"reference":"Medication/med-tam"}}},` +
			`{"resource":{"resourceType":"MedicationRequest","id":"b","medicationReference":{"reference":"` + f.base + `/Medication/med-tam"}}},` +
			`{"resource":{"resourceType":"MedicationRequest","id":"c","medicationReference":{"reference":"https://elsewhere.example/fhir/Medication/med-tam"}}}]}`
		in := input(f, map[string]json.RawMessage{"medicationrequests": json.RawMessage(prefetched)})
		in.Templates = map[string]string{"medicationrequests": templates()["medicationrequests"]}
		got, rep, err := newFetcher().Resolve(context.Background(), in)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		keys, modes := resourceKeys(t, got["medicationrequests"])
		if !slices.Contains(keys, "Medication/med-tam") || modes["include"] != 1 || len(keys) != 4 {
			t.Errorf("entries = %v modes %v, want the 3 requests and med-tam once", keys, modes)
		}
		if rep.Requests != 1 {
			t.Errorf("Requests = %d, want 1 (the foreign reference is not read)", rep.Requests)
		}
		if !strings.Contains(string(got["medicationrequests"]), `"total":3`) {
			t.Errorf("the client's Bundle elements were not kept: %.300s", got["medicationrequests"])
		}
	})
	t.Run("already included medication is not read again", func(t *testing.T) {
		f := newIndexServer(t, nil)
		prefetched := `{"resourceType":"Bundle","type":"searchset","entry":[` +
			`{"resource":{"resourceType":"MedicationRequest","id":"a","medicationReference":{"reference":"Medication/med-tam"}}},` +
			`{"resource":{"resourceType":"Medication","id":"med-tam"},"search":{"mode":"include"}}]}`
		in := input(f, map[string]json.RawMessage{"medicationrequests": json.RawMessage(prefetched)})
		in.Templates = map[string]string{"medicationrequests": templates()["medicationrequests"]}
		got, rep, err := newFetcher().Resolve(context.Background(), in)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		if rep.Requests != 0 || string(got["medicationrequests"]) != prefetched {
			t.Errorf("Requests = %d, value changed = %v; want the Bundle untouched", rep.Requests, string(got["medicationrequests"]) != prefetched)
		}
	})
	t.Run("no fhirServer leaves references alone", func(t *testing.T) {
		prefetched := `{"resourceType":"Bundle","type":"searchset","entry":[` +
			`{"resource":{"resourceType":"MedicationRequest","id":"a","medicationReference":{"reference":"Medication/med-tam"}}}]}`
		in := input(nil, map[string]json.RawMessage{"medicationrequests": json.RawMessage(prefetched)})
		in.Templates = map[string]string{"medicationrequests": templates()["medicationrequests"]}
		got, _, err := newFetcher().Resolve(context.Background(), in)
		if err != nil || string(got["medicationrequests"]) != prefetched {
			t.Errorf("err %v, value %s; want the Bundle as sent", err, got["medicationrequests"])
		}
	})
}

func TestInvalidPrefetch(t *testing.T) {
	tests := []struct{ name, value string }{
		{"string", `"Patient/1"`},
		{"array", `[{"resourceType":"Patient"}]`},
		{"number", `42`},
		{"not JSON", `{"resourceType":`},
		{"malformed entry list", `{"resourceType":"Bundle","entry":{"resource":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(nil, map[string]json.RawMessage{"conditions": json.RawMessage(tt.value)})
			_, _, err := newFetcher().Resolve(context.Background(), in)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "conditions") {
				t.Fatalf("error = %v, want ErrInvalid naming the key", err)
			}
		})
	}
}

func TestTemplateTokens(t *testing.T) {
	f := newIndexServer(t, nil)
	t.Run("missing token is invalid", func(t *testing.T) {
		in := input(f, nil)
		in.Templates = map[string]string{"encounter": "Encounter/{{context.encounterId}}"}
		_, _, err := newFetcher().Resolve(context.Background(), in)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "context.encounterId") {
			t.Fatalf("error = %v, want ErrInvalid naming the token", err)
		}
		if len(f.log()) != 0 {
			t.Error("a request was made for an unfillable template")
		}
	})
	t.Run("value is escaped", func(t *testing.T) {
		in := input(f, nil)
		in.Templates = map[string]string{"conditions": templates()["conditions"]}
		in.Context["context.patientId"] = "x&_include=Condition:subject"
		_, _, err := newFetcher().Resolve(context.Background(), in)
		if err == nil {
			t.Fatal("Resolve succeeded; the server must have refused the (escaped) invalid id")
		}
		last := f.log()[len(f.log())-1].path
		if strings.Contains(last, "&_include") {
			t.Errorf("request %q carries the injected parameter", last)
		}
	})
}

func TestFill(t *testing.T) {
	tokens := map[string]string{"context.patientId": "a b/c", "userPractitionerId": "p1"}
	tests := []struct {
		name, template, want string
	}{
		{"read path escapes", "Patient/{{context.patientId}}", "Patient/a%20b%2Fc"},
		{"query escapes", "Condition?patient={{context.patientId}}", "Condition?patient=a+b%2Fc"},
		{"user token", "Practitioner/{{userPractitionerId}}", "Practitioner/p1"},
		{"spaces inside braces", "Patient/{{ context.patientId }}", "Patient/a%20b%2Fc"},
		{"no token", "Condition?code=http://snomed.info/sct|254837009", "Condition?code=http://snomed.info/sct|254837009"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fill("k", tt.template, tokens)
			if err != nil || got != tt.want {
				t.Errorf("fill(%q) = %q, %v; want %q", tt.template, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"Patient/{{context.userId}}", "Patient/{{context.patientId}", "X?a={{}}"} {
		if _, err := fill("k", bad, tokens); !errors.Is(err, ErrInvalid) {
			t.Errorf("fill(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name    string
		context string
		want    map[string]string
	}{
		{"patient-view context", `{"userId":"Practitioner/123","patientId":"1288992","encounterId":"89284"}`,
			map[string]string{"context.userId": "Practitioner/123", "context.patientId": "1288992",
				"context.encounterId": "89284", "userPractitionerId": "123"}},
		{"PractitionerRole user", `{"userId":"PractitionerRole/r1","patientId":"p"}`,
			map[string]string{"context.userId": "PractitionerRole/r1", "context.patientId": "p", "userPractitionerRoleId": "r1"}},
		{"Patient user", `{"userId":"Patient/p","patientId":"p"}`,
			map[string]string{"context.userId": "Patient/p", "context.patientId": "p", "userPatientId": "p"}},
		{"RelatedPerson user", `{"userId":"RelatedPerson/rp"}`,
			map[string]string{"context.userId": "RelatedPerson/rp", "userRelatedPersonId": "rp"}},
		{"unknown user type", `{"userId":"Device/d"}`, map[string]string{"context.userId": "Device/d"}},
		{"only primitives are tokens", `{"patientId":"p","draftOrders":{"resourceType":"Bundle"},"selections":["a"],"n":3,"b":true,"z":null}`,
			map[string]string{"context.patientId": "p", "context.n": "3", "context.b": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ctx map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.context), &ctx); err != nil {
				t.Fatal(err)
			}
			got := Tokens(ctx)
			if len(got) != len(tt.want) {
				t.Errorf("Tokens = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("Tokens[%q] = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// roundTripFunc is a func-typed fake transport.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestResponseFromOtherOriginRefused(t *testing.T) {
	// A transport that answers from somewhere else (as a client that
	// followed a redirect would) is caught by the response origin check.
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		moved, _ := http.NewRequest(http.MethodGet, "https://elsewhere.example/fhir/Patient/x", nil)
		return &http.Response{
			StatusCode: 200, Request: moved, Header: http.Header{},
			Body: http.NoBody,
		}, nil
	})}
	in := input(nil, nil)
	in.FHIRServer = "https://ehr.example/fhir"
	in.Templates = map[string]string{"patient": templates()["patient"]}
	fe := newFetcher()
	fe.Client = client
	_, _, err := fe.Resolve(context.Background(), in)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "another origin") {
		t.Fatalf("error = %v, want ErrUnavailable for a response from another origin", err)
	}
}

func TestBadFHIRServer(t *testing.T) {
	for _, s := range []string{"ftp://ehr.example/fhir", "/fhir", "https://user:pw@ehr.example/fhir", "https://ehr.example/fhir?x=1"} {
		in := input(nil, nil)
		in.FHIRServer = s
		if _, _, err := newFetcher().Resolve(context.Background(), in); !errors.Is(err, ErrUnavailable) {
			t.Errorf("fhirServer %q: error = %v, want ErrUnavailable", s, err)
		}
	}
}
