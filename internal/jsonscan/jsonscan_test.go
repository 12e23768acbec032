package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// validityCases are small inputs of every kind, valid and not.
var validityCases = []string{
	`0`, `-0`, `1.5`, `-1e10`, `1E+2`, `0.0e-0`, `"x"`, `""`, `"\u12aB"`, `"\"\\\/\b\f\n\r\t"`, `true`, `false`, `null`,
	`[]`, `[ ]`, `{}`, `{ }`, `[1,[2,{"a":[]}]]`, " \t\n\r{\"a\" : 1 } ", "\"\xff\xfe\"", `{"a":{"b":[null,true]},"c":"d"}`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `tru`, `trux`, `nulll`, `"`, `"\u12g4"`, `"\u12"`, `"\q"`, "\"\x01\"", `"\`,
	`[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{,}`, `{"a":1,}`, `{1:2}`, `[1 2]`, `}`, `]`, ``, `  `,
	`{"a":1}}`, `[[]`, "\v1", `{"a":1 "b":2}`, `{"a" 1}`, `[1,2`, `{"a":1,`, `-a`, `1.e1`, `1e+a`,
	strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
	strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
	strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1),
}

// TestValid checks Valid and the error offset of Check against encoding/json.
func TestValid(t *testing.T) {
	for _, v := range validityCases {
		checkAgainstJSON(t, []byte(v))
	}
}

// checkAgainstJSON fails unless Valid agrees with json.Valid and Check
// reports the byte encoding/json's SyntaxError points at.
func checkAgainstJSON(t *testing.T, data []byte) {
	t.Helper()
	name := string(data)
	if len(name) > 40 {
		name = name[:40] + "..."
	}
	want := json.Valid(data)
	if got := Valid(data); got != want {
		t.Fatalf("Valid(%q) = %v, json.Valid says %v", name, got, want)
	}
	off, ok := Check(data)
	if ok != want {
		t.Fatalf("Check(%q) ok = %v, json.Valid says %v", name, ok, want)
	}
	if want {
		return
	}
	var v any
	var syn *json.SyntaxError
	if err := json.Unmarshal(data, &v); !errors.As(err, &syn) {
		t.Fatalf("json.Unmarshal(%q) = %v, want a *json.SyntaxError", name, err)
	}
	// encoding/json counts the offending byte in Offset. At the end of the
	// input Offset is the length, and the error is "unexpected end" or, in
	// the middle of a value, about the space it feeds the scanner there.
	wantOff := int(syn.Offset) - 1
	if int(syn.Offset) == len(data) && (strings.Contains(syn.Error(), "unexpected end") ||
		strings.Contains(syn.Error(), "invalid character ' '") && data[len(data)-1] != ' ') {
		wantOff = len(data)
	}
	if off != wantOff {
		t.Fatalf("Check(%q) offset = %d, encoding/json says %d (%v)", name, off, wantOff, syn)
	}
}

// walk reads data with a Scanner the way its callers do, entering every
// object and array and reading every string, and reports whether it
// accepts data.
func walk(data []byte) bool {
	s := New(data, 0)
	walkValue(&s)
	return s.End()
}

func walkValue(s *Scanner) {
	switch s.Peek() {
	case '{':
		if !s.EnterObject() {
			return
		}
		for {
			if _, _, ok := s.NextMember(); !ok {
				return
			}
			walkValue(s)
		}
	case '[':
		if !s.EnterArray() {
			return
		}
		for s.NextElement() {
			walkValue(s)
		}
	case '"':
		s.ReadString()
	default:
		s.Skip()
	}
}

// TestScanner walks objects and arrays member by member.
func TestScanner(t *testing.T) {
	data := []byte(` {"a" : [1, {"b\u0041":"x"} ], "c":"plain", "d\n":null, "e":{}} `)
	s := New(data, 0)
	if !s.EnterObject() {
		t.Fatal("EnterObject failed")
	}
	type member struct {
		key     string
		escaped bool
		value   string
	}
	var got []member
	for {
		key, escaped, ok := s.NextMember()
		if !ok {
			break
		}
		got = append(got, member{string(key), escaped, string(s.Skip())})
	}
	if s.Failed() || !s.End() {
		t.Fatalf("scan failed at %d (error offset %d)", s.Pos(), s.ErrorOffset())
	}
	want := []member{
		{"a", false, `[1, {"b\u0041":"x"} ]`},
		{"c", false, `"plain"`},
		{`d\n`, true, `null`},
		{"e", false, `{}`},
	}
	if len(got) != len(want) {
		t.Fatalf("members %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("member %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	s = New([]byte(`["a", "b\"", [], 3]`), 0)
	var elems []string
	if !s.EnterArray() {
		t.Fatal("EnterArray failed")
	}
	for s.NextElement() {
		if s.Peek() == '"' {
			text, _, _ := s.ReadString()
			elems = append(elems, string(text))
			continue
		}
		elems = append(elems, string(s.Skip()))
	}
	if !s.End() || strings.Join(elems, "|") != `a|b\"|[]|3` {
		t.Fatalf("elements %q, end %v", elems, s.End())
	}
}

// TestScannerFailures separates syntax errors, which have an offset, from
// type mismatches and Fail, which do not.
func TestScannerFailures(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		read   func(s *Scanner)
		offset int // -1: failure without a syntax error
	}{
		{"object expected", `[1]`, func(s *Scanner) { s.EnterObject() }, -1},
		{"array expected", `{}`, func(s *Scanner) { s.EnterArray() }, -1},
		{"string expected", `null`, func(s *Scanner) { s.ReadString() }, -1},
		{"plain string with escape", `"a\n"`, func(s *Scanner) { s.PlainString() }, -1},
		{"plain string invalid", `"a\q"`, func(s *Scanner) { s.PlainString() }, 3},
		{"given up", `{}`, func(s *Scanner) { s.Fail() }, -1},
		{"bad key", `{"a":1,2:3}`, func(s *Scanner) {
			s.EnterObject()
			for {
				if _, _, ok := s.NextMember(); !ok {
					return
				}
				s.Skip()
			}
		}, 7},
		{"missing comma", `[1 2]`, func(s *Scanner) {
			s.EnterArray()
			for s.NextElement() {
				s.Skip()
			}
		}, 3},
		{"bad value", `{"a":[tru]}`, func(s *Scanner) {
			s.EnterObject()
			s.NextMember()
			s.Skip()
		}, 9},
		{"trailing data", `{} x`, func(s *Scanner) { s.Skip(); s.End() }, 3},
		{"too deep", `{"a":[[1]]}`, func(s *Scanner) {
			*s = New(s.data, 2)
			s.EnterObject()
			s.NextMember()
			s.Skip()
		}, 6},
		{"too deep entered", `[[1]]`, func(s *Scanner) {
			*s = New(s.data, 1)
			s.EnterArray()
			s.NextElement()
			s.EnterArray()
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New([]byte(tt.in), 0)
			tt.read(&s)
			if !s.Failed() {
				t.Fatal("scan did not fail")
			}
			if s.ErrorOffset() != tt.offset {
				t.Fatalf("ErrorOffset = %d, want %d", s.ErrorOffset(), tt.offset)
			}
			var syn *SyntaxError
			if err := s.Err(); errors.As(err, &syn) != (tt.offset >= 0) || syn != nil && syn.Offset != tt.offset {
				t.Fatalf("Err = %v", err)
			}
			// Every later call fails too.
			if s.EnterObject() || s.NextElement() || s.Skip() != nil || s.End() || s.Peek() != 0 {
				t.Fatal("a call after the failure succeeded")
			}
		})
	}
}

