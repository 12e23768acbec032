package prefetch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
)

// addMedications reads the Medication resources that medicationReference
// points at and that the Bundle does not hold, and appends them as
// search.mode "include" entries (the shape an EHR gives for _include, which
// prefetch templates may not use, D-8). Only relative "Medication/<id>"
// references and absolute ones under fhirServer are read; contained ("#id"),
// foreign and missing (404) targets are left alone for fhirmap to report.
func (r *run) addMedications(ctx context.Context, key string, entries []entry) ([]entry, error) {
	have := map[string]bool{}
	for _, e := range entries {
		if e.typ == "Medication" {
			have["Medication/"+e.id] = true
			if e.fullURL != "" {
				have[e.fullURL] = true
			}
		}
	}
	var ids []string
	for _, e := range entries {
		if e.medRef == "" || e.isOutcome() || have[e.medRef] {
			continue
		}
		id, ok := r.medicationID(e.medRef)
		if !ok || have["Medication/"+id] {
			continue
		}
		have["Medication/"+id] = true
		ids = append(ids, id)
	}
	if len(ids) > maxMedicationReads {
		r.log.LogAttrs(ctx, slog.LevelWarn, "medication references over the read cap",
			slog.String("key", key), slog.Int("references", len(ids)), slog.Int("cap", maxMedicationReads))
		ids = ids[:maxMedicationReads]
	}
	found := make([]json.RawMessage, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			found[i], errs[i] = r.readMedication(ctx, key, id)
		})
	}
	wg.Wait()
	for i, id := range ids {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if found[i] == nil {
			continue
		}
		raw, err := json.Marshal(struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
			Search   struct {
				Mode string `json:"mode"`
			} `json:"search"`
		}{FullURL: r.srv.base + "/Medication/" + id, Resource: found[i], Search: struct {
			Mode string `json:"mode"`
		}{"include"}})
		if err != nil {
			return nil, fmt.Errorf("%w: key %q: %w", ErrUnavailable, key, err)
		}
		entries = append(entries, entry{raw: raw, mode: "include", typ: "Medication", id: id})
	}
	return entries, nil
}

// medicationID extracts the id of a Medication reference that points at
// fhirServer, relative or absolute.
func (r *run) medicationID(ref string) (string, bool) {
	if strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "urn:") || strings.Contains(ref, "?") {
		return "", false
	}
	if !strings.Contains(ref, "://") {
		id, ok := strings.CutPrefix(ref, "Medication/")
		return id, ok && validID(id)
	}
	u, ok := r.srv.sameOrigin(ref)
	if !ok {
		return "", false
	}
	id, ok := strings.CutPrefix(u.EscapedPath(), r.srv.path+"/Medication/")
	return id, ok && validID(id)
}

// validID checks the FHIR id syntax (FHIR R4 §2.24.0.1), which also keeps
// the id from changing the request path.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// readMedication reads one Medication; nil, nil means not found.
func (r *run) readMedication(ctx context.Context, key, id string) (json.RawMessage, error) {
	status, body, err := r.get(ctx, key, r.srv.base+"/Medication/"+id)
	if err != nil {
		return nil, err
	}
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		return nil, nil
	case status < 200 || status > 299:
		return nil, fmt.Errorf("%w: key %q: FHIR server answered %d to a Medication read", ErrUnavailable, key, status)
	}
	if resourceType(body) != "Medication" {
		return nil, fmt.Errorf("%w: key %q: Medication read returned another resource type", ErrUnavailable, key)
	}
	return body, nil
}

// withMedications applies addMedications to a Bundle the client sent
// complete, keeping every other element of that Bundle as sent.
func (r *run) withMedications(ctx context.Context, key string, bundle json.RawMessage) (json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(bundle, &doc); err != nil {
		return nil, fmt.Errorf("%w: key %q: malformed Bundle", ErrInvalid, key)
	}
	var raws []json.RawMessage
	if e, ok := doc["entry"]; ok {
		if err := json.Unmarshal(e, &raws); err != nil {
			return nil, fmt.Errorf("%w: key %q: malformed Bundle entries", ErrInvalid, key)
		}
	}
	entries, err := parseEntries(raws)
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: %w", ErrInvalid, key, err)
	}
	before := len(entries)
	entries, err = r.addMedications(ctx, key, entries)
	if err != nil || len(entries) == before {
		return bundle, err
	}
	r.markFetched(key)
	for _, e := range entries[before:] {
		raws = append(raws, e.raw)
	}
	all, err := json.Marshal(raws)
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: %w", ErrUnavailable, key, err)
	}
	doc["entry"] = all
	return json.Marshal(doc)
}
