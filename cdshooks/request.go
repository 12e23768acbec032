package cdshooks

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"ombc-cds/internal/jsonscan"
)

// decodeRequestFast fills req from a request body without decoding it
// twice. json.Unmarshal validated the whole body, then decoded it again and
// copied every prefetch value, typically Bundles making up nearly all of the
// body, into a new json.RawMessage. Here jsonscan validates the body once
// and splits the top-level object; the prefetch values stay slices of data,
// so the body buffer belongs to req from then on and must not be reused.
// Only the small members (hook, hookInstance, fhirServer, fhirAuthorization,
// context, extension) are decoded, each with encoding/json.
//
// It answers only when the meaning is plain: anything that takes more than a
// glance under encoding/json's rules (invalid JSON, a top-level key with
// escapes or non-ASCII bytes or in another letter case than a field's name,
// a field given twice, a prefetch key with escapes or invalid UTF-8, a
// member of the wrong type) makes it return false, and the caller decodes
// data with json.Unmarshal into a zero Request, which gives today's
// semantics and error messages. req may then hold a partial result.
func decodeRequestFast(data []byte, req *Request) bool {
	s := jsonscan.New(data, 0) // encoding/json's own depth limit
	if !s.EnterObject() {
		return false
	}
	const (
		seenHook = 1 << iota
		seenHookInstance
		seenFHIRServer
		seenAuthorization
		seenContext
		seenPrefetch
		seenExtension
	)
	seen := 0
	once := func(bit int) bool {
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	}
	for {
		key, _, more := s.NextMember()
		if !more {
			break
		}
		if !jsonscan.PlainASCII(key) {
			return false
		}
		ok := true
		switch string(key) {
		case "hook":
			ok = once(seenHook) && decodeString(s.Skip(), &req.Hook)
		case "hookInstance":
			ok = once(seenHookInstance) && decodeString(s.Skip(), &req.HookInstance)
		case "fhirServer":
			ok = once(seenFHIRServer) && decodeString(s.Skip(), &req.FHIRServer)
		case "fhirAuthorization":
			ok = once(seenAuthorization) && decodeMember(s.Skip(), &req.FHIRAuthorization)
		case "context":
			ok = once(seenContext) && decodeMember(s.Skip(), &req.Context)
		case "prefetch":
			ok = once(seenPrefetch) && splitPrefetch(&s, req)
		case "extension":
			ok = once(seenExtension) && decodeMember(s.Skip(), &req.Extension)
		default:
			if jsonscan.FoldsToAny(key, "hook", "hookInstance", "fhirServer", "fhirAuthorization", "context", "prefetch", "extension") {
				return false
			}
			ok = s.Skip() != nil
		}
		if !ok {
			return false
		}
	}
	return s.End()
}

// decodeString decodes a string member. A string without escapes whose
// bytes are valid UTF-8 decodes to exactly those bytes, which saves the
// reflection of json.Unmarshal on the members every request carries.
func decodeString(raw []byte, dst *string) bool {
	if len(raw) >= 2 && raw[0] == '"' {
		text := raw[1 : len(raw)-1]
		if bytes.IndexByte(text, '\\') < 0 && utf8.Valid(text) {
			*dst = string(text)
			return true
		}
	}
	return decodeMember(raw, dst)
}

// decodeMember decodes one validated member value with encoding/json; a nil
// raw is a member that did not scan.
func decodeMember(raw []byte, v any) bool {
	return raw != nil && json.Unmarshal(raw, v) == nil
}

// splitPrefetch reads the prefetch member: null leaves req.Prefetch nil, as
// encoding/json does, and an object becomes a map from each key to its
// value as it appears in the body (json.RawMessage receives exactly those
// bytes from encoding/json too, null included). A repeated key keeps its
// last value, as in encoding/json.
func splitPrefetch(s *jsonscan.Scanner, req *Request) bool {
	if s.Peek() == 'n' {
		return s.Skip() != nil // a value starting with n is null
	}
	if !s.EnterObject() {
		return false
	}
	m := make(map[string]json.RawMessage, 8)
	for {
		key, escaped, more := s.NextMember()
		if !more {
			break
		}
		// encoding/json decodes a map key as a string: escapes are decoded
		// and invalid UTF-8 replaced, so only a plain valid key is taken as
		// it is.
		if escaped || !utf8.Valid(key) {
			return false
		}
		v := s.Skip()
		if v == nil {
			return false
		}
		m[string(key)] = v
	}
	if s.Failed() {
		return false
	}
	req.Prefetch = m
	return true
}
