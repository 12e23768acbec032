package fhirsearch

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// patientToken is the one prefetch token the discovery templates use
// (CONFORMANCE.md §5: every template is built on {{context.patientId}}).
const patientToken = "{{context.patientId}}"

// Prefetch answers each template for one patient as a CDS client would fill
// the prefetch object: a read gives the resource or null (not found), a
// search gives a searchset Bundle with every match (an empty Bundle with
// total 0 when nothing matches; all pages merged, no next link).
//
// For MedicationRequest, MedicationStatement and MedicationAdministration
// searches the Medication resources referenced by medicationReference are
// appended as search.mode "include" entries. Server does not add them (a
// template has no _include, CONFORMANCE.md D-8), but the prefetch fallback
// fetches and appends them in the same way, so Prefetch equals what the
// service sees after its own fallback against Server.
func (x *Index) Prefetch(templates map[string]string, patientID string) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(templates))
	for key, tmpl := range templates {
		query, err := fillPatient(tmpl, patientID)
		if err != nil {
			return nil, fmt.Errorf("prefetch key %q: %w", key, err)
		}
		value, err := x.answer(query)
		if err != nil {
			return nil, fmt.Errorf("prefetch key %q: %w", key, err)
		}
		out[key] = value
	}
	return out, nil
}

func fillPatient(tmpl, patientID string) (string, error) {
	path, query, hasQuery := strings.Cut(tmpl, "?")
	path = strings.ReplaceAll(path, patientToken, url.PathEscape(patientID))
	query = strings.ReplaceAll(query, patientToken, url.QueryEscape(patientID))
	if strings.Contains(path, "{{") || strings.Contains(query, "{{") {
		return "", fmt.Errorf("%w: token other than %s", ErrUnsupported, patientToken)
	}
	if hasQuery {
		return path + "?" + query, nil
	}
	return path, nil
}

// answer gives the JSON a FHIR server would return for a read or a search
// (with every page merged).
func (x *Index) answer(query string) (json.RawMessage, error) {
	path, rawQuery, hasQuery := strings.Cut(query, "?")
	if typ, id, isRead := strings.Cut(path, "/"); isRead && !hasQuery {
		if !isTypeName(typ) || !isID(id) {
			return nil, fmt.Errorf("%w: read %q", ErrBadQuery, path)
		}
		if raw, ok := x.Read(typ, id); ok {
			return raw, nil
		}
		return json.RawMessage("null"), nil
	}
	if !isTypeName(path) {
		return nil, fmt.Errorf("%w: %q is not a type search", ErrBadQuery, path)
	}
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	q, err := x.parseSearch(path, values)
	if err != nil {
		return nil, err
	}
	matches := x.run(q)
	var includes []*resource
	if isMedicationUse(path) {
		includes = x.medicationIncludes(matches)
	}
	return x.newSearchset("", len(matches), nil, matches, includes)
}
