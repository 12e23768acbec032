package fhirmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"ombc-cds/fixtures"
	"ombc-cds/internal/jsonscan"
)

// checkDecoders runs every hand-rolled decoder on raw, whatever its
// resourceType (a decoder must be right on any input, not only on its own
// type), and fails when one accepts raw but disagrees with json.Unmarshal,
// or accepts what json.Unmarshal rejects. When raw is of a type with a
// decoder of its own, own says so and ownOK whether that decoder accepted.
func checkDecoders(t *testing.T, raw []byte) (own, ownOK bool) {
	t.Helper()
	typ, _, _, _ := peek(raw)
	for _, d := range []struct {
		ok    bool
		types []string
	}{
		{checkDecoder(t, "Condition", raw, tryCondition), []string{"Condition"}},
		{checkDecoder(t, "Observation", raw, tryObservation), []string{"Observation"}},
		{checkDecoder(t, "medication use", raw, tryMedicationUse), []string{"MedicationRequest", "MedicationStatement", "MedicationAdministration"}},
		{checkDecoder(t, "Procedure", raw, tryProcedure), []string{"Procedure"}},
		{checkDecoder(t, "DiagnosticReport", raw, tryDiagnosticReport), []string{"DiagnosticReport"}},
		{checkDecoder(t, "CarePlan", raw, tryCarePlan), []string{"CarePlan"}},
		{checkDecoder(t, "ImagingStudy", raw, tryImagingStudy), []string{"ImagingStudy"}},
		{checkDecoder(t, "BodyStructure", raw, tryBodyStructure), []string{"BodyStructure"}},
		{checkDecoder(t, "CodeableConcept", raw, tryConcept), nil},
	} {
		if slices.Contains(d.types, typ) {
			own, ownOK = true, d.ok
		}
	}
	return own, ownOK
}

func checkDecoder[T any](t *testing.T, name string, raw []byte, try func([]byte, *slabs) (T, bool)) bool {
	t.Helper()
	fast, ok := try(raw, new(slabs))
	if !ok {
		return false
	}
	slow, err := unmarshal[T](raw)
	if err != nil {
		t.Fatalf("%s decoder accepted what encoding/json rejects (%v):\n%s", name, err, raw)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s decoder disagrees with encoding/json on\n%s\nfast %#v\nslow %#v", name, raw, fast, slow)
	}
	return true
}

// checkBothPaths maps prefetch with and without the hand-rolled decoders and
// fails unless the patients (facts and skip reasons) and errors are equal.
func checkBothPaths(t *testing.T, what string, prefetch map[string]json.RawMessage) {
	t.Helper()
	mp := NewMapper(DefaultOptions())
	fast, errFast := mp.patient(prefetch, false)
	slow, errSlow := mp.patient(prefetch, true)
	if (errFast == nil) != (errSlow == nil) || errFast != nil && errFast.Error() != errSlow.Error() {
		t.Fatalf("%s: error %v with the fast decoders, %v without", what, errFast, errSlow)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s: mapped patient differs\nfast %+v\nslow %+v", what, fast, slow)
	}
}

// resourcesOf returns every resource of a prefetch value: the value itself,
// or each entry resource of a Bundle.
func resourcesOf(t *testing.T, raw json.RawMessage) []json.RawMessage {
	t.Helper()
	var h struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil // not an object: nothing to map one by one
	}
	if h.ResourceType != "Bundle" {
		return []json.RawMessage{raw}
	}
	var list []json.RawMessage
	for _, e := range h.Entry {
		if len(e.Resource) > 0 {
			list = append(list, e.Resource)
		}
	}
	return list
}

// checkPrefetch compares both paths on a whole prefetch and on each of its
// resources mapped alone beside the patient value, and each resource
// through every decoder. It returns how many resources have a decoder of
// their own type and how many of those it accepted.
func checkPrefetch(t *testing.T, name string, prefetch map[string]json.RawMessage) (resources, accepted int) {
	t.Helper()
	checkBothPaths(t, name, prefetch)
	patient := prefetch[patientKey]
	for key, value := range prefetch {
		for i, res := range resourcesOf(t, value) {
			if own, ok := checkDecoders(t, res); own {
				resources++
				if ok {
					accepted++
				}
			}
			one := map[string]json.RawMessage{"data": res}
			if patient != nil && key != patientKey {
				one[patientKey] = patient
			}
			checkBothPaths(t, fmt.Sprintf("%s %s resource %d", name, key, i), one)
		}
	}
	return resources, accepted
}

