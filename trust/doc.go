// Package trust authenticates CDS clients and guards the FHIR server calls
// a CDS service makes on their behalf.
//
// CDS Hooks 2.0 §Trusting CDS Clients: a CDS service that returns
// patient-specific advice SHOULD require authentication (CONFORMANCE.md S-2),
// carried as "Authorization: Bearer <JWT>" (S-3). A Verifier checks that JWT:
// the header alg against an allowlist that never contains none or an HMAC alg
// (S-5), a required kid looked up in the issuer's JWK Set, whose key type must
// match the alg (S-4, S-5), the claims iss, aud, exp, nbf, iat and jti (S-6,
// S-9, S-10), a jti replay cache (S-9) and a jku allowlist checked before any
// fetch (S-7, S-8).
//
// The same Verifier decides which FHIR servers a caller may make the service
// contact (CheckFHIRServer) and supplies the HTTP client for those calls
// (FHIRClient), so that a forged or misconfigured fhirServer cannot turn the
// service into a request proxy (CDS Hooks 2.0 §Security and Safety, S-1).
//
// The package knows nothing of CDS Hooks request bodies: it works on
// *http.Request and plain strings, and the HTTP layer maps its Claims to a
// caller record. The configuration format is described in README.md beside
// this file and in the doc comments of Config and Issuer.
package trust
