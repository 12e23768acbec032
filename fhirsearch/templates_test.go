package fhirsearch

// templates returns the prefetch templates of the discovery entry (the
// fixed keys of the project; codes from CODES.md: staging, receptor, ECOG and
// disease-status observations, PET/CT/MR/NM imaging reports).
func templates() map[string]string {
	const obsCodes = "http://loinc.org|21907-1,http://loinc.org|21905-5,http://loinc.org|21906-3," +
		"http://loinc.org|21908-9,http://loinc.org|85337-4,http://loinc.org|85339-0,http://loinc.org|85319-2," +
		"http://loinc.org|85318-4,http://loinc.org|48676-1,http://loinc.org|10480-2,http://loinc.org|16112-5," +
		"http://loinc.org|16113-3,http://loinc.org|89247-1,http://loinc.org|97509-4,http://loinc.org|33728-7"
	const reportCodes = "http://loinc.org|44139-4,http://loinc.org|44136-0,http://loinc.org|25045-6," +
		"http://loinc.org|25056-3,http://loinc.org|49118-3"
	return map[string]string{
		"patient":                   "Patient/{{context.patientId}}",
		"conditions":                "Condition?patient={{context.patientId}}",
		"observations":              "Observation?patient={{context.patientId}}&code=" + obsCodes,
		"bodystructures":            "BodyStructure?patient={{context.patientId}}",
		"imagingstudies":            "ImagingStudy?patient={{context.patientId}}",
		"diagnosticreports":         "DiagnosticReport?patient={{context.patientId}}&code=" + reportCodes,
		"medicationrequests":        "MedicationRequest?patient={{context.patientId}}",
		"medicationstatements":      "MedicationStatement?patient={{context.patientId}}",
		"medicationadministrations": "MedicationAdministration?patient={{context.patientId}}",
		"procedures":                "Procedure?patient={{context.patientId}}",
		"careplans":                 "CarePlan?patient={{context.patientId}}",
	}
}
