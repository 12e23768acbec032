package fhirmap

import (
	"encoding/json"
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// ref is a Reference with only what mapping reads (samply's Reference holds
// an Identifier whose use is an enum).
type ref struct {
	Reference string `json:"reference"`
	Display   string `json:"display"`
}

// medicationUseJSON is the union of the fields read from MedicationRequest,
// MedicationStatement and MedicationAdministration. Local struct: status is
// required and samply's Dosage/Timing enums would fail the whole resource
// over fields the rules never read.
type medicationUseJSON struct {
	Status                    *string               `json:"status"`
	MedicationCodeableConcept *fhir.CodeableConcept `json:"medicationCodeableConcept"`
	MedicationReference       *ref                  `json:"medicationReference"`
	Subject                   *ref                  `json:"subject"`
	AuthoredOn                *string               `json:"authoredOn"`
	EffectiveDateTime         *string               `json:"effectiveDateTime"`
	EffectivePeriod           *fhir.Period          `json:"effectivePeriod"`
	DateAsserted              *string               `json:"dateAsserted"`
	DispenseRequest           *dispenseRequest      `json:"dispenseRequest"`
	Contained                 []json.RawMessage     `json:"contained"`
}

// dispenseRequest is the part of MedicationRequest.dispenseRequest mapping
// reads.
type dispenseRequest struct {
	ValidityPeriod *fhir.Period `json:"validityPeriod"`
}

// medicationJSON is a Medication resource: its code and, for combination
// products, its ingredients.
type medicationJSON struct {
	ResourceType string                `json:"resourceType"`
	ID           string                `json:"id"`
	Code         *fhir.CodeableConcept `json:"code"`
	Ingredient   []struct {
		ItemCodeableConcept *fhir.CodeableConcept `json:"itemCodeableConcept"`
	} `json:"ingredient"`
}

// medicationStatuses are the R4 status value sets per resource; entered-in-
// error and "did not happen" statuses are not facts.
func medicationStatus(typ, status string) (record logic.MedicationRecord, valid, fact bool) {
	switch typ {
	case "MedicationRequest":
		record = logic.RecordRequest
		switch status {
		case "active", "on-hold", "cancelled", "completed", "stopped", "draft", "unknown":
			return record, true, true
		case "entered-in-error":
			return record, true, false
		}
	case "MedicationStatement":
		record = logic.RecordStatement
		switch status {
		case "active", "completed", "intended", "stopped", "on-hold", "unknown":
			return record, true, true
		case "entered-in-error", "not-taken":
			return record, true, false
		}
	case "MedicationAdministration":
		record = logic.RecordAdministration
		switch status {
		case "in-progress", "on-hold", "completed", "stopped", "unknown":
			return record, true, true
		case "entered-in-error", "not-done":
			return record, true, false
		}
	}
	return record, false, false
}

// medicationUse maps the three medication resources, one fact per
// recognised ingredient (a co-pack yields one per ingredient).
func (m *mapper) medicationUse(r *resource) {
	mu, err := decodeMedicationUse(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable %s: %v", r.typ, err)
		return
	}
	concepts, unresolved := m.medicationConcepts(&mu)
	drugs := recognise(m.v.names, concepts...)
	if len(drugs.list) == 0 {
		switch {
		case unresolved != "":
			m.skip(r, "medicationReference %s not resolved; drug unknown", unresolved)
		case hasPlaceholder(concepts):
			// Synthea writes "1234" for drugs it has no code for (CODES.md §3):
			// the drug is unknown, which the card's data-quality note can say.
			m.skip(r, "RxNorm placeholder code 1234 and no known drug name; ignored")
		}
		return // not a drug the rules use
	}
	if mu.Subject != nil && m.otherPatient(mu.Subject.Reference) {
		m.skip(r, "subject %s is another patient", mu.Subject.Reference)
		return
	}
	status := strings.TrimSpace(str(mu.Status))
	record, valid, fact := medicationStatus(r.typ, status)
	switch {
	case status == "":
		m.skip(r, "%s.status missing (required)", r.typ)
		return
	case !valid:
		m.skip(r, "%s.status %q is not an R4 code", r.typ, status)
		return
	case !fact:
		m.skip(r, "%s.status %s: not a medication fact", r.typ, status)
		return
	}
	med := logic.Medication{Record: record, Status: status}
	switch record {
	case logic.RecordRequest:
		var validity *fhir.Period
		if mu.DispenseRequest != nil {
			validity = mu.DispenseRequest.ValidityPeriod
		}
		med.Date = firstDate(mu.AuthoredOn, periodStart(validity))
		med.Start = firstDate(periodStart(validity), mu.AuthoredOn)
		med.End = firstDate(periodEnd(validity))
	default:
		med.Date = firstDate(mu.EffectiveDateTime, periodStart(mu.EffectivePeriod), mu.DateAsserted)
		med.Start = firstDate(mu.EffectiveDateTime, periodStart(mu.EffectivePeriod))
		med.End = firstDate(periodEnd(mu.EffectivePeriod))
		if record == logic.RecordAdministration && med.End.IsZero() && mu.EffectiveDateTime != nil {
			med.End = med.Start // a single administration starts and ends at once
		}
	}
	med.Ref = r.ref
	for _, d := range drugs.list {
		one := med
		one.Drug, one.Class, one.OsteoporosisDose, one.Code = d.name, d.class, d.osteo, drugs.code
		m.p.Medications = append(m.p.Medications, one)
	}
}

// medicationConcepts returns the concepts naming the drug: the inline
// concept, or the referenced Medication's code and ingredients (contained
// "#id", urn:uuid, relative or absolute), or at least the reference's
// display. unresolved names a reference that could not be followed
// (conditional references are left unresolved by design).
func (m *mapper) medicationConcepts(mu *medicationUseJSON) (concepts []*fhir.CodeableConcept, unresolved string) {
	if mu.MedicationCodeableConcept != nil {
		return []*fhir.CodeableConcept{mu.MedicationCodeableConcept}, ""
	}
	if mu.MedicationReference == nil {
		return nil, ""
	}
	target := mu.MedicationReference.Reference
	var raw json.RawMessage
	if id, ok := strings.CutPrefix(target, "#"); ok {
		for _, c := range mu.Contained {
			var h struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
			}
			if json.Unmarshal(c, &h) == nil && h.ResourceType == "Medication" && h.ID == id {
				raw = c
				break
			}
		}
	} else if res := m.pool.resolve(target); res != nil && res.typ == "Medication" {
		raw = res.raw
	}
	if raw != nil {
		var med medicationJSON
		if err := json.Unmarshal(raw, &med); err == nil {
			concepts = append(concepts, med.Code)
			for _, in := range med.Ingredient {
				concepts = append(concepts, in.ItemCodeableConcept)
			}
			return concepts, ""
		}
	}
	if d := mu.MedicationReference.Display; d != "" {
		concepts = append(concepts, &fhir.CodeableConcept{Text: &d})
	}
	if raw == nil && target != "" {
		unresolved = target
	}
	return concepts, unresolved
}

// hasPlaceholder reports whether a concept carries Synthea's placeholder
// RxNorm code "1234".
func hasPlaceholder(concepts []*fhir.CodeableConcept) bool {
	for _, cc := range concepts {
		if hasCode(cc, systemRxNorm, "1234") {
			return true
		}
	}
	return false
}
