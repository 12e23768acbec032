package fhirsearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"ombc-cds/internal/jsonscan"
)

// ErrBadBundle is returned by NewIndex for input that is not a FHIR Bundle
// or holds an entry without a usable resource.
var ErrBadBundle = errors.New("fhirsearch: bad bundle")

// Index holds resources by type and id, together with the facts the search
// parameters need (patient and subject references, codes, categories,
// clinically relevant dates). It is safe for concurrent use.
//
// NewIndex only records where each resource is in the bundles. The search
// facets of a type are read the first time a read or search touches the
// type, and a resource is re-encoded with its references rewritten the
// first time it is returned; both are kept. Synthea bundles are mostly
// Claims, ExplanationOfBenefits and Encounters that no prefetch template
// asks for, so most of a bundle is never decoded.
type Index struct {
	types    map[string]*typeIndex // read-only after NewIndex
	fullURLs map[string]string     // Bundle.entry.fullUrl -> "Type/id"
	patients []string
}

// typeIndex holds the resources of one type, first copy of each id only,
// in the order they were read.
type typeIndex struct {
	name  string
	stubs []stub
	byID  map[string]int // id -> position in stubs

	once      sync.Once
	resources []resource // parallel to stubs, filled by once

	identOnce   sync.Once
	identifiers map[string][]string // "system|value" -> keys, filled by identOnce
}

// stub is what NewIndex records of an entry: enough to resolve references
// to it, nothing decoded.
type stub struct {
	id  string
	src []byte // the resource as written, a sub-slice of the caller's bundle
}

// resource is one indexed resource with its search facets extracted once,
// so that searching never decodes JSON again.
type resource struct {
	typ, id    string
	src        []byte
	patient    string // "Type/id" of the patient element, if any
	subject    string // "Type/id" of the subject element, if any
	codes      []coding
	categories []coding
	date       time.Time
	dateEnd    time.Time
	hasDate    bool
	medication string // "Medication/id" of medicationReference, if any

	rawOnce sync.Once
	raw     json.RawMessage // src with references rewritten, filled by rawOnce
}

type coding struct{ system, code string }

// NewIndex reads the entries of transaction, collection or searchset Bundles.
//
// References are rewritten the way a FHIR server does when it processes a
// transaction (FHIR R4 §3.1.0.11.2 "Resolving references in Bundles"):
// urn:uuid references to an entry's fullUrl and conditional references
// "Type?identifier=system|value" that match exactly one indexed resource
// become relative "Type/id" references. References that cannot be resolved
// are kept as written. The first resource with a given type and id wins.
//
// The Index keeps sub-slices of bundles instead of copies, so the caller
// must not modify them while it uses the Index.
func NewIndex(bundles ...json.RawMessage) (*Index, error) {
	x := &Index{
		types:    map[string]*typeIndex{},
		fullURLs: map[string]string{},
	}
	for i, b := range bundles {
		entries, ok := scanBundle(b)
		if !ok {
			// The scan gives up on anything unusual (invalid JSON, escaped or
			// case-folded keys, repeated members, missing ids...); the
			// encoding/json path decides such bundles, and words the
			// errors, exactly as it always has.
			var err error
			if entries, err = decodeBundleJSON(b, i); err != nil {
				return nil, err
			}
		}
		for _, e := range entries {
			x.add(e)
		}
	}
	if t := x.types["Patient"]; t != nil {
		for _, s := range t.stubs {
			x.patients = append(x.patients, s.id)
		}
	}
	return x, nil
}

// scannedEntry is one Bundle.entry with a resource that has a type and an
// id.
type scannedEntry struct {
	fullURL, typ, id string
	src              []byte
}

func (x *Index) add(e scannedEntry) {
	key := e.typ + "/" + e.id
	if e.fullURL != "" {
		if _, dup := x.fullURLs[e.fullURL]; !dup {
			x.fullURLs[e.fullURL] = key
		}
	}
	t := x.types[e.typ]
	if t == nil {
		t = &typeIndex{name: e.typ, byID: map[string]int{}}
		x.types[e.typ] = t
	}
	if _, seen := t.byID[e.id]; seen {
		return
	}
	t.byID[e.id] = len(t.stubs)
	t.stubs = append(t.stubs, stub{id: e.id, src: e.src})
}

