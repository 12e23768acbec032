package cdshooks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"ombc-cds/logic"
)

// TestErrorMatrix checks the one error mapping end to end: every failure is
// the right status with an OperationOutcome, and internal error text never
// reaches the client.
func TestErrorMatrix(t *testing.T) {
	advisorFails := func(err error) Options {
		return withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) { return nil, err })
	}
	authFails := testOptions(nil)
	authFails.Authenticate = func(*http.Request) (Caller, error) { return Caller{}, errors.New("signature invalid for kid k1") }
	service := "/cds-services/" + testServiceID
	tests := []struct {
		name       string
		opts       Options
		method     string
		path       string
		body       string
		wantStatus int
		wantCode   string
		wantDiag   []string // substrings of the diagnostics
		notDiag    string   // must not appear in the diagnostics
	}{
		{"malformed JSON says where", testOptions(nil), http.MethodPost, service, "{\n  \"hook\": \"patient-view\",\n  \"context\": {,}\n}",
			400, "invalid", []string{"byte offset 42", "line 3", "column 15"}, ""},
		{"trailing garbage", testOptions(nil), http.MethodPost, service, validRequest + "x", 400, "invalid", []string{"malformed JSON", "byte offset"}, ""},
		{"wrong type for a field", testOptions(nil), http.MethodPost, service, mutate(t, func(m map[string]any) { m["hookInstance"] = 7 }),
			400, "invalid", []string{`field "hookInstance"`, "expected a string", "number"}, ""},
		{"wrong type nested", testOptions(nil), http.MethodPost, service, mutate(t, func(m map[string]any) { sub(m, "fhirAuthorization")["expires_in"] = "300" }),
			400, "invalid", []string{`"fhirAuthorization.expires_in"`, "expected a number"}, ""},
		{"body not an object", testOptions(nil), http.MethodPost, service, `["patient-view"]`, 400, "invalid", []string{"expected an object"}, ""},
		{"empty body", testOptions(nil), http.MethodPost, service, "", 400, "invalid", []string{"empty"}, ""},
		{"11 MiB body", testOptions(nil), http.MethodPost, service, `{"hook":"` + strings.Repeat("a", 11<<20) + `"}`, 413, "too-costly", []string{"exceeds 10485760 bytes"}, ""},
		{"unknown service", testOptions(nil), http.MethodPost, "/cds-services/no-such-service", validRequest, 404, "not-found", []string{"no-such-service"}, ""},
		{"unknown path", testOptions(nil), http.MethodGet, "/cds-services/a/b/c", "", 404, "not-found", nil, ""},
		{"wrong method on service", testOptions(nil), http.MethodGet, service, "", 405, "not-supported", []string{"GET"}, ""},
		{"wrong method on discovery", testOptions(nil), http.MethodPut, "/cds-services", "", 405, "not-supported", nil, ""},
		{"advisor 412", advisorFails(&Error{Status: 412, Message: "prefetch conditions missing and no fhirServer"}), http.MethodPost, service, validRequest,
			412, "processing", []string{"prefetch conditions missing"}, ""},
		{"advisor 504", advisorFails(fmt.Errorf("fetching: %w", &Error{Status: 504, Code: "timeout", Message: "FHIR server did not answer in time", Err: context.DeadlineExceeded})),
			http.MethodPost, service, validRequest, 504, "timeout", []string{"did not answer"}, "deadline"},
		{"advisor plain error", advisorFails(errors.New("pq: relation patients does not exist")), http.MethodPost, service, validRequest,
			500, "exception", []string{"internal error"}, "relation"},
		{"advisor error with bogus status", advisorFails(&Error{Status: 200, Message: "fine"}), http.MethodPost, service, validRequest,
			500, "exception", []string{"internal error"}, "fine"},
		{"authenticator error", authFails, http.MethodPost, service, validRequest, 401, "security", []string{unauthorizedMessage}, "kid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, newTestHandler(t, tt.opts), tt.method, tt.path, tt.body)
			diag := wantOutcome(t, rec, tt.wantStatus, tt.wantCode)
			for _, want := range tt.wantDiag {
				if !strings.Contains(diag, want) {
					t.Errorf("diagnostics %q, want it to contain %q", diag, want)
				}
			}
			if tt.notDiag != "" && strings.Contains(diag, tt.notDiag) {
				t.Errorf("diagnostics %q reveal %q", diag, tt.notDiag)
			}
		})
	}
	t.Run("smaller configured limit", func(t *testing.T) {
		opts := testOptions(nil)
		opts.MaxBodyBytes = 100
		wantOutcome(t, callService(t, newTestHandler(t, opts), validRequest), 413, "too-costly")
	})
	t.Run("panicking advisor", func(t *testing.T) {
		opts := withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) { panic("nil map") })
		diag := wantOutcome(t, callService(t, newTestHandler(t, opts), validRequest), 500, "exception")
		if diag != internalMessage {
			t.Errorf("diagnostics %q, want %q", diag, internalMessage)
		}
	})
	t.Run("not ready", func(t *testing.T) {
		opts := testOptions(nil)
		opts.Ready = func(context.Context) error { return errors.New("db: connection refused") }
		diag := wantOutcome(t, do(t, newTestHandler(t, opts), http.MethodGet, "/readyz", ""), 503, "transient")
		if strings.Contains(diag, "refused") {
			t.Errorf("diagnostics %q reveal the cause", diag)
		}
	})
}

