package fhirsearch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ombc-cds/internal/jsonscan"
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

// setFacets extracts the search facets of the resource from its source,
// reading the few members they come from without decoding the rest, and
// resolving references as the stored resource has them rewritten. A member
// the scan does not decide itself (escaped names or texts) is decoded and
// read as the stored resource's map would be.
func (r *resource) setFacets(resolve func(string) (string, bool)) {
	code, category, dates := codeElement(r.typ), hasCategory(r.typ), dateElements(r.typ)
	var patient, subject, medication, codes, categories []byte
	dateValues := make([][]byte, len(dates))
	s := jsonscan.New(r.src, 0)
	s.EnterObject()
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		if escaped {
			r.setFacetsFromMap(topMembers(r.src, func(string) bool { return true }), resolve)
			return
		}
		// A repeated name: the last wins, as in a map.
		switch v := s.Skip(); {
		case string(key) == "patient":
			patient = v
		case string(key) == "subject":
			subject = v
		case string(key) == "medicationReference":
			medication = v
		case code != "" && string(key) == code:
			codes = v
		case category && string(key) == "category":
			categories = v
		default:
			for i, el := range dates {
				if string(key) == el {
					dateValues[i] = v
				}
			}
		}
	}
	r.patient = scanReferenceKey(patient, resolve)
	r.subject = scanReferenceKey(subject, resolve)
	r.medication = scanReferenceKey(medication, resolve)
	if code != "" {
		r.codes = scanCodings(codes, nil)
	}
	if category {
		r.categories = scanCodings(categories, nil)
	}
	for _, v := range dateValues {
		if lo, hi, ok := scanDateRange(v); ok {
			r.date, r.dateEnd, r.hasDate = lo, hi, true
			break
		}
	}
}

// setFacetsFromMap extracts the search facets from the decoded resource.
func (r *resource) setFacetsFromMap(obj map[string]any, resolve func(string) (string, bool)) {
	rewriteReferences(obj, resolve)
	r.patient = referenceKey(obj["patient"])
	r.subject = referenceKey(obj["subject"])
	if el := codeElement(r.typ); el != "" {
		r.codes = codings(obj[el])
	}
	if hasCategory(r.typ) {
		r.categories = codings(obj["category"])
	}
	r.medication = referenceKey(obj["medicationReference"])
	for _, el := range dateElements(r.typ) {
		if lo, hi, ok := dateRange(obj[el]); ok {
			r.date, r.dateEnd, r.hasDate = lo, hi, true
			break
		}
	}
}

// decodeValue decodes a member value as decodeObject would.
func decodeValue(v []byte) any {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		panic(fmt.Sprintf("fhirsearch: resource changed after NewIndex: %v", err))
	}
	return out
}

// stringMembers reads the named string members of the object v (the last
// of repeated ones; "" for a value that is not a string). ok is false when
// v holds escaped names or texts; isObject is false for any other value.
func stringMembers(v []byte, names []string, out []string) (isObject, ok bool) {
	if len(v) == 0 || v[0] != '{' {
		return false, true
	}
	s := jsonscan.New(v, 0)
	s.EnterObject()
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		if escaped {
			return true, false
		}
		i := slices.Index(names, string(key))
		if i < 0 {
			s.Skip()
			continue
		}
		out[i] = ""
		if s.Peek() != '"' {
			s.Skip()
			continue
		}
		text, escaped, _ := s.ReadString()
		if escaped {
			return true, false
		}
		out[i] = string(text)
	}
	return true, !s.Failed()
}

var referenceName = []string{"reference"}

// scanReferenceKey is referenceKey over the rewritten member value v.
func scanReferenceKey(v []byte, resolve func(string) (string, bool)) string {
	var ref [1]string
	isObject, ok := stringMembers(v, referenceName, ref[:])
	if !ok {
		m := decodeValue(v)
		rewriteReferences(m, resolve)
		return referenceKey(m)
	}
	if !isObject {
		return ""
	}
	if key, ok := resolve(ref[0]); ok {
		return key
	}
	key, _ := literalKey(ref[0])
	return key
}

var codingNames = []string{"system", "code"}

// scanCodings is codings over the member value v, appending to out.
func scanCodings(v []byte, out []coding) []coding {
	if len(v) == 0 {
		return out
	}
	switch v[0] {
	case '[':
		s := jsonscan.New(v, 0)
		s.EnterArray()
		for s.NextElement() {
			out = scanCodings(s.Skip(), out)
		}
		return out
	case '{':
	default:
		return out
	}
	// The coding member of a CodeableConcept, the last of repeated ones.
	var list []byte
	s := jsonscan.New(v, 0)
	s.EnterObject()
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		if escaped {
			return append(out, codings(decodeValue(v))...)
		}
		if item := s.Skip(); string(key) == "coding" {
			list = item
		}
	}
	if len(list) == 0 || list[0] != '[' {
		return out
	}
	start := len(out)
	s = jsonscan.New(list, 0)
	s.EnterArray()
	for s.NextElement() {
		var sc [2]string
		if _, ok := stringMembers(s.Skip(), codingNames, sc[:]); !ok {
			return append(out[:start], codings(decodeValue(v))...)
		}
		if sc[0] != "" || sc[1] != "" {
			out = append(out, coding{system: sc[0], code: sc[1]})
		}
	}
	return out
}

var periodNames = []string{"start", "end"}

// scanDateRange is dateRange over the member value v.
func scanDateRange(v []byte) (lo, hi time.Time, ok bool) {
	if len(v) == 0 {
		return time.Time{}, time.Time{}, false
	}
	switch v[0] {
	case '"':
		if text := v[1 : len(v)-1]; bytes.IndexByte(text, '\\') < 0 {
			return parseDateRange(string(text))
		}
	case '{':
		var period [2]string
		if _, ok := stringMembers(v, periodNames, period[:]); ok {
			return dateRange(map[string]any{"start": period[0], "end": period[1]})
		}
	default:
		return time.Time{}, time.Time{}, false
	}
	return dateRange(decodeValue(v))
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
