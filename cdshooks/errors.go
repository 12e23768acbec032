package cdshooks

import (
	"errors"
	"net/http"
)

// Error is an error with the HTTP status and OperationOutcome issue code the
// client should see. Message is shown to the client as the issue
// diagnostics; Err is the cause, logged for 5xx statuses and never sent.
//
// Code is a FHIR IssueType code: invalid, not-found, processing, timeout,
// security, too-costly, throttled, exception, ... When it is empty the code
// is derived from Status.
type Error struct {
	Status  int
	Code    string
	Message string
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// operationOutcome is the FHIR R4 OperationOutcome every non-2xx body carries
// (CDS Hooks 3.0 §Returning OperationOutcome, CONFORMANCE.md O-3; harmless in
// 2.0).
type operationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []issue `json:"issue"`
}

type issue struct {
	Severity    string `json:"severity"`
	Code        string `json:"code"`
	Diagnostics string `json:"diagnostics,omitempty"`
}

// unauthorizedMessage is the one 401 diagnostics text, whatever the reason:
// the CDS Hooks best practices say to answer 401 "without any additional
// information" (CONFORMANCE.md S-3, S-9).
const unauthorizedMessage = "authentication required"

// internalMessage is what the client sees for any error that is not an
// *Error: internal error text never reaches the client.
const internalMessage = "internal error"

// classify is the one place that maps an error to an HTTP status, an
// OperationOutcome issue code and a client-visible message.
func classify(err error) (status int, code, message string) {
	var e *Error
	if !errors.As(err, &e) || e.Status < 400 || e.Status > 599 {
		return http.StatusInternalServerError, "exception", internalMessage
	}
	status, code, message = e.Status, e.Code, e.Message
	if code == "" {
		code = issueCode(status)
	}
	if message == "" {
		message = http.StatusText(status)
	}
	if status == http.StatusUnauthorized {
		message = unauthorizedMessage
	}
	return status, code, message
}

// issueCode derives a FHIR IssueType code from an HTTP status.
func issueCode(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "security"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusMethodNotAllowed:
		return "not-supported"
	case http.StatusPreconditionFailed:
		return "processing"
	case http.StatusRequestEntityTooLarge:
		return "too-costly"
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return "throttled"
	case http.StatusGatewayTimeout:
		return "timeout"
	}
	if status >= 500 {
		return "exception"
	}
	return "invalid"
}

// writeError answers err as an OperationOutcome and records it for the
// request log line (5xx with the cause, 4xx without).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, message := classify(err)
	if info := infoFrom(r.Context()); info != nil {
		info.err = err
	}
	if status == http.StatusUnauthorized {
		// RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
		w.Header().Set("WWW-Authenticate", "Bearer")
		code = "security"
	}
	writeJSON(w, status, operationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []issue{{Severity: "error", Code: code, Diagnostics: message}},
	})
}

// errBadRequest is a shorthand for the many 400 answers of request
// validation.
func errBadRequest(message string) error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: message}
}
