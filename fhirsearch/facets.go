package fhirsearch

import (
	"strings"
	"time"
)

// codeElement names the element behind the "code" search parameter of a
// resource type (FHIR R4 search parameter registry: Observation-code,
// Condition-code, medications-code = medication.as(CodeableConcept), ...).
// An empty result means the type has no code parameter here.
func codeElement(typ string) string {
	switch typ {
	case "Observation", "Condition", "Procedure", "DiagnosticReport", "AllergyIntolerance",
		"Medication", "ServiceRequest":
		return "code"
	case "MedicationRequest", "MedicationStatement", "MedicationAdministration", "MedicationDispense":
		return "medicationCodeableConcept"
	}
	return ""
}

// hasCategory reports whether the type has a "category" token parameter
// over its category element (FHIR R4 search parameter registry).
func hasCategory(typ string) bool {
	switch typ {
	case "Observation", "Condition", "DiagnosticReport", "CarePlan", "MedicationRequest",
		"MedicationStatement", "Procedure", "CareTeam", "DocumentReference":
		return true
	}
	return false
}

// dateElements lists, in order of preference, the elements that give a
// resource its clinically relevant date, used by _sort=date and the date
// parameter (FHIR R4 clinical-date: effective, onset, authoredOn, started,
// performed, with issued/recordedDate as the fallbacks EHRs use).
func dateElements(typ string) []string {
	switch typ {
	case "Observation":
		return []string{"effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued"}
	case "DiagnosticReport":
		return []string{"effectiveDateTime", "effectivePeriod", "issued"}
	case "Condition":
		return []string{"onsetDateTime", "onsetPeriod", "recordedDate"}
	case "MedicationRequest":
		return []string{"authoredOn"}
	case "MedicationStatement":
		return []string{"effectiveDateTime", "effectivePeriod", "dateAsserted"}
	case "MedicationAdministration":
		return []string{"effectiveDateTime", "effectivePeriod"}
	case "Procedure":
		return []string{"performedDateTime", "performedPeriod"}
	case "ImagingStudy":
		return []string{"started"}
	case "CarePlan", "Encounter", "CareTeam":
		return []string{"period"}
	case "Immunization":
		return []string{"occurrenceDateTime"}
	}
	return nil
}

func newResource(p pending, raw []byte) *resource {
	r := &resource{typ: p.typ, id: p.id, raw: raw}
	r.patient = referenceKey(p.obj["patient"])
	r.subject = referenceKey(p.obj["subject"])
	if el := codeElement(p.typ); el != "" {
		r.codes = codings(p.obj[el])
	}
	if hasCategory(p.typ) {
		r.categories = codings(p.obj["category"])
	}
	r.medication = referenceKey(p.obj["medicationReference"])
	for _, el := range dateElements(p.typ) {
		if lo, hi, ok := dateRange(p.obj[el]); ok {
			r.date, r.dateEnd, r.hasDate = lo, hi, true
			break
		}
	}
	return r
}

// referenceKey returns "Type/id" for a Reference object with a literal
// reference, or "" when there is none.
func referenceKey(v any) string {
	m, _ := v.(map[string]any)
	ref, _ := m["reference"].(string)
	key, _ := literalKey(ref)
	return key
}

// codings collects the Codings of a CodeableConcept or a list of them.
func codings(v any) []coding {
	var out []coding
	switch t := v.(type) {
	case []any:
		for _, c := range t {
			out = append(out, codings(c)...)
		}
	case map[string]any:
		list, _ := t["coding"].([]any)
		for _, c := range list {
			m, _ := c.(map[string]any)
			system, _ := m["system"].(string)
			code, _ := m["code"].(string)
			if code != "" || system != "" {
				out = append(out, coding{system: system, code: code})
			}
		}
	}
	return out
}

// dateRange reads a date, dateTime or instant string, or a Period, as the
// time range it covers (a partial date covers its whole year, month or day).
func dateRange(v any) (lo, hi time.Time, ok bool) {
	switch t := v.(type) {
	case string:
		return parseDateRange(t)
	case map[string]any:
		start, _ := t["start"].(string)
		end, _ := t["end"].(string)
		lo, hi, ok = parseDateRange(start)
		if !ok {
			return time.Time{}, time.Time{}, false
		}
		if _, endHi, endOK := parseDateRange(end); endOK {
			hi = endHi
		} else if end == "" {
			hi = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) // open period: still ongoing
		}
		return lo, hi, true
	}
	return time.Time{}, time.Time{}, false
}

// parseDateRange parses FHIR date/dateTime/instant text into the half-open
// range [lo, hi) it denotes at its precision.
func parseDateRange(s string) (lo, hi time.Time, ok bool) {
	s = strings.TrimSpace(s)
	layouts := []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{time.RFC3339Nano, func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04Z07:00", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	}
	for _, l := range layouts {
		if t, err := time.Parse(l.layout, s); err == nil {
			if l.layout == time.RFC3339Nano && t.Nanosecond() != 0 {
				return t, t.Add(time.Millisecond), true
			}
			return t, l.next(t), true
		}
	}
	return time.Time{}, time.Time{}, false
}
