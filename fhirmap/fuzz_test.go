package fhirmap

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzPatient feeds arbitrary prefetch values to Patient: it must never
// panic, and it may only fail with ErrNoPatient or ErrInvalid (issue 3
// "Robustness"). The corpus lives in testdata/fuzz/FuzzPatient.
func FuzzPatient(f *testing.F) {
	seeds := [][2]string{
		{patientJSONText, bundle(obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004")))},
		{patientJSONText, bundle(cond("c1", systemICD10CM, "C50.912", active), cond("m1", systemSNOMED, "94222008", ""))},
		{patientJSONText, bundle(variantObs("v1", "HGNC:1100", "LA9633-4"), implicationObs("i1", "Observation/v1", "LA6668-3"))},
		{patientJSONText, bundle(medReq("r1", "active", `"medicationReference":{"reference":"urn:uuid:m1"}`), medicationDenosumab)},
		{patientJSONText, `{"resourceType":"Bundle","entry":[{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome"}}]}`},
		{bundle(patientJSONText), `null`},
		{`{"resourceType":"Observation"}`, `[]`},
		{`{"resourceType":"Patient","gender":"x","deceasedDateTime":"2020-13"}`, `{"resourceType":"ImagingStudy","status":"available","series":[{"modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"PT"}}]}`},
		{patientJSONText, `{"resourceType":"Bundle","entry":[{"resource":"x"},{"resource":{"id":"\"q"}},{"resource":null}]}`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, patient, data string) {
		p, err := Patient(map[string]json.RawMessage{"patient": json.RawMessage(patient), "data": json.RawMessage(data)}, DefaultOptions())
		if err != nil && !errors.Is(err, ErrNoPatient) && !errors.Is(err, ErrInvalid) {
			t.Fatalf("Patient() error %v is neither ErrNoPatient nor ErrInvalid", err)
		}
		if err == nil {
			for _, s := range p.Skipped {
				if s.Ref == "" || s.Reason == "" {
					t.Fatalf("skip without ref or reason: %+v", s)
				}
			}
		}
	})
}
