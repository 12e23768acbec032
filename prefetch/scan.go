package prefetch

import "ombc-cds/internal/jsonscan"

// This file holds the fast path of classify. Decoding a complete prefetch
// value with encoding/json (json.Valid, then Unmarshal with reflection and a
// second validating scan) cost about as much as the rest of the hook, while
// P-1 needs only a handful of members: the top-level resourceType, the first
// next link and, per Bundle entry, search.mode, resource.resourceType and
// the severities of an OperationOutcome. The scanner below reads the value
// once, validates it and skips everything else by counting brackets and
// strings, without allocating; the JSON grammar itself is jsonscan's.
//
// The fast path answers only for the shapes FHIR servers send. Anything
// whose encoding/json meaning takes more than a glance (a key written with
// escapes, in another letter case or twice, null or a wrong type in a member
// that is read, a next link, deep nesting, invalid JSON) makes it give up,
// and classify asks encoding/json instead, so the semantics stay exactly
// those of classifyDecode. FuzzClassify checks that the two never disagree.

// maxScanDepth bounds the nesting the scanner follows. Deeper values go to
// encoding/json, whose own limit (10000) then decides validity; FHIR
// resources nest a few dozen levels at most.
const maxScanDepth = 1000

// scanner walks one JSON value in data. A false result from any method, or
// bad, means "leave this value to encoding/json": either the input is not
// valid JSON or the scanner does not decide it.
type scanner struct {
	data  []byte
	pos   int
	depth int
	bad   bool
}

// facts are the P-1 facts of one prefetch value, as classify reads them.
type facts struct {
	resourceType []byte // top-level resourceType, nil when absent
	next         bool   // the first "next" link has a URL
	entries      int    // Bundle entries
	outcomes     int    // entries that are OperationOutcomes or search.mode outcome
	failed       bool   // an OperationOutcome entry with an error or fatal issue
}

// classifyFast applies the P-1 states to a present, trimmed, non-null value
// that starts with '{'. ok is false when encoding/json must decide.
func classifyFast(k kind, raw []byte) (d decision, ok bool) {
	s := scanner{data: raw}
	f, ok := s.document()
	if !ok {
		return decision{}, false
	}
	// string(f.resourceType) in a comparison does not allocate.
	switch {
	case string(f.resourceType) == "OperationOutcome":
		return decision{act: actFetch}, true
	case k.read:
		if string(f.resourceType) == k.typ {
			return decision{act: actUse, value: raw}, true
		}
		return decision{act: actFetch}, true
	case string(f.resourceType) != "Bundle":
		return decision{act: actFetch}, true
	case f.failed || (f.outcomes > 0 && f.outcomes == f.entries):
		return decision{act: actFetch}, true
	case f.next:
		// The entries must be kept for the remaining pages; that path is
		// rare and followed by network requests, so encoding/json builds
		// them.
		return decision{}, false
	}
	return decision{act: actUse, value: raw}, true
}

// document reads the whole value: one object and nothing after it.
func (s *scanner) document() (facts, bool) {
	var f facts
	if !s.openObject() {
		return f, false
	}
	const (
		seenType = 1 << iota
		seenLink
		seenEntry
	)
	seen := 0
	for first := true; ; first = false {
		key, ok := s.nextKey(first)
		if !ok {
			break
		}
		switch string(key) {
		case "resourceType":
			if seen&seenType != 0 {
				return f, false
			}
			seen |= seenType
			v, ok := s.plainString()
			if !ok {
				return f, false
			}
			f.resourceType = v
		case "link":
			if seen&seenLink != 0 {
				return f, false
			}
			seen |= seenLink
			f.next = s.links()
		case "entry":
			if seen&seenEntry != 0 {
				return f, false
			}
			seen |= seenEntry
			s.entries(&f)
		default:
			s.other(key, "resourceType", "link", "entry")
		}
		if s.bad {
			return f, false
		}
	}
	if s.bad {
		return f, false
	}
	s.space()
	return f, s.pos == len(s.data)
}

// links reads Bundle.link (or any top-level link array) and reports whether
// the first link with relation "next" has a URL, as nextLink decides.
func (s *scanner) links() (next bool) {
	if !s.openArray() {
		return false
	}
	found := false
	for first := true; s.nextElem(first); first = false {
		relation, url, ok := s.link()
		if !ok {
			return false
		}
		if !found && string(relation) == "next" {
			found, next = true, url
		}
	}
	return next
}

