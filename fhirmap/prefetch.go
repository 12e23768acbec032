package fhirmap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"ombc-cds/logic"
)

// patientKey is the prefetch key that must hold the Patient (Templates).
const patientKey = "patient"

// resource is one FHIR resource found in the prefetch, decoded only as far as
// its type and id; the mappers decode raw once into their own struct.
type resource struct {
	typ     string
	id      string
	fullURL string
	ref     string // provenance: "Type/id", else the fullUrl, else the prefetch position
	raw     json.RawMessage
	include bool   // search.mode "include": used to resolve references, not a fact
	code    []byte // the raw top-level "code" value when peek found it, for cheap filtering
}

// head is the part of every resource read before dispatch; for a Bundle it
// also reads the entries (as raw JSON, so each resource is decoded only by
// its mapper).
type head struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id"`
	Entry        []bundleEntry `json:"entry"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Search   *struct {
		Mode string `json:"mode"`
	} `json:"search"`
}

// pool holds every usable resource of the prefetch once, in arrival order,
// with the indexes reference resolution needs (MODULE.md §6 quirk 1: resolve
// by fullUrl and by Type/id; never O(n²)).
type pool struct {
	list     []*resource
	byURL    map[string]*resource // fullUrl (urn:uuid:..., absolute URL)
	byTypeID map[string]*resource // "Type/id"
	skipped  []logic.Skipped
	patient  *resource      // the resource of the patient key, when it is a Patient
	slab     []resource     // room for the next resources (newResource)
	entries  []scannedEntry // scanHead's entry buffer, reused from value to value
}

// newPool reads every prefetch value. Keys are visited in sorted order so the
// result does not depend on Go's map order; the patient key goes first.
func newPool(prefetch map[string]json.RawMessage) (*pool, error) {
	p := &pool{byURL: map[string]*resource{}, byTypeID: map[string]*resource{}}
	keys := make([]string, 0, len(prefetch))
	for k := range prefetch {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == patientKey) != (keys[j] == patientKey) {
			return keys[i] == patientKey
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		if err := p.addValue(k, prefetch[k]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addValue reads one prefetch value: JSON null (no data), a single resource
// or a Bundle (CDS Hooks 2.0 §Prefetch: the value is the result of the
// query, a searchset Bundle for searches).
func (p *pool) addValue(key string, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if raw[0] != '{' {
		return fmt.Errorf("%w: prefetch %q is not a JSON object or null", ErrInvalid, key)
	}
	h, ok := scanHeadInto(raw, p.entries)
	if ok {
		// The next value is scanned after this one's entries are added.
		p.entries = h.entries[:0]
	} else {
		var err error
		if h, err = decodeHead(raw); err != nil {
			var typeErr *json.UnmarshalTypeError
			if !errors.As(err, &typeErr) || h.typ == "Bundle" || h.typ == "" {
				return fmt.Errorf("%w: prefetch %q is not a FHIR resource or Bundle: %v", ErrInvalid, key, err)
			}
			p.skip(fmt.Sprintf("prefetch %s", key), "unreadable %s: %v", h.typ, err)
			return nil
		}
	}
	if key == patientKey && h.typ != "Patient" && h.typ != "Bundle" {
		return fmt.Errorf("%w: prefetch %q holds a %s, not a Patient", ErrInvalid, key, quoteType(h.typ))
	}
	if h.typ != "Bundle" {
		r := p.add(func() string { return fmt.Sprintf("prefetch %s", key) }, "", h.typ, h.id, raw, false)
		if key == patientKey && r != nil {
			p.patient = r
		}
		return nil
	}
	p.reserve(len(h.entries))
	for i, e := range h.entries {
		// where is formatted only when a skip or a resource without id or
		// fullUrl needs it: Sprintf for every entry of a large Bundle showed
		// in the profile.
		where := func() string { return fmt.Sprintf("prefetch %s entry %d", key, i) }
		res := bytes.TrimSpace(e.resource)
		if e.hasSearch && e.mode == "outcome" {
			continue // an OperationOutcome about the search, not patient data
		}
		if len(res) == 0 || bytes.Equal(res, []byte("null")) {
			continue
		}
		if res[0] != '{' {
			p.skip(where(), "entry resource is not a JSON object")
			continue
		}
		typ, id, code, ok := e.typ, e.id, e.code, e.peeked
		if !ok {
			typ, id, code, ok = peek(res)
		}
		if !ok {
			var eh struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
			}
			if err := json.Unmarshal(res, &eh); err != nil {
				p.skip(where(), "unreadable resource: %v", err)
				continue
			}
			typ, id, code = eh.ResourceType, eh.ID, nil
		}
		include := e.hasSearch && e.mode == "include"
		r := p.add(where, e.fullURL, typ, id, res, include)
		if r != nil && r.code == nil {
			r.code = code
		}
		if key == patientKey && r != nil && r.typ == "Patient" && p.patient == nil {
			p.patient = r
		}
	}
	return nil
}

// decodeHead is the encoding/json reading of a prefetch value, used when
// scanHead declines it; the error is json.Unmarshal's, with the head as far
// as it was decoded.
func decodeHead(raw []byte) (scannedHead, error) {
	var h head
	err := json.Unmarshal(raw, &h)
	sh := scannedHead{typ: h.ResourceType, id: h.ID, entries: make([]scannedEntry, len(h.Entry))}
	for i, e := range h.Entry {
		sh.entries[i] = scannedEntry{fullURL: e.FullURL, resource: e.Resource, hasSearch: e.Search != nil}
		if e.Search != nil {
			sh.entries[i].mode = e.Search.Mode
		}
	}
	return sh, err
}

func quoteType(t string) string {
	if t == "" {
		return "resource without resourceType"
	}
	return t
}

// add registers one resource unless the same Type/id is already known (the
// same resource often arrives under two keys, or as a whole bundle). where
// names the resource's place in the prefetch; it is called only when needed.
func (p *pool) add(where func() string, fullURL, typ, id string, raw json.RawMessage, include bool) *resource {
	if typ == "" {
		p.skip(where(), "no resourceType")
		return nil
	}
	var ref, urn string
	switch {
	case id != "":
		// One allocation for both keys of the resource.
		keys := typ + "/" + id + "urn:uuid:" + id
		n := len(typ) + 1 + len(id)
		ref, urn = keys[:n], keys[n:]
	case fullURL != "":
		ref = fullURL
	default:
		ref = where()
	}
	if id != "" {
		if old, ok := p.byTypeID[ref]; ok {
			if old.include && !include {
				old.include = false // now also a search match: it is a fact
			}
			if fullURL != "" {
				p.byURL[fullURL] = old
			}
			return old
		}
	}
	r := p.newResource()
	*r = resource{typ: typ, id: id, fullURL: fullURL, ref: ref, raw: raw, include: include}
	if id != "" {
		p.byTypeID[ref] = r
		p.byURL[urn] = r
	}
	if fullURL != "" {
		p.byURL[fullURL] = r
	}
	p.list = append(p.list, r)
	return r
}

// reserve makes room in the indexes for n more resources before a Bundle's
// entries are added: growing the maps entry by entry was a tenth of mapping
// a large Bundle. It rebuilds them only when they would more than double,
// so the copying stays linear; nothing iterates over them, so their order
// does not matter.
func (p *pool) reserve(n int) {
	if need := len(p.byTypeID) + n; len(p.byTypeID) < need/2 {
		byTypeID := make(map[string]*resource, need)
		maps.Copy(byTypeID, p.byTypeID)
		p.byTypeID = byTypeID
	}
	if need := len(p.byURL) + n; len(p.byURL) < need/2 {
		byURL := make(map[string]*resource, need)
		maps.Copy(byURL, p.byURL)
		p.byURL = byURL
	}
}

// newResource returns a zero resource from the current slab: one
// allocation per 32 resources instead of one each.
func (p *pool) newResource() *resource {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]resource, 0, 32)
	}
	p.slab = p.slab[:len(p.slab)+1]
	return &p.slab[len(p.slab)-1]
}

func (p *pool) skip(ref, format string, args ...any) {
	p.skipped = append(p.skipped, logic.Skipped{Ref: ref, Reason: fmt.Sprintf(format, args...)})
}

// resolve finds the resource a reference points to, in every form real data
// uses (issue 3): urn:uuid:, relative Type/id, absolute URL (with or without
// _history). Contained (#id) references are resolved by the caller, which
// holds the containing resource. Conditional references (Type?identifier=...)
// are left unresolved, never fatal (MODULE.md §6 quirk 1).
func (p *pool) resolve(ref string) *resource {
	if ref == "" || strings.HasPrefix(ref, "#") || strings.Contains(ref, "?") {
		return nil
	}
	if r, ok := p.byURL[ref]; ok {
		return r
	}
	typ, id := splitRef(ref)
	if typ == "" {
		return nil
	}
	return p.byTypeID[typ+"/"+id]
}

// splitRef returns the Type and id of a relative or absolute literal
// reference ("Observation/1", "https://x/fhir/Observation/1/_history/2"), or
// empty strings.
func splitRef(ref string) (typ, id string) {
	if strings.HasPrefix(ref, "#") || strings.Contains(ref, "?") || strings.HasPrefix(ref, "urn:") {
		return "", ""
	}
	parts := strings.Split(strings.TrimSuffix(ref, "/"), "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	n := len(parts)
	if n < 2 || parts[n-1] == "" || parts[n-2] == "" {
		return "", ""
	}
	t := parts[n-2]
	if t[0] < 'A' || t[0] > 'Z' {
		return "", ""
	}
	return t, parts[n-1]
}
