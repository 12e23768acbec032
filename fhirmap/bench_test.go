package fhirmap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkPatientSynthea maps the largest metastatic Synthea bundle
// (~1.3 MB) as one prefetch value; the service budget is well under 30 ms.
func BenchmarkPatientSynthea(b *testing.B) {
	dir := sharedDir(b)
	raw, err := os.ReadFile(filepath.Join(dir, "synthea", "deak-ai_healthwallet-datasets_1195532-bundle.json"))
	if err != nil {
		b.Skipf("../shared not present: %v", err)
	}
	prefetch := map[string]json.RawMessage{"patient": raw}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Patient(prefetch, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPatientSmall maps a 30-resource request split over the prefetch
// keys, the size of a typical EHR call; the budget is well under 1 ms.
func BenchmarkPatientSmall(b *testing.B) {
	var res []string
	for i := range 6 {
		id := string(rune('a' + i))
		res = append(res,
			obs("er"+id, systemLOINC, "85337-4", cc(systemSNOMED, "10828004")),
			cond("m"+id, systemSNOMED, "94222008", active),
			medReq("r"+id, "active", rx("1601374", "palbociclib")),
			proc("p"+id, "completed", "392021009", ""),
			obs("s"+id, systemLOINC, "97509-4", cc(systemSNOMED, "359746009")),
		)
	}
	prefetch := map[string]json.RawMessage{
		"patient":            json.RawMessage(patientJSONText),
		"observations":       json.RawMessage(bundle(res[0:10]...)),
		"conditions":         json.RawMessage(bundle(res[10:20]...)),
		"medicationrequests": json.RawMessage(bundle(res[20:30]...)),
	}
	for b.Loop() {
		if _, err := Patient(prefetch, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPatientImaging maps a request of ImagingStudy and mCODE Tumor
// BodyStructure resources, which the Synthea and small benchmarks lack.
func BenchmarkPatientImaging(b *testing.B) {
	var studies, tumors []string
	for i := range 10 {
		id := string(rune('a' + i))
		studies = append(studies, `{"resourceType":"ImagingStudy","id":"is`+id+`","status":"available",`+
			`"subject":{"reference":"Patient/p1"},"started":"2024-03-0`+string(rune('1'+i%9))+`T10:00:00Z",`+
			`"modality":[{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"}],`+
			`"procedureCode":[{"coding":[{"system":"http://snomed.info/sct","code":"418714002","display":"CT of chest"}]}],`+
			`"series":[{"uid":"1.2.3.`+id+`","number":1,"modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"},`+
			`"bodySite":{"system":"http://snomed.info/sct","code":"51185008","display":"Thorax"},"started":"2024-03-01T10:00:00Z",`+
			`"instance":[{"uid":"1.2.3.`+id+`.1","sopClass":{"system":"urn:ietf:rfc:3986","code":"urn:oid:1.2.840.10008.5.1.4.1.1.2"}}]}]}`)
		tumors = append(tumors, `{"resourceType":"BodyStructure","id":"bs`+id+`",`+
			`"meta":{"profile":["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor"]},"active":true,`+
			`"identifier":[{"use":"usual","system":"http://example.org/tumor","value":"T`+id+`"}],`+
			`"morphology":{"coding":[{"system":"http://snomed.info/sct","code":"367651003"}]},`+
			`"location":{"coding":[{"system":"http://snomed.info/sct","code":"76752008","display":"Breast structure"}]},`+
			`"locationQualifier":[{"coding":[{"system":"http://snomed.info/sct","code":"24028007","display":"Right"}]}],`+
			`"patient":{"reference":"Patient/p1"}}`)
	}
	prefetch := map[string]json.RawMessage{
		"patient":        json.RawMessage(patientJSONText),
		"imagingstudies": json.RawMessage(bundle(studies...)),
		"bodystructures": json.RawMessage(bundle(tumors...)),
	}
	for b.Loop() {
		if _, err := Patient(prefetch, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
