// Package fhirsearch is a small in-memory FHIR R4 search engine over Bundles.
//
// It serves two purposes. The evaluation harness uses Index.Prefetch to split
// a Synthea transaction Bundle into the prefetch keys of our discovery entry
// exactly as an EHR would answer the templates (CDS Hooks 2.0 §Prefetch
// Template, CONFORMANCE.md P-4 equivalence). Tests use Server as a loopback
// FHIR server for the prefetch fallback (CONFORMANCE.md P-2, P-3, R-6).
//
// Only the CDS Hooks 2.0 prefetch query subset is implemented (CONFORMANCE.md
// D-8): instance read, type search with the patient/subject reference
// parameters, the code and category token parameters, the date parameter
// with eq/lt/gt/ge/le prefixes, _id, _count and _sort. Every other parameter
// or modifier is refused with ErrUnsupported rather than silently ignored, so
// a template that the engine cannot honour fails loudly instead of returning
// too much data. The only ignored parameter is _format, because the engine
// always answers FHIR JSON.
package fhirsearch