// scanBundle reads the entries of a Bundle in one validating pass, without
// decoding: fullUrl, resourceType and id as text, the resource as a
// sub-slice of b. ok is false for anything it does not decide itself,
// errors included.
func scanBundle(b []byte) (entries []scannedEntry, ok bool) {
	s := jsonscan.New(b, 0)
	if !s.EnterObject() {
		return nil, false
	}
	var typ []byte
	seenType, seenEntry := false, false
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		// Bundle and entry members are matched as encoding/json matches
		// struct fields (case-insensitively); a key that is not plain ASCII
		// might fold to a member name by Unicode rules, so it goes back to
		// encoding/json.
		if escaped || !jsonscan.PlainASCII(key) {
			return nil, false
		}
		switch {
		case jsonscan.EqualFoldASCII(key, "resourceType"):
			if seenType || s.Peek() != '"' {
				return nil, false
			}
			seenType = true
			if typ, ok = s.PlainString(); !ok {
				return nil, false
			}
		case jsonscan.EqualFoldASCII(key, "entry"):
			// A repeated entry array is merged element by element by
			// encoding/json; leave that to it.
			if seenEntry || !s.EnterArray() {
				return nil, false
			}
			seenEntry = true
			for s.NextElement() {
				e, ok := scanEntry(&s)
				if !ok {
					return nil, false
				}
				entries = append(entries, e)
			}
		default:
			s.Skip()
		}
	}
	if !s.End() || string(typ) != "Bundle" {
		return nil, false
	}
	return entries, true
}

// scanEntry reads one Bundle.entry object.
func scanEntry(s *jsonscan.Scanner) (e scannedEntry, ok bool) {
	if !s.EnterObject() {
		return e, false
	}
	var fullURL []byte
	seenURL, seenResource := false, false
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		if escaped || !jsonscan.PlainASCII(key) {
			return e, false
		}
		switch {
		case jsonscan.EqualFoldASCII(key, "fullUrl"):
			if seenURL || s.Peek() != '"' {
				return e, false
			}
			seenURL = true
			if fullURL, ok = s.PlainString(); !ok {
				return e, false
			}
		case jsonscan.EqualFoldASCII(key, "resource"):
			if seenResource {
				return e, false
			}
			seenResource = true
			if e, ok = scanResource(s); !ok {
				return e, false
			}
		default:
			s.Skip()
		}
	}
	if s.Failed() || !seenResource {
		return e, false
	}
	e.fullURL = string(fullURL)
	e.typ, e.id, ok = entryKey(e.fullURL, e.typ, e.id)
	return e, ok
}

// scanResource reads resourceType and id of a resource object. The
// resource is decoded into a map later, where keys match exactly and the
// last of repeated keys wins; escaped or repeated keys are left to that
// decoding.
func scanResource(s *jsonscan.Scanner) (e scannedEntry, ok bool) {
	if s.Peek() != '{' {
		return e, false
	}
	start := s.Pos()
	s.EnterObject()
	var typ, id []byte
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		if escaped {
			return e, false
		}
		switch string(key) {
		case "resourceType":
			if typ != nil || s.Peek() != '"' {
				return e, false
			}
			if typ, ok = s.PlainString(); !ok {
				return e, false
			}
		case "id":
			if id != nil || s.Peek() != '"' {
				return e, false
			}
			if id, ok = s.PlainString(); !ok {
				return e, false
			}
		default:
			s.Skip()
		}
	}
	if s.Failed() {
		return e, false
	}
	e.typ, e.id, e.src = internType(typ), string(id), s.Data()[start:s.Pos()]
	return e, true
}

// internType returns the resource type name, without allocating for the
// types Synthea writes: most entries are of a handful of types.
func internType(b []byte) string {
	if name, ok := commonTypes[string(b)]; ok {
		return name
	}
	return string(b)
}

var commonTypes = func() map[string]string {
	m := map[string]string{}
	for _, name := range []string{"Patient", "Encounter", "Condition", "Observation", "DiagnosticReport",
		"DocumentReference", "Procedure", "Claim", "ExplanationOfBenefit", "Immunization", "MedicationRequest",
		"MedicationStatement", "Medication", "CarePlan", "CareTeam", "Practitioner", "PractitionerRole",
		"Organization", "Location", "Provenance", "Device", "SupplyDelivery", "ImagingStudy"} {
		m[name] = name
	}
	return m
}()

// entryKey checks the resourceType and id of an entry. Transaction entries
// for POST may omit the id; the server would assign one, and the urn:uuid
// fullUrl is the natural choice.
func entryKey(fullURL, typ, id string) (string, string, bool) {
	if !isTypeName(typ) {
		return "", "", false
	}
	if id == "" {
		id = strings.TrimPrefix(fullURL, "urn:uuid:")
		if id == fullURL {
			id = ""
		}
	}
	return typ, id, isID(id)
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
}

