package cdshooks

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	"ombc-cds/internal/jsonscan"
)

// The service response is encoded by hand: encoding/json re-validates and
// compacts every draft resource (a json.RawMessage) through its byte-at-a-
// time scanner, and reflects over every card. appendResponse writes exactly
// the bytes json.Marshal writes for a Response (field order, omitempty,
// HTML-safe string escaping); it declines, and writeJSON falls back to
// json.Marshal, when a resource is not already in the form json.Marshal
// would emit (rawVerbatim), so invalid or unusual resources keep the
// reference behaviour.

// respBufs recycles response buffers; respSizeHint is the size of the last
// response, so that a new buffer rarely grows.
var (
	respBufs     sync.Pool // *[]byte
	respSizeHint atomic.Int64
)

// maxPooledResponse keeps one unusually large response from pinning memory.
const maxPooledResponse = 1 << 20

func getRespBuf() *[]byte {
	if p, ok := respBufs.Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 0, max(respSizeHint.Load()+respSizeHint.Load()/8, 4096))
	return &b
}

func putRespBuf(p *[]byte) {
	respSizeHint.Store(int64(len(*p)))
	if cap(*p) > maxPooledResponse {
		return
	}
	*p = (*p)[:0]
	respBufs.Put(p)
}

// rawVerbatim reports whether json.Marshal would copy b unchanged: b is one
// valid JSON value, compact (no whitespace outside strings), and holds none
// of the bytes encoding/json escapes inside a RawMessage (<, >, &, U+2028,
// U+2029).
func rawVerbatim(b []byte) bool {
	if len(b) == 0 || !jsonscan.Valid(b) {
		return false
	}
	inStr, esc := false, false
	for i, c := range b {
		switch {
		case c == '<' || c == '>' || c == '&':
			return false
		case c == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && b[i+2]&^1 == 0xA8:
			return false
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return true
}

// appendResponse appends json.Marshal(r) to dst; ok is false (and dst
// unusable) when a resource is not rawVerbatim.
func appendResponse(dst []byte, r Response) ([]byte, bool) {
	dst = append(dst, `{"cards":`...)
	if r.Cards == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range r.Cards {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendCard(dst, &r.Cards[i]); !ok {
				return dst, false
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), true
}

// obj writes the members of one JSON object, each name preceded by a comma
// except the first.
type obj struct {
	dst   []byte
	first bool
}

func newObj(dst []byte) obj { return obj{dst: append(dst, '{'), first: true} }

func (o *obj) name(n string) {
	if !o.first {
		o.dst = append(o.dst, ',')
	}
	o.first = false
	o.dst = append(o.dst, '"')
	o.dst = append(o.dst, n...)
	o.dst = append(o.dst, '"', ':')
}

func (o *obj) str(n, v string) {
	o.name(n)
	o.dst = jsonscan.AppendString(o.dst, v)
}

func (o *obj) strOmit(n, v string) {
	if v != "" {
		o.str(n, v)
	}
}

func (o *obj) end() []byte { return append(o.dst, '}') }

func appendCard(dst []byte, c *Card) ([]byte, bool) {
	o := newObj(dst)
	o.strOmit("uuid", c.UUID)
	o.str("summary", c.Summary)
	o.strOmit("detail", c.Detail)
	o.str("indicator", c.Indicator)
	o.name("source")
	o.dst = appendSource(o.dst, &c.Source)
	if len(c.Suggestions) > 0 {
		o.name("suggestions")
		o.dst = append(o.dst, '[')
		for i := range c.Suggestions {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			var ok bool
			if o.dst, ok = appendSuggestion(o.dst, &c.Suggestions[i]); !ok {
				return o.dst, false
			}
		}
		o.dst = append(o.dst, ']')
	}
	o.strOmit("selectionBehavior", c.SelectionBehavior)
	if len(c.OverrideReasons) > 0 {
		o.name("overrideReasons")
		o.dst = append(o.dst, '[')
		for i := range c.OverrideReasons {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			o.dst = appendCoding(o.dst, &c.OverrideReasons[i])
		}
		o.dst = append(o.dst, ']')
	}
	if len(c.Links) > 0 {
		o.name("links")
		o.dst = append(o.dst, '[')
		for i := range c.Links {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			l := &c.Links[i]
			lo := newObj(o.dst)
			lo.str("label", l.Label)
			lo.str("url", l.URL)
			lo.str("type", l.Type)
			lo.strOmit("appContext", l.AppContext)
			o.dst = lo.end()
		}
		o.dst = append(o.dst, ']')
	}
	return o.end(), true
}

func appendSource(dst []byte, s *Source) []byte {
	o := newObj(dst)
	o.str("label", s.Label)
	o.strOmit("url", s.URL)
	o.strOmit("icon", s.Icon)
	if s.Topic != nil {
		o.name("topic")
		o.dst = appendCoding(o.dst, s.Topic)
	}
	return o.end()
}

func appendCoding(dst []byte, c *Coding) []byte {
	o := newObj(dst)
	o.strOmit("system", c.System)
	o.strOmit("code", c.Code)
	o.strOmit("display", c.Display)
	return o.end()
}

func appendSuggestion(dst []byte, s *Suggestion) ([]byte, bool) {
	o := newObj(dst)
	o.str("label", s.Label)
	o.strOmit("uuid", s.UUID)
	if s.IsRecommended {
		o.name("isRecommended")
		o.dst = append(o.dst, "true"...)
	}
	if len(s.Actions) > 0 {
		o.name("actions")
		o.dst = append(o.dst, '[')
		for i := range s.Actions {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			a := &s.Actions[i]
			ao := newObj(o.dst)
			ao.str("type", a.Type)
			ao.str("description", a.Description)
			if len(a.Resource) > 0 {
				if !rawVerbatim(a.Resource) {
					return ao.dst, false
				}
				ao.name("resource")
				ao.dst = append(ao.dst, a.Resource...)
			}
			ao.strOmit("resourceId", a.ResourceID)
			o.dst = ao.end()
		}
		o.dst = append(o.dst, ']')
	}
	return o.end(), true
}

// marshalResponse is json.Marshal(r) through appendResponse when it can.
// The result lives in a pooled buffer: release it with putRespBuf once
// written.
func marshalResponse(r Response) (*[]byte, error) {
	p := getRespBuf()
	if b, ok := appendResponse((*p)[:0], r); ok {
		*p = b
		return p, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		putRespBuf(p)
		return nil, err
	}
	*p = append((*p)[:0], b...)
	return p, nil
}