// link reads one link object: its relation and whether its url is non-empty
// (a decoded JSON string is empty exactly when its source text is).
func (s *scanner) link() (relation []byte, url, ok bool) {
	if !s.openObject() {
		return nil, false, false
	}
	seen := 0
	for first := true; ; first = false {
		key, ok := s.nextKey(first)
		if !ok {
			break
		}
		switch string(key) {
		case "relation":
			if seen&1 != 0 {
				return nil, false, false
			}
			seen |= 1
			relation, ok = s.plainString()
		case "url":
			if seen&2 != 0 {
				return nil, false, false
			}
			seen |= 2
			var v []byte
			v, ok = s.anyString()
			url = len(v) > 0
		default:
			s.other(key, "relation", "url")
			ok = !s.bad
		}
		if !ok {
			s.bad = true
			return nil, false, false
		}
	}
	return relation, url, !s.bad
}

// entries reads Bundle.entry, counting entries and outcomes.
func (s *scanner) entries(f *facts) {
	if !s.openArray() {
		return
	}
	for first := true; s.nextElem(first); first = false {
		outcome, failed := s.entry()
		if s.bad {
			return
		}
		f.entries++
		if outcome {
			f.outcomes++
		}
		f.failed = f.failed || failed
	}
}

// entry reads one Bundle entry with the members parseEntries decodes, so a
// member of the wrong type sends the value to encoding/json, which reports
// the malformed entry.
func (s *scanner) entry() (outcome, failed bool) {
	if !s.openObject() {
		return false, false
	}
	var mode, typ []byte
	severe := false
	seen := 0
	for first := true; ; first = false {
		key, ok := s.nextKey(first)
		if !ok {
			break
		}
		switch string(key) {
		case "fullUrl":
			if seen&1 != 0 {
				s.bad = true
			}
			seen |= 1
			s.anyString()
		case "search":
			if seen&2 != 0 {
				s.bad = true
			}
			seen |= 2
			mode = s.search()
		case "resource":
			if seen&4 != 0 {
				s.bad = true
			}
			seen |= 4
			typ, severe = s.resource()
		default:
			s.other(key, "fullUrl", "search", "resource")
		}
		if s.bad {
			return false, false
		}
	}
	outcome = string(typ) == "OperationOutcome" || string(mode) == "outcome"
	failed = string(typ) == "OperationOutcome" && severe
	return outcome, failed
}

// search reads entry.search and returns its mode.
func (s *scanner) search() (mode []byte) {
	if !s.openObject() {
		return nil
	}
	seen := false
	for first := true; ; first = false {
		key, ok := s.nextKey(first)
		if !ok {
			break
		}
		if string(key) == "mode" {
			if seen {
				s.bad = true
				return nil
			}
			seen = true
			if mode, ok = s.plainString(); !ok {
				return nil
			}
			continue
		}
		if s.other(key, "mode"); s.bad {
			return nil
		}
	}
	return mode
}

// resource reads entry.resource: its resourceType and whether an issue has
// severity error or fatal. id and medicationReference.reference are only
// checked to be strings, as parseEntries would decode them.
func (s *scanner) resource() (typ []byte, severe bool) {
	if !s.openObject() {
		return nil, false
	}
	seen := 0
	for first := true; ; first = false {
		key, ok := s.nextKey(first)
		if !ok {
			break
		}
		switch string(key) {
		case "resourceType":
			if seen&1 != 0 {
				s.bad = true
			}
			seen |= 1
			typ, _ = s.plainString()
		case "id":
			if seen&2 != 0 {
				s.bad = true
			}
			seen |= 2
			s.anyString()
		case "medicationReference":
			if seen&4 != 0 {
				s.bad = true
			}
			seen |= 4
			s.reference()
		case "issue":
			if seen&8 != 0 {
				s.bad = true
			}
			seen |= 8
			severe = s.issues()
		default:
			s.other(key, "resourceType", "id", "medicationReference", "issue")
		}
		if s.bad {
			return nil, false
		}
	}
	return typ, severe
}

// reference reads a Reference, checking that its reference is a string.
func (s *scanner) reference() {
	if !s.openObject() {
		return
	}
	seen := false
	for first := true; ; first = false {
		key, ok := s.nextKey(first)
		if !ok {
			return
		}
		if string(key) == "reference" {
			if seen {
				s.bad = true
				return
			}
			seen = true
			s.anyString()
		} else {
			s.other(key, "reference")
		}
		if s.bad {
			return
		}
	}
}

