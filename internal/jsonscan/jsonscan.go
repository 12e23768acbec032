// Package jsonscan is a small validating JSON scanner over a byte slice, for
// the hot paths that read a few members of large JSON values: the CDS Hooks
// request, the prefetch classification and the FHIR mapping. It walks the
// input once, without allocating and without decoding, and hands back
// sub-slices of the input: object keys as they appear, raw member and
// element values, the text of plain strings.
//
// It accepts exactly what json.Valid accepts (RFC 8259 as encoding/json
// checks it: strings are not checked for valid UTF-8, nesting is limited to
// 10000 levels) and reports the offset of the first byte that is wrong. It
// decides nothing about meaning: escaped keys, case-folded key matching,
// repeated keys and the like are for the caller, who typically hands such
// input back to encoding/json.
package jsonscan

import "strconv"

// MaxDepth is the nesting limit of encoding/json, which json.Valid enforces;
// Valid and a Scanner made with a non-positive limit use it.
const MaxDepth = 10000

// SyntaxError is the first error found in the input. Offset is the offset
// of the offending byte, or len(input) when the input ends too early.
type SyntaxError struct {
	Offset int
}

func (e *SyntaxError) Error() string {
	return "jsonscan: invalid JSON at byte offset " + strconv.Itoa(e.Offset)
}

// Valid reports whether data is one JSON value, surrounded by optional
// whitespace, exactly as json.Valid does.
func Valid(data []byte) bool {
	_, ok := Check(data)
	return ok
}

// Check is Valid that also returns the offset of the first error: the
// offending byte, or len(data) when data ends too early. It is the byte
// encoding/json's SyntaxError.Offset counts up to and including.
func Check(data []byte) (offset int, ok bool) {
	i := Space(data, 0)
	i, ok = Value(data, i, MaxDepth)
	if !ok {
		return i, false
	}
	if i = Space(data, i); i != len(data) {
		return i, false
	}
	return 0, true
}

// isSpace marks the JSON whitespace bytes (RFC 8259 §2: space, tab, LF and
// CR only); strPlain the bytes a string holds without further checks (not a
// quote, a backslash or a control character). Pretty-printed FHIR is mostly
// indentation and long strings, so these two loops are the hot ones and run
// on tables.
var isSpace, strPlain = func() (sp, plain [256]bool) {
	for _, c := range []byte(" \t\n\r") {
		sp[c] = true
	}
	for c := 0x20; c < 256; c++ {
		plain[c] = c != '"' && c != '\\'
	}
	return sp, plain
}()

// Space returns the offset of the first byte at or after i that is not
// whitespace, or len(data).
func Space(data []byte, i int) int {
	for i < len(data) && isSpace[data[i]] {
		i++
	}
	return i
}

