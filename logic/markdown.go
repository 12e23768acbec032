package logic

import (
	"strings"
	"time"
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
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '|', '#', '!', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		// Angle brackets and ampersands become entities rather than
		// backslash escapes: clients that render raw HTML (the sandbox uses
		// rehype-raw, CONFORMANCE.md O-12) then never see a tag, and a later
		// "<" to "&lt;" safety pass cannot double-escape them.
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t', '\v', '\f':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue // control characters carry no meaning in a card
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dateText renders a date as YYYY-MM-DD, or "date unknown".
func dateText(t time.Time) string {
	if t.IsZero() {
		return "date unknown"
	}
	return t.Format(time.DateOnly)
}

// cite renders a fact's provenance as "(Observation/abc, 2024-03-02)", escaped.
func cite(s Source) string {
	ref := s.Ref
	if ref == "" {
		ref = "reference unknown"
	}
	return "(" + Escape(ref) + ", " + dateText(s.Date) + ")"
}

// display returns a code's display, escaped, or fallback when it has none.
func display(c Code, fallback string) string {
	if c.Display != "" {
		return Escape(c.Display)
	}
	return fallback
}