// TestFastDecodeFixtures proves the fast path on every fixture request: the
// mapped patient of the whole prefetch and of every resource alone equals
// the encoding/json one, and every decode the fast path accepts equals
// json.Unmarshal's.
func TestFastDecodeFixtures(t *testing.T) {
	var resources, accepted int
	for _, name := range fixtures.Names() {
		body, err := fixtures.Request(name)
		if err != nil {
			t.Fatal(err)
		}
		var req struct {
			Prefetch map[string]json.RawMessage `json:"prefetch"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, a := checkPrefetch(t, name, req.Prefetch)
		resources, accepted = resources+n, accepted+a
	}
	t.Logf("%d resources have a fast decoder, %d of them decoded fast", resources, accepted)
	if accepted*10 < resources*9 {
		t.Errorf("only %d of %d resources decoded fast: the fast path is hardly exercised", accepted, resources)
	}
}

// TestFastDecodeSynthea does the same on every Synthea bundle of ../shared.
func TestFastDecodeSynthea(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sharedDir(t), "synthea", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() && len(files) > 2 {
		files = files[:2]
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checkBothPaths(t, filepath.Base(file), map[string]json.RawMessage{patientKey: raw})
		var resources, accepted int
		for _, res := range resourcesOf(t, raw) {
			if own, ok := checkDecoders(t, res); own {
				resources++
				if ok {
					accepted++
				}
			}
		}
		t.Logf("%s: %d resources have a fast decoder, %d of them decoded fast", filepath.Base(file), resources, accepted)
		if accepted*10 < resources*9 {
			t.Errorf("only %d of %d resources decoded fast: the fast path is hardly exercised", accepted, resources)
		}
	}
}

// TestFastDecodeGivesUp checks inputs the fast decoders must leave to
// encoding/json, and that mapping them still gives the encoding/json result.
func TestFastDecodeGivesUp(t *testing.T) {
	const c = `{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},` +
		`"code":{"coding":[{"system":"http://snomed.info/sct","code":"94222008"}]}`
	for _, tt := range []struct{ name, raw string }{
		{"escaped key", c + `,"onset\u0044ateTime":"2020"}`},
		{"case-folded key", c + `,"OnsetDateTime":"2020"}`},
		{"non-ASCII key", c + `,"onſetDateTime":"2020"}`},
		{"repeated field", c + `,"onsetDateTime":"2020","onsetDateTime":"2021"}`},
		{"repeated nested field", `{"resourceType":"Condition","code":{"text":"a","text":"b"}}`},
		{"wrong type", c + `,"onsetDateTime":2020}`},
		{"wrong container", c + `,"bodySite":{"text":"x"}}`},
		{"invalid UTF-8", c + `,"onsetDateTime":"20` + "\xff" + `"}`},
		{"bad bool", `{"resourceType":"Condition","code":{"coding":[{"userSelected":"yes"}]}}`},
		{"bad extension", `{"resourceType":"Condition","code":{"extension":[{"url":1}]}}`},
		{"trailing data", c + `} x`},
		{"syntax error", c + `,"x":[1,]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tryCondition([]byte(tt.raw), new(slabs)); ok {
				t.Errorf("tryCondition accepted %s", tt.raw)
			}
			if !jsonscan.Valid([]byte(tt.raw)) {
				return // the prefetch would not get this far
			}
			checkBothPaths(t, tt.name, map[string]json.RawMessage{
				patientKey: json.RawMessage(patientJSONText),
				"data":     json.RawMessage(bundle(tt.raw)),
			})
		})
	}
	for _, tt := range []struct{ name, raw string }{
		{"escaped string", c + `,"onsetDateTime":"2020\u002d01"}`},
		{"nulls", `{"resourceType":"Condition","code":null,"bodySite":[null],"stage":null,"subject":null}`},
		{"empty arrays", `{"resourceType":"Condition","code":{"coding":[]},"bodySite":[]}`},
		{"extension", `{"resourceType":"Condition","bodySite":[{"extension":[{"url":"u","valueCodeableConcept":{"text":"x"}}]}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tryCondition([]byte(tt.raw), new(slabs)); !ok {
				t.Errorf("tryCondition gave up on %s", tt.raw)
			}
			checkDecoders(t, []byte(tt.raw))
		})
	}
}

// TestFastDecodeImagingAndBodyStructure checks the ImagingStudy and
// BodyStructure decoders on nulls, empty arrays and the members they leave
// to encoding/json or give up on.
func TestFastDecodeImagingAndBodyStructure(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		fast bool
	}{
		{`{"resourceType":"ImagingStudy","status":"available","modality":[null],"series":[null,{"modality":null,"bodySite":{"display":"Bone"}}]}`, true},
		{`{"resourceType":"ImagingStudy","status":null,"modality":[],"procedureCode":[],"series":[],"subject":null}`, true},
		{`{"resourceType":"ImagingStudy","series":[{"modality":{"code":"PT","extension":[{"url":"u"}]}}]}`, true},
		{`{"resourceType":"ImagingStudy","series":{"modality":{"code":"PT"}}}`, false},
		{`{"resourceType":"ImagingStudy","series":[{"Modality":{"code":"PT"}}]}`, false},
		{`{"resourceType":"BodyStructure","meta":{"profile":[null,"` + mcodeTumor + `"]},"active":null,"identifier":[null,{"value":"T1"}]}`, true},
		{`{"resourceType":"BodyStructure","meta":null,"identifier":[],"locationQualifier":null,"patient":null}`, true},
		{`{"resourceType":"BodyStructure","meta":{"profile":"` + mcodeTumor + `"}}`, false},
		{`{"resourceType":"BodyStructure","identifier":[{"value":1}]}`, false},
		{`{"resourceType":"BodyStructure","active":true,"active":false}`, false},
	} {
		_, okIS := tryImagingStudy([]byte(tt.raw), new(slabs))
		_, okBS := tryBodyStructure([]byte(tt.raw), new(slabs))
		if own, ok := checkDecoders(t, []byte(tt.raw)); !own || ok != tt.fast {
			t.Errorf("decoded fast %v (ImagingStudy %v, BodyStructure %v), want %v: %s", ok, okIS, okBS, tt.fast, tt.raw)
		}
		checkBothPaths(t, tt.raw, map[string]json.RawMessage{
			patientKey: json.RawMessage(patientJSONText),
			"data":     json.RawMessage(bundle(tt.raw)),
		})
	}
}

// FuzzFastDecode mutates resources: every decoder must agree with
// json.Unmarshal whenever it accepts, never panic, and mapping the resource
// must give the same patient and error with and without the fast path.
func FuzzFastDecode(f *testing.F) {
	for _, name := range fixtures.Names() {
		body, err := fixtures.Request(name)
		if err != nil {
			f.Fatal(err)
		}
		var req struct {
			Prefetch map[string]json.RawMessage `json:"prefetch"`
		}
		if json.Unmarshal(body, &req) != nil {
			continue
		}
		for key, value := range req.Prefetch {
			if key == patientKey {
				continue
			}
			var h struct {
				Entry []struct {
					Resource json.RawMessage `json:"resource"`
				} `json:"entry"`
			}
			if json.Unmarshal(value, &h) == nil {
				for _, e := range h.Entry {
					f.Add(string(e.Resource))
				}
			}
		}
	}
	f.Add(`{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85337-4"}]},` +
		`"valueQuantity":{"value":1.5e3,"comparator":"<","unit":"%"},"valueInteger":-0,"valueBoolean":false,"component":[null,{}]}`)
	f.Add(`{"resourceType":"MedicationRequest","status":"active","medicationReference":{"reference":"#m"},` +
		`"contained":[null,{"resourceType":"Medication","id":"m","code":{"text":"letrozole"}}],"dispenseRequest":{"validityPeriod":{"start":"2024"}}}`)
	f.Add(`{"resourceType":"ImagingStudy","status":"available","subject":{"reference":"Patient/p1"},"started":"2024-01-02",` +
		`"modality":[{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"PT"},null],"procedureCode":[{"text":"PET"}],` +
		`"series":[null,{"modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"},"bodySite":{"display":"Liver"},"started":"2024"}]}`)
	f.Add(`{"resourceType":"BodyStructure","meta":{"profile":["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor|3.0.0",null]},` +
		`"active":false,"identifier":[null,{"value":"T1"}],"location":{"coding":[{"system":"http://snomed.info/sct","code":"10200004"}]},` +
		`"locationQualifier":[{"coding":[{"system":"http://snomed.info/sct","code":"7771000"}]}],"patient":{"reference":"Patient/p1"}}`)
	f.Fuzz(func(t *testing.T, resource string) {
		raw := []byte(resource)
		checkDecoders(t, raw)
		if !jsonscan.Valid(raw) || len(bytes.TrimSpace(raw)) == 0 {
			return
		}
		checkBothPaths(t, "fuzz", map[string]json.RawMessage{
			patientKey: json.RawMessage(patientJSONText),
			"data":     json.RawMessage(resource),
		})
		checkBothPaths(t, "fuzz in a Bundle", map[string]json.RawMessage{
			patientKey: json.RawMessage(patientJSONText),
			"data":     json.RawMessage(`{"resourceType":"Bundle","entry":[{"resource":` + resource + `}]}`),
		})
	})
}
