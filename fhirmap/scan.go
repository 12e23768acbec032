package fhirmap

import "unicode/utf8"

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

// maxScanDepth bounds the recursion of the scanner; deeper values are left
// to encoding/json (whose own limit is 10000).
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
	s := scanner{b: raw}
	s.space()
	if !s.topObject(&h) {
		return scannedHead{}, false
	}
	s.space()
	if s.i != len(s.b) {
		return scannedHead{}, false
	}
	return h, true
}

// scanner is a strict recursive-descent JSON reader over b.
type scanner struct {
	b     []byte
	i     int
	depth int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// member reads `"key" :` and returns the key, or ok false when the key has
// escapes or non-ASCII bytes (encoding/json matches keys case-insensitively
// with Unicode folding, so such a key is left to it).
func (s *scanner) member() (key []byte, ok bool) {
	start := s.i
	end, plain, valid := s.str()
	if !valid || !plain {
		return nil, false
	}
	key = s.b[start+1 : end-1]
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return nil, false
		}
	}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return nil, false
	}
	s.i++
	s.space()
	return key, true
}

// objectMembers iterates the members of the object at s.i, calling fn after
// each key with s.i at the start of its value; fn must consume the value.
func (s *scanner) objectMembers(fn func(key []byte) bool) bool {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return false
	}
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return false
		}
		key, ok := s.member()
		if !ok || !fn(key) {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// foldsTo reports whether key would match name in encoding/json without
// being spelt exactly like it (keys are ASCII here, see member).
func foldsTo(key []byte, name string) bool {
	if len(key) != len(name) || string(key) == name {
		return false
	}
	for i := range key {
		a, b := key[i]|0x20, name[i]|0x20
		if a != b {
			return false
		}
	}
	return true
}

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
		if foldsTo(key, "resourceType") || foldsTo(key, "id") || foldsTo(key, "entry") {
			return false
		}
		return s.value()
	})
}

func (s *scanner) entries(h *scannedHead) bool {
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return false
	}
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for {
		var e scannedEntry
		if !s.entry(&e) {
			return false
		}
		h.entries = append(h.entries, e)
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.space()
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
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
			start := s.i
			if s.i < len(s.b) && s.b[s.i] == '{' {
				if !s.resourceObject(e) {
					return false
				}
			} else if !s.value() {
				return false
			}
			e.resource = s.b[start:s.i]
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
				if foldsTo(key, "mode") {
					return false
				}
				return s.value()
			})
		}
		if foldsTo(key, "fullUrl") || foldsTo(key, "resource") || foldsTo(key, "search") {
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
	s.i++ // '{'
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		e.peeked = true
		return true
	}
	for {
		keyStart := s.i
		keyEnd, plain, ok := s.str()
		if !ok {
			return false
		}
		key := s.b[keyStart+1 : keyEnd-1]
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		valStart := s.i
		if !s.value() {
			return false
		}
		value := s.b[valStart:s.i]
		if !plain {
			peekOK = false
		} else if peekOK {
			switch string(key) {
			case "resourceType", "id":
				v, vok := plainString(value)
				if !vok {
					peekOK = false
				} else if string(key) == "id" {
					e.id = v
				} else {
					e.typ = v
				}
			case "code":
				e.code = value
			}
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			e.peeked = peekOK
			if !peekOK {
				e.typ, e.id, e.code = "", "", nil
			}
			return true
		default:
			return false
		}
	}
}

// plainString reads a string without escapes whose bytes are valid UTF-8,
// so that string(bytes) is exactly what encoding/json would decode.
func (s *scanner) plainString() (string, bool) {
	start := s.i
	end, plain, ok := s.str()
	if !ok || !plain {
		return "", false
	}
	v := s.b[start+1 : end-1]
	if !utf8.Valid(v) {
		return "", false
	}
	return string(v), true
}

// str consumes the string at s.i and returns the index past its closing
// quote, whether it has no escapes, and whether it is valid JSON.
func (s *scanner) str() (end int, plain, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return 0, false, false
	}
	plain = true
	for j := s.i + 1; j < len(s.b); j++ {
		c := s.b[j]
		switch {
		case c == '"':
			s.i = j + 1
			return s.i, plain, true
		case c < 0x20:
			return 0, false, false
		case c == '\\':
			plain = false
			j++
			if j >= len(s.b) {
				return 0, false, false
			}
			switch s.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(s.b) {
					return 0, false, false
				}
				for k := j + 1; k <= j+4; k++ {
					if !isHex(s.b[k]) {
						return 0, false, false
					}
				}
				j += 4
			default:
				return 0, false, false
			}
		}
	}
	return 0, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// value consumes any JSON value at s.i, validating it.
func (s *scanner) value() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == '{':
		if s.depth++; s.depth > maxScanDepth {
			return false
		}
		ok := s.object()
		s.depth--
		return ok
	case c == '[':
		if s.depth++; s.depth > maxScanDepth {
			return false
		}
		ok := s.array()
		s.depth--
		return ok
	case c == '-' || isDigit(c):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return false
}

// object consumes an object whose members are not read; unlike member it
// accepts any valid key.
func (s *scanner) object() bool {
	s.i++ // '{'
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	for {
		if _, _, ok := s.str(); !ok {
			return false
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		if !s.value() {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (s *scanner) array() bool {
	s.i++ // '['
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for {
		if !s.value() {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.space()
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	s.i = i
	return true
}
