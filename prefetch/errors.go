package prefetch

import "errors"

// ErrUnavailable means some required data cannot be had: no fhirServer, the
// origin policy refused it, the server failed or refused (401/403), the page
// cap was reached or a response was unusable. The HTTP layer answers 412
// Precondition Failed (CDS Hooks 2.0 §Prefetch Template, CONFORMANCE.md P-2).
var ErrUnavailable = errors.New("prefetch: required data unavailable")

// ErrTimeout means the per-request deadline passed while fetching; the HTTP
// layer answers 504.
var ErrTimeout = errors.New("prefetch: FHIR fetch deadline exceeded")

// ErrInvalid means the request itself is malformed: a prefetch value that is
// neither a JSON object nor null, or a template token without a value; the
// HTTP layer answers 400.
var ErrInvalid = errors.New("prefetch: invalid prefetch input")