// issues reads OperationOutcome.issue and reports an error or fatal one.
func (s *scanner) issues() (severe bool) {
	if !s.openArray() {
		return false
	}
	for first := true; s.nextElem(first); first = false {
		if !s.openObject() {
			return false
		}
		seen := false
		for firstKey := true; ; firstKey = false {
			key, ok := s.nextKey(firstKey)
			if !ok {
				break
			}
			if string(key) == "severity" {
				if seen {
					s.bad = true
					return false
				}
				seen = true
				v, ok := s.plainString()
				if !ok {
					return false
				}
				severe = severe || string(v) == "error" || string(v) == "fatal"
			} else if s.other(key, "severity"); s.bad {
				return false
			}
		}
		if s.bad {
			return false
		}
	}
	return severe
}

// other skips the value of a member that is not read. encoding/json matches
// member names case-insensitively (with Unicode folding), so a key that is
// not plain ASCII, or that folds to a name that is read, is left to it.
func (s *scanner) other(key []byte, names ...string) {
	if !jsonscan.PlainASCII(key) {
		s.bad = true
		return
	}
	for _, name := range names {
		if jsonscan.EqualFoldASCII(key, name) {
			s.bad = true
			return
		}
	}
	s.skip()
}

// The methods below adapt jsonscan's position-based reader to the scanner's
// cursor, its bad flag and its depth, which counts the objects and arrays
// open on the way to pos.

// space skips JSON whitespace.
func (s *scanner) space() { s.pos = jsonscan.Space(s.data, s.pos) }

// openObject consumes '{'; any other value sets bad.
func (s *scanner) openObject() bool { return s.open('{') }

// openArray consumes '['; any other value sets bad.
func (s *scanner) openArray() bool { return s.open('[') }

func (s *scanner) open(c byte) bool {
	if s.bad || s.pos >= len(s.data) || s.data[s.pos] != c || s.depth >= maxScanDepth {
		s.bad = true
		return false
	}
	s.pos++
	s.depth++
	return true
}

// nextKey reads the next member name of an open object and the colon after
// it, leaving pos at the value. At the closing brace it consumes it and
// returns false; on bad input it sets bad and returns false.
func (s *scanner) nextKey(first bool) ([]byte, bool) {
	if s.bad {
		return nil, false
	}
	key, _, next, more, ok := jsonscan.NextMember(s.data, s.pos, first)
	s.pos = next
	switch {
	case !ok:
		s.bad = true
	case !more:
		s.depth--
	}
	return key, more && ok
}

// nextElem moves to the next element of an open array. At the closing
// bracket it consumes it and returns false; on bad input it sets bad and
// returns false.
func (s *scanner) nextElem(first bool) bool {
	if s.bad {
		return false
	}
	next, more, ok := jsonscan.NextElement(s.data, s.pos, first)
	s.pos = next
	switch {
	case !ok:
		s.bad = true
	case !more:
		s.depth--
	}
	return more && ok
}

// plainString reads a string whose text needs no decoding (no escapes, ASCII
// only) and returns that text; anything else, null included, sets bad.
func (s *scanner) plainString() ([]byte, bool) {
	v, ok := s.str()
	if !ok {
		return nil, false
	}
	if !jsonscan.PlainASCII(v) {
		s.bad = true
		return nil, false
	}
	return v, true
}

// anyString reads a string and returns its undecoded text; a value that is
// not a string, null included, sets bad.
func (s *scanner) anyString() ([]byte, bool) {
	return s.str()
}

// str reads a string at pos and returns the text between the quotes,
// validated as encoding/json does.
func (s *scanner) str() ([]byte, bool) {
	if s.bad {
		return nil, false
	}
	end, _, ok := jsonscan.String(s.data, s.pos)
	if !ok {
		s.bad = true
		return nil, false
	}
	v := s.data[s.pos+1 : end-1]
	s.pos = end
	return v, true
}

// skip validates and skips one value of any kind.
func (s *scanner) skip() {
	if s.bad {
		return
	}
	end, ok := jsonscan.Value(s.data, s.pos, maxScanDepth-s.depth)
	if !ok {
		s.bad = true
		return
	}
	s.pos = end
}
