// Package prefetch completes the prefetch data of a CDS Hooks call.
//
// CDS Hooks 2.0 §Prefetch Template lets a CDS client leave a key out, send
// null, send an OperationOutcome or send the first page of a paginated
// Bundle. The service must then fetch what it still needs from the client's
// fhirServer with the fhirAuthorization token, and answer 412 when it cannot
// (CONFORMANCE.md P-1..P-5, R-4..R-6). Resolve does that: it keeps usable
// prefetch values, fetches the rest concurrently under one deadline, merges
// pages, resolves medicationReference targets, and returns an error that the
// HTTP layer maps to 412, 504 or 400, never data with silent gaps.
//
// The package works on generic JSON only; it knows nothing about the
// clinical model. The access token is used for the Authorization header and
// nowhere else: it is never logged, stored or put in an error.
package prefetch
