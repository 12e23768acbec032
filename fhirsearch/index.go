package fhirsearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadBundle is returned by NewIndex for input that is not a FHIR Bundle
// or holds an entry without a usable resource.
var ErrBadBundle = errors.New("fhirsearch: bad bundle")

// Index holds resources by type and id, together with the facts the search
// parameters need (patient and subject references, codes, categories,
// clinically relevant dates). It is read-only after NewIndex and safe for
// concurrent use.
type Index struct {
	byType   map[string][]*resource
	byKey    map[string]*resource
	fullURLs map[string]string // Bundle.entry.fullUrl -> "Type/id"
	patients []string
}

// resource is one indexed resource with its search facets extracted once,
// so that searching never decodes JSON again.
type resource struct {
	typ, id    string
	raw        json.RawMessage
	patient    string // "Type/id" of the patient element, if any
	subject    string // "Type/id" of the subject element, if any
	codes      []coding
	categories []coding
	date       time.Time
	dateEnd    time.Time
	hasDate    bool
	medication string // "Medication/id" of medicationReference, if any
}

type coding struct{ system, code string }

// pending is a decoded entry waiting for reference rewriting.
type pending struct {
	typ, id string
	obj     map[string]any
}

// NewIndex reads the entries of transaction, collection or searchset Bundles.
//
// References are rewritten the way a FHIR server does when it processes a
// transaction (FHIR R4 §3.1.0.11.2 "Resolving references in Bundles"):
// urn:uuid references to an entry's fullUrl and conditional references
// "Type?identifier=system|value" that match exactly one indexed resource
// become relative "Type/id" references. References that cannot be resolved
// are kept as written. The first resource with a given type and id wins.
func NewIndex(bundles ...json.RawMessage) (*Index, error) {
	x := &Index{
		byType:   map[string][]*resource{},
		byKey:    map[string]*resource{},
		fullURLs: map[string]string{},
	}
	identifiers := map[string][]string{}
	var all []pending
	seen := map[string]bool{}
	for i, b := range bundles {
		entries, err := bundleEntries(b)
		if err != nil {
			return nil, fmt.Errorf("%w: bundle %d: %w", ErrBadBundle, i, err)
		}
		for j, e := range entries {
			p, err := decodeEntry(e.FullURL, e.Resource)
			if err != nil {
				return nil, fmt.Errorf("%w: bundle %d entry %d: %w", ErrBadBundle, i, j, err)
			}
			key := p.typ + "/" + p.id
			if e.FullURL != "" {
				if _, dup := x.fullURLs[e.FullURL]; !dup {
					x.fullURLs[e.FullURL] = key
				}
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			for _, ident := range identifierPairs(p.obj) {
				k := p.typ + "\x00" + ident
				identifiers[k] = append(identifiers[k], key)
			}
			all = append(all, p)
		}
	}
	resolve := func(ref string) (string, bool) {
		if key, ok := x.fullURLs[ref]; ok {
			return key, true
		}
		if typ, system, value, ok := conditionalIdentifier(ref); ok {
			if keys := identifiers[typ+"\x00"+system+"|"+value]; len(keys) == 1 {
				return keys[0], true
			}
		}
		return "", false
	}
	for _, p := range all {
		rewriteReferences(p.obj, resolve)
		raw, err := marshalCompact(p.obj)
		if err != nil {
			return nil, fmt.Errorf("%w: %s/%s: %w", ErrBadBundle, p.typ, p.id, err)
		}
		r := newResource(p, raw)
		x.byType[r.typ] = append(x.byType[r.typ], r)
		x.byKey[r.typ+"/"+r.id] = r
		if r.typ == "Patient" {
			x.patients = append(x.patients, r.id)
		}
	}
	return x, nil
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
}

func bundleEntries(b json.RawMessage) ([]bundleEntry, error) {
	var doc struct {
		ResourceType string        `json:"resourceType"`
		Entry        []bundleEntry `json:"entry"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if doc.ResourceType != "Bundle" {
		return nil, fmt.Errorf("resourceType %q, want Bundle", doc.ResourceType)
	}
	return doc.Entry, nil
}

// decodeEntry decodes a resource keeping numbers as written (json.Number),
// so that decimals such as tumour sizes survive the rewrite byte for byte.
func decodeEntry(fullURL string, raw json.RawMessage) (pending, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return pending{}, fmt.Errorf("resource is not a JSON object")
	}
	typ, _ := obj["resourceType"].(string)
	if !isTypeName(typ) {
		return pending{}, fmt.Errorf("missing or bad resourceType")
	}
	id, _ := obj["id"].(string)
	if id == "" {
		// Transaction entries for POST may omit the id; the server would
		// assign one, and the urn:uuid fullUrl is the natural choice.
		id = strings.TrimPrefix(fullURL, "urn:uuid:")
		if id == fullURL {
			id = ""
		}
		obj["id"] = id
	}
	if !isID(id) {
		return pending{}, fmt.Errorf("%s without a valid id", typ)
	}
	return pending{typ: typ, id: id, obj: obj}, nil
}

// identifierPairs lists "system|value" for each Resource.identifier.
func identifierPairs(obj map[string]any) []string {
	list, _ := obj["identifier"].([]any)
	var out []string
	for _, v := range list {
		m, _ := v.(map[string]any)
		system, _ := m["system"].(string)
		value, _ := m["value"].(string)
		if value != "" {
			out = append(out, system+"|"+value)
		}
	}
	return out
}

// rewriteReferences replaces every Reference.reference that resolve knows.
func rewriteReferences(v any, resolve func(string) (string, bool)) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if s, ok := child.(string); ok && k == "reference" {
				if key, ok := resolve(s); ok {
					t[k] = key
				}
				continue
			}
			rewriteReferences(child, resolve)
		}
	case []any:
		for _, child := range t {
			rewriteReferences(child, resolve)
		}
	}
}

func marshalCompact(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// Read returns the resource with the given type and id (FHIR REST read).
func (x *Index) Read(typ, id string) (json.RawMessage, bool) {
	r, ok := x.byKey[typ+"/"+id]
	if !ok {
		return nil, false
	}
	return bytes.Clone(r.raw), true
}

// PatientIDs lists the ids of the indexed Patient resources in the order
// they were read.
func (x *Index) PatientIDs() []string {
	return append([]string(nil), x.patients...)
}
