// Package cdshooks is the CDS Hooks 2.0 protocol layer of the service:
// discovery, service calls, feedback, CORS, health endpoints, the single
// error-to-HTTP mapping and the conversion of logic.Recommendation values
// into cards.
//
// It imports logic (for Recommendation) and gorilla/mux only. FHIR decoding,
// prefetch resolution, JWT trust and storage are plugged in by the command
// through the function types Advisor, Authenticator and DraftFunc and the
// FeedbackStore interface, so the protocol can be tested with func literals
// and no FHIR JSON. Prefetch stays json.RawMessage here.
//
// The handler serves plain HTTP: TLS (CDS Hooks 2.0 §Security and Safety,
// CONFORMANCE.md S-1) is terminated in front of the service, and every body
// the package writes is JSON (an OperationOutcome for any non-2xx status).
package cdshooks
