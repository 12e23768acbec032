package fhirmap

import (
	"unicode/utf8"

	"ombc-cds/internal/jsonscan"
)

// scannedHead is what scanHead reads from one prefetch value: the fields of
// head, with each entry resource as a sub-slice of the input.
type scannedHead struct {
	typ, id string
	entries []scannedEntry
}

// scannedEntry is one Bundle entry as bundleEntry would decode it. When
// peeked is true, typ, id and code are what peek returns for resource: the
// scanner reads them on its way through instead of scanning the resource a
// second time.
type scannedEntry struct {
	fullURL   string
	resource  []byte
	hasSearch bool
	mode      string
	peeked    bool
	typ, id   string
	code      []byte
}

// maxScanDepth bounds the nesting the scanner follows; deeper values are
// left to encoding/json (whose own limit is 10000).
const maxScanDepth = 500

// scanHead validates a whole prefetch value and reads its head in one pass.
// It replaces json.Unmarshal into head, which validated the bytes, decoded
// them and copied every entry resource: on a 1.3 MB Synthea bundle that was
// most of the time of a call. It accepts only input whose decoding it is sure
// of (valid JSON per RFC 8259 as encoding/json checks it; the head keys
// spelt exactly; string fields as plain UTF-8 strings without escapes;
// objects where objects belong; no repeated head keys) and otherwise returns
// ok false, and the caller decodes with encoding/json, which yields the same
// result or the error message the caller reports.
func scanHead(raw []byte) (h scannedHead, ok bool) {
	return scanHeadInto(raw, nil)
}

// scanHeadInto is scanHead appending the entries to buf[:0]: a caller that
// reads several values reuses one buffer, where growing a fresh one for
// each Bundle was a fifth of the bytes a typical request allocated.
func scanHeadInto(raw []byte, buf []scannedEntry) (h scannedHead, ok bool) {
	h.entries = buf[:0]
	s := scanner{jsonscan.New(raw, maxScanDepth)}
	if !s.topObject(&h) || !s.End() {
		return scannedHead{}, false
	}
	return h, true
}

// scanner adds to jsonscan.Scanner the rules of the head: which keys
// encoding/json would match and what a string field must look like.
type scanner struct {
	jsonscan.Scanner
}

// objectMembers iterates the members of the object at the cursor, calling fn
// after each key with the cursor at its value; fn must consume the value. A
// key with escapes or non-ASCII bytes stops the scan: encoding/json matches
// keys case-insensitively with Unicode folding, so such a key is left to it.
func (s *scanner) objectMembers(fn func(key []byte) bool) bool {
	if !s.EnterObject() {
		return false
	}
	for {
		key, _, ok := s.NextMember()
		if !ok {
			return !s.Failed()
		}
		if !jsonscan.PlainASCII(key) || !fn(key) {
			return false
		}
	}
}

// value consumes any JSON value, validating it.
func (s *scanner) value() bool { return s.Skip() != nil }

// plainField reads a string value into *dst, once.
func (s *scanner) plainField(dst *string, seen *bool) bool {
	if *seen {
		return false
	}
	*seen = true
	v, ok := s.plainString()
	*dst = v
	return ok
}

// plainString reads a string without escapes whose bytes are valid UTF-8,
// so that string(bytes) is exactly what encoding/json would decode.
func (s *scanner) plainString() (string, bool) {
	v, ok := s.PlainString()
	if !ok || !utf8.Valid(v) {
		return "", false
	}
	return string(v), true
}

func (s *scanner) topObject(h *scannedHead) bool {
	var seenType, seenID, seenEntry bool
	return s.objectMembers(func(key []byte) bool {
		switch string(key) {
		case "resourceType":
			return s.plainField(&h.typ, &seenType)
		case "id":
			return s.plainField(&h.id, &seenID)
		case "entry":
			if seenEntry {
				return false
			}
			seenEntry = true
			return s.entries(h)
		}
		if jsonscan.FoldsToAny(key, "resourceType", "id", "entry") {
			return false
		}
		return s.value()
	})
}

