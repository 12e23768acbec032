// Package fhirmap turns the FHIR R4 prefetch of a CDS Hooks request into the
// patient model of package logic, and turns suggested orders back into draft
// FHIR R4 resources.
//
// It is the only package that imports the samply FHIR models and the only one
// that knows codes: it interprets the vocabulary of CODES.md into the domain
// values of logic/model.go. Mapping never loses a fact and never invents one:
// a resource it cannot use is skipped and reported in logic.Patient.Skipped
// (issue 3 "Robustness"), never turned into a different fact, never fatal.
//
// The samply models are used where they are safe (Patient, Condition,
// Observation). Their sharp edges (DESIGN.md §1.6, §2.2) are absorbed here:
// a required enum code that is missing decodes as the first enum value and an
// unknown code fails the whole resource, so the status and narrative fields of
// those resources are shadowed by plain strings and checked against the R4
// value sets by hand. The other resources (medications, Procedure,
// ImagingStudy, DiagnosticReport, CarePlan, BodyStructure, Medication) are
// decoded into small local structs because their required status fields are
// samply enums and their nested Dosage/Timing enums would fail a whole
// resource over a field the rules never read.
package fhirmap
