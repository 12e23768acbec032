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