func (s *scanner) entries(h *scannedHead) bool {
	if !s.EnterArray() {
		return false
	}
	if h.entries == nil {
		h.entries = make([]scannedEntry, 0, 16)
	}
	for s.NextElement() {
		var e scannedEntry
		if !s.entry(&e) {
			return false
		}
		h.entries = append(h.entries, e)
	}
	return !s.Failed()
}

func (s *scanner) entry(e *scannedEntry) bool {
	var seenURL, seenResource bool
	return s.objectMembers(func(key []byte) bool {
		switch string(key) {
		case "fullUrl":
			return s.plainField(&e.fullURL, &seenURL)
		case "resource":
			if seenResource {
				return false
			}
			seenResource = true
			start := s.Pos()
			if s.Peek() == '{' {
				if !s.resourceObject(e) {
					return false
				}
			} else if !s.value() {
				return false
			}
			e.resource = s.Data()[start:s.Pos()]
			return true
		case "search":
			if e.hasSearch {
				return false
			}
			e.hasSearch = true
			var seenMode bool
			return s.objectMembers(func(key []byte) bool {
				if string(key) == "mode" {
					return s.plainField(&e.mode, &seenMode)
				}
				if jsonscan.FoldsToAny(key, "mode") {
					return false
				}
				return s.value()
			})
		}
		if jsonscan.FoldsToAny(key, "fullUrl", "resource", "search") {
			return false
		}
		return s.value()
	})
}

// resourceObject consumes an entry resource object and reads its top-level
// resourceType, id and code with exactly the rules of peek (keys compared
// byte for byte, escaped keys or non-string resourceType and id make the
// peek fail, the last of repeated keys wins).
func (s *scanner) resourceObject(e *scannedEntry) bool {
	peekOK := true
	if !s.EnterObject() {
		return false
	}
	for {
		key, escaped, ok := s.NextMember()
		if !ok {
			break
		}
		value := s.Skip()
		if value == nil {
			return false
		}
		if escaped {
			peekOK = false
		} else if peekOK {
			switch string(key) {
			case "resourceType":
				if t := knownType(value); t != "" {
					e.typ = t
				} else if v, vok := plainString(value); vok {
					e.typ = v
				} else {
					peekOK = false
				}
			case "id":
				if v, vok := plainString(value); vok {
					e.id = v
				} else {
					peekOK = false
				}
			case "code":
				e.code = value
			}
		}
	}
	if s.Failed() {
		return false
	}
	e.peeked = peekOK
	if !peekOK {
		e.typ, e.id, e.code = "", "", nil
	}
	return true
}

// knownType returns the resource type a raw resourceType value names when
// it is one of the types a prefetch usually holds, without allocating (the
// switch on string(value) does not copy): a string per entry of a large
// Bundle showed in the profile. Else it returns "".
func knownType(value []byte) string {
	switch string(value) {
	case `"Observation"`:
		return "Observation"
	case `"Condition"`:
		return "Condition"
	case `"Procedure"`:
		return "Procedure"
	case `"MedicationRequest"`:
		return "MedicationRequest"
	case `"MedicationStatement"`:
		return "MedicationStatement"
	case `"MedicationAdministration"`:
		return "MedicationAdministration"
	case `"Medication"`:
		return "Medication"
	case `"DiagnosticReport"`:
		return "DiagnosticReport"
	case `"ImagingStudy"`:
		return "ImagingStudy"
	case `"CarePlan"`:
		return "CarePlan"
	case `"BodyStructure"`:
		return "BodyStructure"
	case `"Patient"`:
		return "Patient"
	case `"Encounter"`:
		return "Encounter"
	case `"Claim"`:
		return "Claim"
	case `"ExplanationOfBenefit"`:
		return "ExplanationOfBenefit"
	case `"Immunization"`:
		return "Immunization"
	case `"DocumentReference"`:
		return "DocumentReference"
	case `"Provenance"`:
		return "Provenance"
	case `"Organization"`:
		return "Organization"
	case `"Practitioner"`:
		return "Practitioner"
	}
	return ""
}