// String reads the string whose opening quote is data[i]. end is the offset
// past the closing quote; escaped reports a backslash escape in it, that is,
// whether its text needs decoding. It validates as encoding/json does: no
// control characters and only the escapes of RFC 8259 §7, while bytes of
// 0x80 and above pass unchecked. On failure end is the offset of the error.
func String(data []byte, i int) (end int, escaped, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return i, false, false
	}
	for i++; ; {
		for i < len(data) && strPlain[data[i]] {
			i++
		}
		if i >= len(data) {
			return len(data), false, false
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, escaped, true
		case c == '\\':
			escaped = true
			i++
			if i >= len(data) {
				return i, false, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for range 4 {
					if i >= len(data) || !isHex(data[i]) {
						return i, false, false
					}
					i++
				}
			default:
				return i, false, false
			}
		default: // a control character
			return i, false, false
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Value skips the value that starts at data[i] (no whitespace before it),
// validating it, and returns the offset past it. depth is how many levels
// of objects and arrays it may open: 1 allows [] but not [[]]. On failure
// end is the offset of the error (for too deep a value, of the bracket
// that opens one level too many, as encoding/json reports it).
func Value(data []byte, i, depth int) (end int, ok bool) {
	if i >= len(data) {
		return i, false
	}
	switch c := data[i]; {
	case c == '"':
		end, _, ok = String(data, i)
		return end, ok
	case c == '{':
		if depth <= 0 {
			return i, false
		}
		for more, first := true, true; ; first = false {
			if _, _, i, more, ok = NextMember(data, i+btoi(first), first); !ok || !more {
				return i, ok
			}
			if i, ok = Value(data, i, depth-1); !ok {
				return i, false
			}
		}
	case c == '[':
		if depth <= 0 {
			return i, false
		}
		for more, first := true, true; ; first = false {
			if i, more, ok = NextElement(data, i+btoi(first), first); !ok || !more {
				return i, ok
			}
			if i, ok = Value(data, i, depth-1); !ok {
				return i, false
			}
		}
	case c == 't':
		return literal(data, i, "true")
	case c == 'f':
		return literal(data, i, "false")
	case c == 'n':
		return literal(data, i, "null")
	}
	return number(data, i)
}

// btoi is 1 for true: the first step of an object or array starts past its
// opening bracket.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func literal(data []byte, i int, word string) (int, bool) {
	for k := range len(word) {
		if i+k >= len(data) || data[i+k] != word[k] {
			return i + k, false
		}
	}
	return i + len(word), true
}

// number reads a number in the grammar of RFC 8259 §6; what follows it is
// checked by the caller, which expects a delimiter.
func number(d []byte, i int) (int, bool) {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return i, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return i, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i, true
}

// NextMember steps through an object. i is the offset just past its opening
// brace when first is true, else just past the previous member's value.
// When there is another member, more is true, key is its name as it
// appears between the quotes (escaped says whether it needs decoding) and
// next is the offset of its value, after the colon and any whitespace. At
// the closing brace more is false and next is past it. On a syntax error ok
// is false and next is the offset of the error.
func NextMember(data []byte, i int, first bool) (key []byte, escaped bool, next int, more, ok bool) {
	i = Space(data, i)
	if i >= len(data) {
		return nil, false, i, false, false
	}
	switch c := data[i]; {
	case c == '}':
		return nil, false, i + 1, false, true
	case !first:
		if c != ',' {
			return nil, false, i, false, false
		}
		i = Space(data, i+1)
	}
	end, escaped, ok := String(data, i)
	if !ok {
		return nil, false, end, false, false
	}
	key = data[i+1 : end-1]
	i = Space(data, end)
	if i >= len(data) || data[i] != ':' {
		return nil, false, i, false, false
	}
	return key, escaped, Space(data, i+1), true, true
}

// NextElement steps through an array, as NextMember does through an
// object: next is the offset of the next element, or past the closing
// bracket when more is false, or of the error when ok is false.
func NextElement(data []byte, i int, first bool) (next int, more, ok bool) {
	i = Space(data, i)
	if i >= len(data) {
		return i, false, false
	}
	switch c := data[i]; {
	case c == ']':
		return i + 1, false, true
	case !first:
		if c != ',' {
			return i, false, false
		}
		i = Space(data, i+1)
	}
	return i, true, true
}

// PlainASCII reports whether b has no backslash and no byte of 0x80 or
// above. encoding/json matches member names case-insensitively with Unicode
// folding ("ſ" matches "s", the Kelvin sign "k"); for a key that is
// PlainASCII that matching is plain ASCII case folding, so EqualFoldASCII
// decides it.
func PlainASCII(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// EqualFoldASCII reports whether key equals name ignoring ASCII letter case.
func EqualFoldASCII(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// FoldsToAny reports whether encoding/json could match the PlainASCII key
// to one of names although it is not spelt exactly like it.
func FoldsToAny(key []byte, names ...string) bool {
	for _, name := range names {
		if string(key) != name && EqualFoldASCII(key, name) {
			return true
		}
	}
	return false
}
