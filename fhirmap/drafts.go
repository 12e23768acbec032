package fhirmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"ombc-cds/internal/jsonscan"
	"ombc-cds/logic"
)

// Draft resources are built from these small local types with omitempty,
// not samply structs: samply's required choice fields are non-pointer and
// marshal as empty objects ("medicationReference": {}), which is invalid
// FHIR (DESIGN.md §1.6 item 5, §2.4).

type draftCoding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type draftConcept struct {
	Coding []draftCoding `json:"coding,omitempty"`
	Text   string        `json:"text,omitempty"`
}

type draftReference struct {
	Reference string `json:"reference"`
}

type draftQuantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	System string  `json:"system"`
	Code   string  `json:"code"`
}

type draftRepeat struct {
	Frequency  int    `json:"frequency"`
	Period     int    `json:"period"`
	PeriodUnit string `json:"periodUnit"`
}

type draftTiming struct {
	Repeat draftRepeat `json:"repeat"`
}

type draftDoseAndRate struct {
	DoseQuantity draftQuantity `json:"doseQuantity"`
}

type draftDosage struct {
	Text        string             `json:"text"`
	Timing      draftTiming        `json:"timing"`
	Route       *draftConcept      `json:"route,omitempty"`
	DoseAndRate []draftDoseAndRate `json:"doseAndRate"`
}

type draftServiceRequest struct {
	ResourceType string         `json:"resourceType"`
	Status       string         `json:"status"`
	Intent       string         `json:"intent"`
	Code         draftConcept   `json:"code"`
	Subject      draftReference `json:"subject"`
}

type draftMedicationRequest struct {
	ResourceType              string         `json:"resourceType"`
	Status                    string         `json:"status"`
	Intent                    string         `json:"intent"`
	MedicationCodeableConcept draftConcept   `json:"medicationCodeableConcept"`
	Subject                   draftReference `json:"subject"`
	DosageInstruction         []draftDosage  `json:"dosageInstruction"`
}

// ucum is the UCUM system for dose units (FHIR R4 Dosage.doseAndRate).
const ucum = "http://unitsofmeasure.org"

// serviceCode returns the code of each ServiceRequest order (CODES.md).
// Where no standard code exists (tumour-board referral, CODES.md §2.1) or
// none in CODES.md fits (biopsy of a metastasis; germline BRCA1/2 testing,
// whose listed LOINC codes do not state germline origin) the concept is text
// only.
func serviceCode(o logic.Order) (draftConcept, bool) {
	loinc := func(code, display string) draftConcept {
		return draftConcept{Coding: []draftCoding{{System: systemLOINC, Code: code, Display: display}}, Text: display}
	}
	switch o.Code {
	case logic.OrderTumorBoard:
		return draftConcept{Text: "Referral to multidisciplinary tumor board"}, true
	case logic.OrderPETCT:
		return draftConcept{Coding: []draftCoding{{System: systemSNOMED, Code: "443271005", Display: "PET/CT FDG whole body"}}, Text: "FDG PET/CT, whole body"}, true
	case logic.OrderMetastasisBiopsy:
		return draftConcept{Text: "Biopsy of a metastasis with ER, PR and HER2 re-testing"}, true
	case logic.OrderERTest:
		return loinc("85337-4", "Estrogen receptor Ag [Presence] in Breast cancer specimen by Immune stain"), true
	case logic.OrderPRTest:
		return loinc("85339-0", "Progesterone receptor Ag [Presence] in Breast cancer specimen by Immune stain"), true
	case logic.OrderHER2IHC:
		return loinc("85319-2", "HER2 [Presence] in Breast cancer specimen by Immune stain"), true
	case logic.OrderHER2ISH:
		return loinc("85318-4", "ERBB2 gene duplication [Presence] in Breast cancer specimen by FISH"), true
	case logic.OrderGermlineBRCA:
		return draftConcept{Text: "Germline BRCA1 and BRCA2 testing"}, true
	case logic.OrderPDL1:
		return draftConcept{Coding: []draftCoding{{System: systemLOINC, Code: "83052-1"}}, Text: "PD-L1 IHC (22C3)"}, true
	}
	return draftConcept{}, false
}

// medicationOrder returns the drug and dosage of each MedicationRequest order
// (CODES.md §3 RxNorm ingredients; doses from RULES.md bone-modifying-agent).
func medicationOrder(o logic.Order) (draftConcept, draftDosage, bool) {
	switch o.Code {
	case logic.OrderDenosumab:
		return draftConcept{Coding: []draftCoding{{System: systemRxNorm, Code: "993449", Display: "denosumab"}}, Text: "denosumab"},
			draftDosage{
				Text:        "120 mg subcutaneously every 4 weeks",
				Timing:      draftTiming{Repeat: draftRepeat{Frequency: 1, Period: 4, PeriodUnit: "wk"}},
				Route:       &draftConcept{Text: "Subcutaneous"},
				DoseAndRate: []draftDoseAndRate{{DoseQuantity: draftQuantity{Value: 120, Unit: "mg", System: ucum, Code: "mg"}}},
			}, true
	case logic.OrderZoledronicAcid:
		return draftConcept{Coding: []draftCoding{{System: systemRxNorm, Code: "77655", Display: "zoledronic acid"}}, Text: "zoledronic acid"},
			draftDosage{
				Text:        "4 mg intravenously every 12 weeks",
				Timing:      draftTiming{Repeat: draftRepeat{Frequency: 1, Period: 12, PeriodUnit: "wk"}},
				Route:       &draftConcept{Text: "Intravenous"},
				DoseAndRate: []draftDoseAndRate{{DoseQuantity: draftQuantity{Value: 4, Unit: "mg", System: ucum, Code: "mg"}}},
			}, true
	}
	return draftConcept{}, draftDosage{}, false
}

