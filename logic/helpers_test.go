package logic

import (
	"slices"
	"testing"
	"time"
)

// now is the fixed request time of every test; logic never reads the clock.
var now = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// daysAgo returns the time n days before now.
func daysAgo(n int) time.Time { return now.AddDate(0, 0, -n) }

func primary(side Laterality, onset time.Time) Primary {
	return Primary{Condition: Condition{
		Source:     Source{Ref: "Condition/primary", Date: onset},
		Code:       Code{System: "http://snomed.info/sct", Code: "254837009", Display: "Malignant neoplasm of breast"},
		Onset:      onset,
		Clinical:   StatusActive,
		Laterality: side,
	}}
}

func met(ref string, site Site, side Laterality, onset time.Time) Metastasis {
	return Metastasis{Condition: Condition{
		Source:     Source{Ref: "Condition/" + ref, Date: onset},
		Onset:      onset,
		Clinical:   StatusActive,
		Laterality: side,
	}, Site: site}
}

func lesion(id string, site Site) Lesion {
	return Lesion{Source: Source{Ref: "BodyStructure/" + id, Date: daysAgo(200)}, Identifier: id, Site: site, Active: true}
}

func lesions(n int, site Site) []Lesion {
	var out []Lesion
	for i := range n {
		out = append(out, lesion(site.String()+string(rune('a'+i)), site))
	}
	return out
}

func marker(kind MarkerKind, r Result) Marker {
	return Marker{Source: Source{Ref: "Observation/" + kind.String(), Date: daysAgo(700)}, Kind: kind, Result: r}
}

func med(drug string, class DrugClass, status string) Medication {
	return Medication{
		Source: Source{Ref: "MedicationRequest/" + drug, Date: daysAgo(120)},
		Record: RecordRequest,
		Status: status,
		Drug:   drug,
		Class:  class,
		Start:  daysAgo(120),
	}
}

func diseaseStatus(s DiseaseStatus, at time.Time) StatusReport {
	return StatusReport{Source: Source{Ref: "Observation/status", Date: at}, Status: s}
}

// ombc is a female patient, born 1975, with a right breast primary (2023),
// HR+/HER2- receptors and two bone lesions from a metachronous bone
// metastasis. Each change edits a copy.
func ombc(changes ...func(*Patient)) Patient {
	p := Patient{
		ID:         "p1",
		Sex:        SexFemale,
		BirthDate:  time.Date(1975, 3, 1, 0, 0, 0, 0, time.UTC),
		Primaries:  []Primary{primary(Right, daysAgo(1000))},
		Metastases: []Metastasis{met("bone", SiteBone, LateralityUnknown, daysAgo(200))},
		Lesions:    lesions(2, SiteBone),
		Markers:    []Marker{marker(MarkerER, Positive), marker(MarkerPR, Positive), marker(MarkerHER2, Negative)},
	}
	for _, c := range changes {
		c(&p)
	}
	return p
}

// withMarkers replaces the markers.
func withMarkers(ms ...Marker) func(*Patient) {
	return func(p *Patient) { p.Markers = ms }
}

// addMarkers adds markers.
func addMarkers(ms ...Marker) func(*Patient) {
	return func(p *Patient) { p.Markers = append(p.Markers, ms...) }
}

// addMeds adds medications.
func addMeds(ms ...Medication) func(*Patient) {
	return func(p *Patient) { p.Medications = append(p.Medications, ms...) }
}

// addStatus adds disease-status reports.
func addStatus(rs ...StatusReport) func(*Patient) {
	return func(p *Patient) { p.DiseaseStatus = append(p.DiseaseStatus, rs...) }
}

// tripleNegative makes the receptors ER-, PR-, HER2-.
func tripleNegative(p *Patient) {
	p.Markers = []Marker{marker(MarkerER, Negative), marker(MarkerPR, Negative), marker(MarkerHER2, Negative)}
}

// male makes the patient male.
func male(p *Patient) { p.Sex = SexMale }

// codes returns the codes of the recommendations that fired.
func codes(recs []Recommendation) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Code)
	}
	return out
}

// fires reports whether the rule with code fires for p at now.
func fires(tb testing.TB, code string, p Patient) bool {
	tb.Helper()
	return slices.Contains(codes(Evaluate(Rules(), p, now, DefaultConfig())), code)
}

// recommendation returns the recommendation with code, failing when absent.
func recommendation(tb testing.TB, code string, p Patient) Recommendation {
	tb.Helper()
	for _, r := range Evaluate(Rules(), p, now, DefaultConfig()) {
		if r.Code == code {
			return r
		}
	}
	tb.Fatalf("rule %s did not fire", code)
	return Recommendation{}
}