// TestKeys covers the helpers for encoding/json's case-insensitive matching.
func TestKeys(t *testing.T) {
	if !PlainASCII([]byte("resourceType")) || PlainASCII([]byte(`a\u0041`)) || PlainASCII([]byte("ſearch")) {
		t.Error("PlainASCII")
	}
	if !EqualFoldASCII([]byte("ResourceTYPE"), "resourceType") || EqualFoldASCII([]byte("resourceTyp"), "resourceType") ||
		EqualFoldASCII([]byte("@"), "`") {
		t.Error("EqualFoldASCII")
	}
	if !FoldsToAny([]byte("Entry"), "id", "entry") || FoldsToAny([]byte("entry"), "id", "entry") || FoldsToAny([]byte("x"), "id") {
		t.Error("FoldsToAny")
	}
}

// TestNoAllocations keeps the scanner allocation-free.
func TestNoAllocations(t *testing.T) {
	data := []byte(`{"resourceType":"Bundle","entry":[{"resource":{"id":"a","x":[1,2.5e3,true,null,"\u00e9"]}}]}`)
	if n := testing.AllocsPerRun(100, func() {
		if !Valid(data) || !walk(data) {
			t.Fatal("invalid")
		}
	}); n != 0 {
		t.Fatalf("%v allocations per scan", n)
	}
}

// FuzzScanner checks that the scanner never disagrees with encoding/json:
// Valid is json.Valid, Check points at the byte encoding/json's syntax
// error names, a Scanner walking every member accepts the same input, and
// nothing panics. Run with
// go test ./internal/jsonscan -run '^$' -fuzz FuzzScanner -fuzztime 30s.
func FuzzScanner(f *testing.F) {
	for _, v := range validityCases {
		if len(v) < 1000 {
			f.Add([]byte(v))
		}
	}
	f.Add([]byte(`{"hook":"patient-view","prefetch":{"p":{"resourceType":"Patient","id":"p1"}},"context":{"patientId":"p1"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstJSON(t, data)
		if got, want := walk(data), json.Valid(data); got != want {
			t.Fatalf("Scanner walk accepts %q: %v, json.Valid says %v", data, got, want)
		}
	})
}
