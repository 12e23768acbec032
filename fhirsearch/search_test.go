package fhirsearch

import (
	"errors"
	"slices"
	"testing"
)

func TestSearch(t *testing.T) {
	x := loadIndex(t, "small_transaction.json", "relative_collection.json")
	const p = patientID
	tests := []struct {
		name, query string
		want        []string
	}{
		// patient and subject reference forms
		{"patient by bare id", "Observation?patient=" + p,
			[]string{"Observation/obs-er", "Observation/obs-pr", "Observation/obs-m", "Observation/obs-size"}},
		{"patient by relative reference", "Condition?patient=Patient/" + p, []string{"Condition/cond-1"}},
		{"patient by urn uuid", "Condition?patient=urn:uuid:" + p, []string{"Condition/cond-1"}},
		{"patient by absolute reference", "Condition?patient=http://ehr.example/fhir/Patient/p2",
			[]string{"Condition/c2", "Condition/c3"}},
		{"patient OR list", "Condition?patient=" + p + ",p2", []string{"Condition/cond-1", "Condition/c2", "Condition/c3"}},
		{"patient element of BodyStructure", "BodyStructure?patient=p2", []string{"BodyStructure/b2"}},
		{"subject with type", "Condition?subject=Patient/p2", []string{"Condition/c2", "Condition/c3"}},
		{"subject bare id", "Procedure?subject=p2", []string{"Procedure/pr2"}},
		{"unknown patient", "Condition?patient=nobody", nil},
		{"no parameters", "Procedure", []string{"Procedure/pr2"}},
		{"type without resources", "CarePlan?patient=" + p, nil},
		// token forms
		{"code system and code", "Observation?patient=" + p + "&code=http://loinc.org|85337-4", []string{"Observation/obs-er"}},
		{"code OR list", "Observation?patient=" + p + "&code=http://loinc.org|85337-4,http://loinc.org|85339-0",
			[]string{"Observation/obs-er", "Observation/obs-pr"}},
		{"code without system matches any system", "Observation?code=33728-7", []string{"Observation/obs-size"}},
		{"code with empty system matches only codings without system", "Observation?code=|33728-7", []string{"Observation/obs-size"}},
		{"empty system excludes coded systems", "Observation?code=|85337-4", nil},
		{"system only", "Observation?patient=" + p + "&code=http://loinc.org|",
			[]string{"Observation/obs-er", "Observation/obs-pr", "Observation/obs-m"}},
		{"wrong system", "Observation?code=http://snomed.info/sct|85337-4", nil},
		{"category", "Observation?patient=" + p + "&category=laboratory", []string{"Observation/obs-er", "Observation/obs-pr"}},
		{"category with system", "Observation?category=http://terminology.hl7.org/CodeSystem/observation-category|imaging",
			[]string{"Observation/obs-m"}},
		{"two code params are AND", "Observation?code=85337-4&code=85339-0", nil},
		{"medication code", "MedicationRequest?code=http://www.nlm.nih.gov/research/umls/rxnorm|262485", []string{"MedicationRequest/mr-2"}},
		{"_id", "Observation?_id=obs-m,obs-pr", []string{"Observation/obs-pr", "Observation/obs-m"}},
		// sort
		{"sort by date descending, undated last", "Observation?patient=" + p + "&_sort=-date",
			[]string{"Observation/obs-pr", "Observation/obs-er", "Observation/obs-m", "Observation/obs-size"}},
		{"sort by date ascending", "Observation?patient=" + p + "&_sort=date",
			[]string{"Observation/obs-m", "Observation/obs-er", "Observation/obs-pr", "Observation/obs-size"}},
		{"sort conditions by onset", "Condition?patient=p2&_sort=-date", []string{"Condition/c2", "Condition/c3"}},
		{"sort medication requests by authoredOn", "MedicationRequest?patient=" + p + "&_sort=date",
			[]string{"MedicationRequest/mr-2", "MedicationRequest/mr-1"}},
		{"_count does not truncate a search", "Observation?patient=" + p + "&_count=1",
			[]string{"Observation/obs-er", "Observation/obs-pr", "Observation/obs-m", "Observation/obs-size"}},
		// date
		{"date eq day", "Observation?date=2021-08-19", []string{"Observation/obs-er"}},
		{"date ge", "Observation?date=ge2021-08-19", []string{"Observation/obs-er", "Observation/obs-pr"}},
		{"date lt", "Observation?date=lt2021-08-19", []string{"Observation/obs-m"}},
		{"date le month", "Observation?date=le2021-08", []string{"Observation/obs-er", "Observation/obs-pr", "Observation/obs-m"}},
		{"date gt year", "Condition?date=gt2020", []string{"Condition/cond-1", "Condition/c2", "Condition/c3"}}, // c3: open onsetPeriod
		{"date lt year", "Condition?date=lt2021", []string{"Condition/c3"}},
		{"date range by two params", "Observation?date=ge2021-08-19&date=lt2021-08-20", []string{"Observation/obs-er"}},
		{"date on a period", "Procedure?date=2020-06-01", []string{"Procedure/pr2"}},
		{"_format ignored", "Condition?patient=p2&_format=json", []string{"Condition/c2", "Condition/c3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := x.Search(tt.query)
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.query, err)
			}
			if k := keys(t, got); !slices.Equal(k, append([]string{}, tt.want...)) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, k, tt.want)
			}
		})
	}
}

func TestSearchRefuses(t *testing.T) {
	x := loadIndex(t, "small_transaction.json")
	tests := []struct {
		name, query string
		want        error
	}{
		{"unknown parameter", "Observation?patient=x&value-quantity=5", ErrUnsupported},
		{"_include", "MedicationRequest?patient=x&_include=MedicationRequest:medication", ErrUnsupported},
		{"chained parameter", "Observation?patient.name=x", ErrUnsupported},
		{":in modifier", "Observation?code:in=http://example.org/vs", ErrUnsupported},
		{":not modifier", "Observation?code:not=85337-4", ErrUnsupported},
		{"code on a type without code", "Patient?code=1", ErrUnsupported},
		{"category on a type without category", "Medication?category=x", ErrUnsupported},
		{"sort by another field", "Observation?_sort=code", ErrUnsupported},
		{"sort on a type without a date", "Patient?_sort=-date", ErrUnsupported},
		{"date on a type without a date", "Patient?date=2020", ErrUnsupported},
		{"date prefix ne", "Observation?date=ne2020", ErrUnsupported},
		{"bad date", "Observation?date=yesterday", ErrBadQuery},
		{"bad _count", "Observation?_count=-1", ErrBadQuery},
		{"patient is another type", "Observation?patient=Group/1", ErrBadQuery},
		{"bad patient value", "Observation?patient=a%20b", ErrBadQuery},
		{"empty token", "Observation?code=", ErrBadQuery},
		{"read is not a search", "Patient/123", ErrBadQuery},
		{"lower-case type", "observation?patient=x", ErrBadQuery},
		{"bad escaping", "Observation?code=%zz", ErrBadQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := x.Search(tt.query)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Search(%q) = %d results, error %v; want %v", tt.query, len(got), err, tt.want)
			}
		})
	}
}
