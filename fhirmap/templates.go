package fhirmap

import "strings"

// Templates returns the discovery prefetch templates, a fresh map each call.
// Only the CDS Hooks 2.0 query subset is used (CONFORMANCE.md D-7, D-8):
// instance read, type search with reference and token parameters; no
// _include and no chaining, so Medication resources arrive contained, as
// include entries the server adds on its own, or not at all (medicationReference
// display is then read by name).
func Templates() map[string]string {
	const pid = "{{context.patientId}}"
	var obs []string
	for _, d := range observationDefs() {
		obs = append(obs, d.system+"|"+d.code)
	}
	var reports []string
	for _, d := range diagnosticReportCodes() {
		reports = append(reports, d.system+"|"+d.code)
	}
	return map[string]string{
		"patient":                   "Patient/" + pid,
		"conditions":                "Condition?patient=" + pid,
		"observations":              "Observation?patient=" + pid + "&code=" + strings.Join(obs, ","),
		"bodystructures":            "BodyStructure?patient=" + pid,
		"imagingstudies":            "ImagingStudy?patient=" + pid,
		"diagnosticreports":         "DiagnosticReport?patient=" + pid + "&code=" + strings.Join(reports, ","),
		"medicationrequests":        "MedicationRequest?patient=" + pid,
		"medicationstatements":      "MedicationStatement?patient=" + pid,
		"medicationadministrations": "MedicationAdministration?patient=" + pid,
		"procedures":                "Procedure?patient=" + pid,
		"careplans":                 "CarePlan?patient=" + pid,
	}
}
