package fhirmap

// peek reads the top-level resourceType, id and the raw "code" value of one
// resource without decoding it. It runs on bytes that encoding/json has
// already validated as part of the enclosing Bundle, so a one-pass scan of
// strings and nesting is enough; it exists because a full decode of every
// entry of a 1 MB Synthea bundle (mostly Claims, Encounters and vital signs)
// costs more than the whole mapping budget. Any surprise yields ok false and
// the caller falls back to encoding/json.
func peek(raw []byte) (typ, id string, code []byte, ok bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return "", "", nil, false
	}
	i++
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return "", "", nil, false
		}
		if raw[i] == '}' {
			return typ, id, code, true
		}
		if raw[i] == ',' {
			i++
			continue
		}
		if raw[i] != '"' {
			return "", "", nil, false
		}
		keyEnd, escaped := stringEnd(raw, i)
		if keyEnd < 0 {
			return "", "", nil, false
		}
		key := raw[i+1 : keyEnd]
		i = skipSpace(raw, keyEnd+1)
		if i >= len(raw) || raw[i] != ':' {
			return "", "", nil, false
		}
		i = skipSpace(raw, i+1)
		end := valueEnd(raw, i)
		if end < 0 {
			return "", "", nil, false
		}
		value := raw[i:end]
		if !escaped {
			switch string(key) {
			case "resourceType", "id":
				s, sok := plainString(value)
				if !sok {
					return "", "", nil, false
				}
				if string(key) == "id" {
					id = s
				} else {
					typ = s
				}
			case "code":
				code = value
			}
		} else {
			return "", "", nil, false // escaped keys: let encoding/json decide
		}
		i = end
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// stringEnd returns the index of the closing quote of the string starting
// at b[i] == '"', and whether it contains escapes.
func stringEnd(b []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j, escaped
		}
	}
	return -1, escaped
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		e, _ := stringEnd(b, i)
		if e < 0 {
			return -1
		}
		return e + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, _ := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// plainString returns the content of a JSON string without escapes.
func plainString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	for _, c := range v[1 : len(v)-1] {
		if c == '\\' {
			return "", false
		}
	}
	return string(v[1 : len(v)-1]), true
}
