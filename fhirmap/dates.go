package fhirmap

import (
	"strings"
	"time"
)

// parseDate reads a FHIR date, dateTime or instant at any precision (FHIR R4
// §2.24.0.1 "date", "dateTime": YYYY, YYYY-MM, YYYY-MM-DD, or a full time with
// a zone offset and optional fractional seconds). The offset is kept. A value
// that is none of these yields the zero time ("date unknown"), never an
// error: a bad date must not drop the fact it dates.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	var layout string
	switch {
	case len(s) == 4:
		layout = "2006"
	case len(s) == 7:
		layout = "2006-01"
	case len(s) == 10:
		layout = time.DateOnly
	case len(s) > 10:
		// time.RFC3339 also accepts fractional seconds on parse.
		layout = time.RFC3339
	default:
		return time.Time{}
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// firstDate returns the first of the given FHIR date strings that parses.
func firstDate(values ...*string) time.Time {
	for _, v := range values {
		if v == nil {
			continue
		}
		if t := parseDate(*v); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
