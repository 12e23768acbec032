package fhirsearch

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"

	"ombc-cds/internal/jsonscan"
)

// This file produces what decodeObject, rewriteReferences and
// marshalCompact together produce, straight from the validated source
// bytes: members sorted by name at every level (encoding/json's order for
// maps), the last of repeated members kept, numbers as written, strings
// re-escaped as encoding/json escapes them without HTML escaping, and
// every Reference.reference that resolve knows replaced. Decoding every
// matched resource into maps was most of the cost of a prefetch.

// member is one object member: its decoded name and its value as written.
type member struct {
	name  string
	value []byte
}

// encoder re-encodes resources, keeping its buffers between calls.
type encoder struct {
	resolve func(string) (string, bool)
	out     []byte
	str     bytes.Buffer // encoding/json's escaping of a string, see appendString
	strEnc  *json.Encoder
}

// encodeResource appends the stored form of the resource src to e.out,
// giving it id when it has no non-empty string id. ok is false when src
// holds a member name that is not plain printable ASCII: such names need
// encoding/json's decoding, which the caller then does.
func (e *encoder) encodeResource(src []byte, id string) bool {
	return e.object(src, id)
}

// object encodes the object src; at the top level (id != "") it supplies
// the id.
func (e *encoder) object(src []byte, id string) bool {
	var members []member
	s := jsonscan.New(src, 0)
	s.EnterObject()
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		if escaped || !printableASCII(key) {
			return false
		}
		members = append(members, member{name: string(key), value: s.Skip()})
	}
	if s.Failed() {
		return false
	}
	// Sort stably so that, among repeated names, the last written stays
	// last and wins, as it does when decoding into a map.
	slices.SortStableFunc(members, func(a, b member) int { return cmp.Compare(a.name, b.name) })
	if id != "" {
		i, found := slices.BinarySearchFunc(members, "id", func(m member, name string) int { return cmp.Compare(m.name, name) })
		for found && i+1 < len(members) && members[i+1].name == "id" {
			i++
		}
		quoted := []byte(`"` + id + `"`)
		switch {
		case !found:
			members = slices.Insert(members, i, member{name: "id", value: quoted})
		case !isNonEmptyString(members[i].value):
			members[i].value = quoted
		}
	}
	e.out = append(e.out, '{')
	first := true
	for i, m := range members {
		if i+1 < len(members) && members[i+1].name == m.name {
			continue // a later member of the same name wins
		}
		if !first {
			e.out = append(e.out, ',')
		}
		first = false
		e.out = append(e.out, '"')
		e.out = append(e.out, m.name...)
		e.out = append(e.out, '"', ':')
		if m.name == "reference" && m.value[0] == '"' {
			if ok := e.reference(m.value); !ok {
				return false
			}
			continue
		}
		if !e.value(m.value) {
			return false
		}
	}
	e.out = append(e.out, '}')
	return true
}

// reference encodes a Reference.reference string, rewritten when resolve
// knows it.
func (e *encoder) reference(v []byte) bool {
	var ref string
	if text := v[1 : len(v)-1]; bytes.IndexByte(text, '\\') < 0 {
		ref = string(text)
	} else if err := json.Unmarshal(v, &ref); err != nil {
		return false
	}
	if key, ok := e.resolve(ref); ok {
		// A key is "Type/id" of a type name and an id, which need no
		// escaping.
		e.out = append(e.out, '"')
		e.out = append(e.out, key...)
		e.out = append(e.out, '"')
		return true
	}
	return e.value(v)
}

// value encodes any value.
func (e *encoder) value(v []byte) bool {
	switch v[0] {
	case '{':
		return e.object(v, "")
	case '[':
		e.out = append(e.out, '[')
		s := jsonscan.New(v, 0)
		s.EnterArray()
		for first := true; s.NextElement(); first = false {
			if !first {
				e.out = append(e.out, ',')
			}
			if !e.value(s.Skip()) {
				return false
			}
		}
		e.out = append(e.out, ']')
		return !s.Failed()
	case '"':
		if printableASCII(v[1 : len(v)-1]) {
			e.out = append(e.out, v...)
			return true
		}
		return e.escapedString(v)
	}
	// Numbers are kept as written (json.Number), and true, false and null
	// have one spelling.
	e.out = append(e.out, v...)
	return true
}

// escapedString decodes and re-encodes a string that has escapes or bytes
// outside printable ASCII, with encoding/json itself, so that invalid UTF-8,
// control characters, U+2028 and U+2029 come out exactly as marshalCompact
// writes them.
func (e *encoder) escapedString(v []byte) bool {
	var text string
	if err := json.Unmarshal(v, &text); err != nil {
		return false
	}
	if e.strEnc == nil {
		e.strEnc = json.NewEncoder(&e.str)
		e.strEnc.SetEscapeHTML(false)
	}
	e.str.Reset()
	if err := e.strEnc.Encode(text); err != nil {
		return false
	}
	e.out = append(e.out, bytes.TrimRight(e.str.Bytes(), "\n")...)
	return true
}

// printableASCII reports whether b is bytes 0x20 to 0x7e without a quote or
// backslash: text that encoding/json writes unchanged.
func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// isNonEmptyString reports whether the JSON value v is a string that
// decodes to a non-empty text.
func isNonEmptyString(v []byte) bool {
	return len(v) > 2 && v[0] == '"'
}