// decodeBundleJSON reads the entries of bundle number i with encoding/json, for
// the bundles scanBundle leaves alone.
func decodeBundleJSON(b json.RawMessage, i int) ([]scannedEntry, error) {
	var doc struct {
		ResourceType string        `json:"resourceType"`
		Entry        []bundleEntry `json:"entry"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: bundle %d: %w", ErrBadBundle, i, err)
	}
	if doc.ResourceType != "Bundle" {
		return nil, fmt.Errorf("%w: bundle %d: resourceType %q, want Bundle", ErrBadBundle, i, doc.ResourceType)
	}
	out := make([]scannedEntry, 0, len(doc.Entry))
	for j, e := range doc.Entry {
		obj, err := decodeObject(e.Resource)
		if err != nil {
			return nil, fmt.Errorf("%w: bundle %d entry %d: %w", ErrBadBundle, i, j, err)
		}
		typ, _ := obj["resourceType"].(string)
		if !isTypeName(typ) {
			return nil, fmt.Errorf("%w: bundle %d entry %d: missing or bad resourceType", ErrBadBundle, i, j)
		}
		id, _ := obj["id"].(string)
		typ, id, ok := entryKey(e.FullURL, typ, id)
		if !ok {
			return nil, fmt.Errorf("%w: bundle %d entry %d: %s without a valid id", ErrBadBundle, i, j, typ)
		}
		out = append(out, scannedEntry{fullURL: e.FullURL, typ: typ, id: id, src: e.Resource})
	}
	return out, nil
}

// decodeObject decodes a resource keeping numbers as written (json.Number),
// so that decimals such as tumour sizes survive the rewrite byte for byte.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, fmt.Errorf("resource is not a JSON object")
	}
	return obj, nil
}

// load decodes the search facets of every resource of the type, once.
func (t *typeIndex) load(x *Index) []resource {
	t.once.Do(func() {
		t.resources = make([]resource, len(t.stubs))
		for i, s := range t.stubs {
			r := &t.resources[i]
			r.typ, r.id, r.src = t.name, s.id, s.src
			r.setFacets(x.resolve)
		}
	})
	return t.resources
}

// lookup returns the resource with the given type and id, loading its type.
func (x *Index) lookup(typ, id string) (*resource, bool) {
	t := x.types[typ]
	if t == nil {
		return nil, false
	}
	i, ok := t.byID[id]
	if !ok {
		return nil, false
	}
	return &t.load(x)[i], true
}

// json returns the resource as a FHIR server stores it: with its references
// rewritten, re-encoded compactly (encoding/json's order of members), once.
func (r *resource) json(x *Index) json.RawMessage {
	r.rawOnce.Do(func() {
		e := encoder{resolve: x.resolve, out: make([]byte, 0, len(r.src))}
		if e.encodeResource(r.src, r.id) {
			r.raw = e.out
			return
		}
		obj, err := decodeObject(r.src)
		if err != nil {
			// NewIndex validated src as a JSON object; only a caller that
			// changed the bundle since can get here.
			panic(fmt.Sprintf("fhirsearch: %s/%s changed after NewIndex: %v", r.typ, r.id, err))
		}
		if id, _ := obj["id"].(string); id == "" {
			obj["id"] = r.id
		}
		rewriteReferences(obj, x.resolve)
		raw, err := marshalCompact(obj)
		if err != nil {
			panic(fmt.Sprintf("fhirsearch: %s/%s: %v", r.typ, r.id, err))
		}
		r.raw = raw
	})
	return r.raw
}

// resolve maps a urn:uuid or absolute reference equal to an entry's
// fullUrl, or a conditional reference matching exactly one resource by
// identifier, to "Type/id".
func (x *Index) resolve(ref string) (string, bool) {
	if key, ok := x.fullURLs[ref]; ok {
		return key, true
	}
	if typ, system, value, ok := conditionalIdentifier(ref); ok {
		if t := x.types[typ]; t != nil {
			if keys := t.identifierIndex()[system+"|"+value]; len(keys) == 1 {
				return keys[0], true
			}
		}
	}
	return "", false
}

// identifierIndex maps "system|value" of each Resource.identifier to the
// keys of the resources that carry it, once. A resource listing the same
// identifier twice counts twice, which makes the reference ambiguous.
func (t *typeIndex) identifierIndex() map[string][]string {
	t.identOnce.Do(func() {
		t.identifiers = map[string][]string{}
		for _, s := range t.stubs {
			for _, ident := range identifierPairs(topMembers(s.src, isIdentifier)) {
				t.identifiers[ident] = append(t.identifiers[ident], t.name+"/"+s.id)
			}
		}
	})
	return t.identifiers
}

func isIdentifier(key string) bool { return key == "identifier" }

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

// topMembers decodes the members of the resource object src whose names
// want accepts, as decodeObject would give them, skipping the others
// undecoded.
func topMembers(src []byte, want func(string) bool) map[string]any {
	obj := map[string]any{}
	s := jsonscan.New(src, 0)
	s.EnterObject()
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		if escaped {
			// An escaped name may decode to a wanted one; decode it all.
			full, err := decodeObject(src)
			if err != nil {
				panic(fmt.Sprintf("fhirsearch: resource changed after NewIndex: %v", err))
			}
			for k := range full {
				if !want(k) {
					delete(full, k)
				}
			}
			return full
		}
		if !want(string(key)) {
			s.Skip()
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(s.Skip()))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			panic(fmt.Sprintf("fhirsearch: resource changed after NewIndex: %v", err))
		}
		obj[string(key)] = v // a repeated name: the last wins, as in a map
	}
	return obj
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
	r, ok := x.lookup(typ, id)
	if !ok {
		return nil, false
	}
	return bytes.Clone(r.json(x)), true
}

// PatientIDs lists the ids of the indexed Patient resources in the order
// they were read.
func (x *Index) PatientIDs() []string {
	return append([]string(nil), x.patients...)
}