// TestMaxInFlight holds one call inside the advisor and checks that the
// next one is refused with 503 and Retry-After, and accepted again after.
func TestMaxInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	opts := withAdvisor(testOptions(nil), func(context.Context, *Request) ([]logic.Recommendation, error) {
		once.Do(func() {
			close(entered)
			<-release
		})
		return nil, nil
	})
	opts.MaxInFlight = 1
	h := newTestHandler(t, opts)
	done := make(chan int)
	go func() { done <- serve(h, newPost(t, "/cds-services/"+testServiceID, validRequest)).Code }()
	<-entered
	rec := callService(t, h, validRequest)
	wantOutcome(t, rec, http.StatusServiceUnavailable, "throttled")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if got := do(t, h, http.MethodGet, "/healthz", "").Code; got != http.StatusOK {
		t.Errorf("healthz while saturated = %d, want 200", got)
	}
	close(release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("held call = %d, want 200", code)
	}
	if got := callService(t, h, validRequest).Code; got != http.StatusOK {
		t.Errorf("call after release = %d, want 200", got)
	}
}

// TestClassify pins the mapping table itself.
func TestClassify(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"plain", errors.New("secret detail"), 500, "exception", internalMessage},
		{"wrapped Error", fmt.Errorf("ctx: %w", &Error{Status: 412, Message: "m"}), 412, "processing", "m"},
		{"code kept", &Error{Status: 400, Code: "required", Message: "m"}, 400, "required", "m"},
		{"message defaulted", &Error{Status: 404}, 404, "not-found", "Not Found"},
		{"401 message fixed", &Error{Status: 401, Message: "token expired at 10:00"}, 401, "security", unauthorizedMessage},
		{"status out of range", &Error{Status: 302, Message: "m"}, 500, "exception", internalMessage},
		{"nil", nil, 500, "exception", internalMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, msg := classify(tt.err)
			if status != tt.wantStatus || code != tt.wantCode || msg != tt.wantMsg {
				t.Errorf("classify = %d %q %q, want %d %q %q", status, code, msg, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
		})
	}
	inner := errors.New("cause")
	if e := (&Error{Status: 504, Err: inner}); !errors.Is(e, inner) || e.Error() != "Gateway Timeout: cause" {
		t.Errorf("Error %q does not unwrap to or describe its cause", e.Error())
	}
}