// Draft builds a draft FHIR R4 resource for a suggested order: status
// draft, intent proposal (R4 request-status and request-intent value sets),
// subject Patient/<patientID>, codes from CODES.md. CDS Hooks 2.0
// §Suggestion: a create action carries the resource to create.
//
// The bytes depend only on the order and the patient id, so each known
// order's draft is marshalled once (draftTable) and the subject reference is
// spliced in per call, escaped exactly as encoding/json escapes it. Orders
// outside the table (unknown codes, mismatched kinds) take marshalDraft,
// which produces the same errors as before.
func Draft(o logic.Order, patientID string) (json.RawMessage, error) {
	if patientID == "" {
		return nil, fmt.Errorf("fhirmap: draft %s: empty patient id", o.Code)
	}
	if t, ok := draftTable()[draftKey{o.Kind, o.Code}]; ok {
		out := make([]byte, 0, len(t.head)+len(t.tail)+len(patientID)+8)
		out = append(out, t.head...)
		out = jsonscan.AppendEscaped(out, patientID)
		out = append(out, t.tail...)
		return out, nil
	}
	return marshalDraft(o, patientID)
}

// marshalDraft is the reference encoding of Draft: json.Marshal of the
// local draft types, subject Patient/<patientID>.
func marshalDraft(o logic.Order, patientID string) (json.RawMessage, error) {
	subject := draftReference{Reference: "Patient/" + patientID}
	switch o.Kind {
	case logic.ServiceRequest:
		code, ok := serviceCode(o)
		if !ok {
			return nil, fmt.Errorf("fhirmap: draft: %q is not a ServiceRequest order", o.Code)
		}
		return json.Marshal(draftServiceRequest{ResourceType: "ServiceRequest", Status: "draft", Intent: "proposal", Code: code, Subject: subject})
	case logic.MedicationRequest:
		med, dosage, ok := medicationOrder(o)
		if !ok {
			return nil, fmt.Errorf("fhirmap: draft: %q is not a MedicationRequest order", o.Code)
		}
		return json.Marshal(draftMedicationRequest{
			ResourceType: "MedicationRequest", Status: "draft", Intent: "proposal",
			MedicationCodeableConcept: med, Subject: subject, DosageInstruction: []draftDosage{dosage},
		})
	}
	return nil, fmt.Errorf("fhirmap: draft: unknown order kind %d", o.Kind)
}

// draftOrders lists the order codes whose drafts are precomputed. A code
// missing here still works, through marshalDraft.
var draftOrders = [...]logic.OrderCode{
	logic.OrderTumorBoard, logic.OrderPETCT, logic.OrderMetastasisBiopsy,
	logic.OrderERTest, logic.OrderPRTest, logic.OrderHER2IHC, logic.OrderHER2ISH,
	logic.OrderGermlineBRCA, logic.OrderPDL1,
	logic.OrderDenosumab, logic.OrderZoledronicAcid,
}

type draftKey struct {
	kind logic.OrderKind
	code logic.OrderCode
}

// draftBytes is one order's marshalled draft split around the escaped
// patient id: head ends with `"Patient/`, tail starts with the closing quote.
type draftBytes struct {
	head, tail []byte
}

// draftPlaceholder stands for the patient id while the table is built; it
// needs no JSON escaping and occurs nowhere else in a draft.
const draftPlaceholder = "@ombc-cds-patient-id@"

// draftTable is built on first use and read-only afterwards, so concurrent
// calls share it safely.
var draftTable = sync.OnceValue(func() map[draftKey]draftBytes {
	m := make(map[draftKey]draftBytes, len(draftOrders))
	marker := []byte(`"Patient/` + draftPlaceholder + `"`)
	for _, code := range draftOrders {
		for _, kind := range [...]logic.OrderKind{logic.ServiceRequest, logic.MedicationRequest} {
			b, err := marshalDraft(logic.Order{Kind: kind, Code: code}, draftPlaceholder)
			if err != nil {
				continue // not an order of this kind: marshalDraft reports it
			}
			i := bytes.Index(b, marker)
			if i < 0 || bytes.Count(b, marker) != 1 {
				panic(fmt.Sprintf("fhirmap: draft %s: subject placeholder not found once", code))
			}
			head := i + len(`"Patient/`)
			tail := head + len(draftPlaceholder)
			m[draftKey{kind, code}] = draftBytes{head: b[:head:head], tail: b[tail:]}
		}
	}
	return m
})
