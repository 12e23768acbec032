package jsonscan

// Scanner walks one JSON text with a cursor, for callers that read some
// members and skip the rest. Its methods stop at the first problem: then
// Failed is true, every later call fails too, and ErrorOffset tells whether
// the input was invalid JSON (and where) or the caller gave up with Fail.
//
// A Scanner is a value: keep it in a local variable and it does not
// allocate.
type Scanner struct {
	data   []byte
	pos    int
	depth  int // levels that may still be opened
	first  bool
	failed bool
	errAt  int // offset of the syntax error, -1 when none
}

// New returns a Scanner at the start of data that opens at most maxDepth
// levels of objects and arrays in all, or MaxDepth when maxDepth is not
// positive. Deeper input fails as invalid, as it does in json.Valid; a
// caller with a smaller limit treats it as a reason to give up.
func New(data []byte, maxDepth int) Scanner {
	if maxDepth <= 0 {
		maxDepth = MaxDepth
	}
	return Scanner{data: data, depth: maxDepth, errAt: -1}
}

// Pos returns the offset of the cursor.
func (s *Scanner) Pos() int { return s.pos }

// Data returns the input, so that data[start:s.Pos()] is what was consumed
// since start.
func (s *Scanner) Data() []byte { return s.data }

// Failed reports whether the scan has stopped.
func (s *Scanner) Failed() bool { return s.failed }

// ErrorOffset returns the offset of the first syntax error, or -1 when the
// scan has not failed or failed through Fail or a type mismatch.
func (s *Scanner) ErrorOffset() int { return s.errAt }

// Err returns a *SyntaxError for a syntax error, else nil.
func (s *Scanner) Err() error {
	if s.errAt < 0 {
		return nil
	}
	return &SyntaxError{Offset: s.errAt}
}

// Fail stops the scan without a syntax error, for input the caller does not
// decide itself.
func (s *Scanner) Fail() { s.failed = true }

func (s *Scanner) syntax(at int) {
	if !s.failed {
		s.failed, s.errAt = true, at
	}
}

// Peek skips whitespace and returns the next byte without consuming it, or
// 0 at the end of the input or after a failure.
func (s *Scanner) Peek() byte {
	if s.failed {
		return 0
	}
	s.pos = Space(s.data, s.pos)
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// End skips whitespace and reports whether the input ends there; anything
// else is a syntax error.
func (s *Scanner) End() bool {
	if s.failed {
		return false
	}
	if s.pos = Space(s.data, s.pos); s.pos != len(s.data) {
		s.syntax(s.pos)
		return false
	}
	return true
}

// EnterObject consumes the '{' that opens an object; NextMember then walks
// its members. Any other value is a type mismatch, which fails the scan
// without a syntax error.
func (s *Scanner) EnterObject() bool { return s.enter('{') }

// EnterArray consumes the '[' that opens an array; NextElement then walks
// its elements. Any other value fails the scan as EnterObject does.
func (s *Scanner) EnterArray() bool { return s.enter('[') }

func (s *Scanner) enter(open byte) bool {
	if s.Peek() != open {
		s.Fail()
		return false
	}
	if s.depth <= 0 {
		s.syntax(s.pos)
		return false
	}
	s.pos++
	s.depth--
	s.first = true
	return true
}

// NextMember moves to the next member of the object being walked and
// returns its key as it appears between the quotes; escaped says whether
// the key has escapes. The cursor is then at the member's value, which the
// caller must consume (Skip, EnterObject, a string read...). At the closing
// brace NextMember consumes it and returns ok false with Failed false.
func (s *Scanner) NextMember() (key []byte, escaped, ok bool) {
	if s.failed {
		return nil, false, false
	}
	key, escaped, next, more, valid := NextMember(s.data, s.pos, s.first)
	s.first = false
	if !valid {
		s.syntax(next)
		return nil, false, false
	}
	s.pos = next
	if !more {
		s.depth++
	}
	return key, escaped, more
}

// NextElement moves to the next element of the array being walked, which
// the caller must consume, as NextMember does. At the closing bracket it
// consumes it and returns false with Failed false.
func (s *Scanner) NextElement() bool {
	if s.failed {
		return false
	}
	next, more, valid := NextElement(s.data, s.pos, s.first)
	s.first = false
	if !valid {
		s.syntax(next)
		return false
	}
	s.pos = next
	if !more {
		s.depth++
	}
	return more
}

// Skip consumes one value of any kind, validating it, and returns it as it
// appears in the input.
func (s *Scanner) Skip() []byte {
	if s.failed {
		return nil
	}
	start := Space(s.data, s.pos)
	end, ok := Value(s.data, start, s.depth)
	if !ok {
		s.syntax(end)
		return nil
	}
	s.pos = end
	return s.data[start:end]
}

// ReadString consumes a string and returns its text as it appears between
// the quotes; escaped says whether it needs decoding. A value that is not
// a string, null included, fails the scan as a type mismatch.
func (s *Scanner) ReadString() (text []byte, escaped, ok bool) {
	if s.Peek() != '"' {
		s.Fail()
		return nil, false, false
	}
	end, escaped, ok := String(s.data, s.pos)
	if !ok {
		s.syntax(end)
		return nil, false, false
	}
	text = s.data[s.pos+1 : end-1]
	s.pos = end
	return text, escaped, true
}

// PlainString consumes a string without escapes, whose text is therefore
// exactly the bytes between the quotes, and returns that text. A string
// with escapes, or any other value, fails the scan without a syntax error
// (when the string itself is valid).
func (s *Scanner) PlainString() ([]byte, bool) {
	text, escaped, ok := s.ReadString()
	if ok && escaped {
		s.Fail()
		return nil, false
	}
	return text, ok
}
