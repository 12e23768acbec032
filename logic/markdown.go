package logic

import (
	"time"
	"unicode/utf8"
)

// This file holds the few helpers that turn facts into Markdown. Card detail
// is GitHub-flavoured Markdown without raw HTML (CDS Hooks 2.0 §Card
// "detail": GitHub Flavored Markdown; RULES.md Cards), so every string that
// comes from the patient record passes through Escape first.

// Escape makes a patient-derived string (a display, a description, a
// reference) inert in GitHub-flavoured Markdown: it backslash-escapes the
// characters that start emphasis, links, code, tables, headings or HTML,
// escapes HTML's own characters, and flattens line breaks so the text cannot
// open a new block.
func Escape(s string) string {
	// Most displays and references need no escaping; returning them as they
	// are saves an allocation per fact on every card.
	if !needsEscape(s) {
		return s
	}
	var buf [128]byte // on the stack: the string conversion is the only allocation
	return string(appendEscape(buf[:0], s))
}

// needsEscape reports whether appendEscape would change s: it holds a
// character Markdown or HTML gives meaning to, a control character, or
// invalid UTF-8 (which appendEscape replaces with U+FFFD).
func needsEscape(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			ascii = false
		case c < 0x20 || c == 0x7f || escapedByte[c]:
			return true
		}
	}
	return !ascii && !utf8.ValidString(s)
}

// escapedByte marks the ASCII characters appendEscape backslash-escapes or
// turns into an entity.
var escapedByte = [utf8.RuneSelf]bool{
	'\\': true, '`': true, '*': true, '_': true, '{': true, '}': true, '[': true, ']': true,
	'|': true, '#': true, '!': true, '~': true, '$': true, '<': true, '>': true, '&': true,
}

// appendEscape appends Escape(s) to b.
func appendEscape(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError) // invalid UTF-8, as ranging over the string reads it
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
		switch c {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '|', '#', '!', '~', '$':
			b = append(b, '\\', c)
		// Angle brackets and ampersands become entities rather than
		// backslash escapes: clients that render raw HTML (the sandbox uses
		// rehype-raw, CONFORMANCE.md O-12) then never see a tag, and a later
		// "<" to "&lt;" safety pass cannot double-escape them.
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '\n', '\r', '\t', '\v', '\f':
			b = append(b, ' ')
		default:
			if c < 0x20 || c == 0x7f {
				continue // control characters carry no meaning in a card
			}
			b = append(b, c)
		}
	}
	return b
}

// dateText renders a date as YYYY-MM-DD, or "date unknown".
func dateText(t time.Time) string {
	if t.IsZero() {
		return "date unknown"
	}
	return t.Format(time.DateOnly)
}

// appendDate appends dateText(t) to b.
func appendDate(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "date unknown"...)
	}
	return t.AppendFormat(b, time.DateOnly)
}

// cite renders a fact's provenance as "(Observation/abc, 2024-03-02)", escaped.
func cite(s Source) string {
	var buf [96]byte // on the stack: the string conversion is the only allocation
	return string(appendCite(buf[:0], s))
}

// appendCite appends cite(s) to b.
func appendCite(b []byte, s Source) []byte {
	ref := s.Ref
	if ref == "" {
		ref = "reference unknown"
	}
	b = append(b, '(')
	b = appendEscape(b, ref)
	b = append(b, ", "...)
	b = appendDate(b, s.Date)
	return append(b, ')')
}

// display returns a code's display, escaped, or fallback when it has none.
func display(c Code, fallback string) string {
	if c.Display != "" {
		return Escape(c.Display)
	}
	return fallback
}
