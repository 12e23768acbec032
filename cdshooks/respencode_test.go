package cdshooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"ombc-cds/logic"
)

var awkwardStrings = []string{
	"", "plain", `quo"te`, `back\slash`, "<b>&amp;</b>", "tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f",
	"ünïcødé 患者", "line\u2028para\u2029", "bad\xffutf8\xc3", "emoji 😀", "**Markdown** [link](https://x.org/?a=1&b=2)",
}

var awkwardRaw = []string{
	`{"resourceType":"ServiceRequest","status":"draft"}`,
	`{"resourceType":"X","a":[1,2.5e3,-0,true,false,null,{"b":"c d"}]}`,
	`{ "resourceType" : "X" }`,
	"{\"resourceType\":\"X\",\n\"a\":1}",
	`{"resourceType":"<X>&"}`,
	`{"resourceType":"\u003cX\u003e"}`,
	"{\"resourceType\":\"X\u2028\u2029\"}",
	`{"a":"\"quoted\" \\ space"}`,
	`[1, 2]`, `"s p"`, `12`,
	`{"resourceType":"X"`, `{"a":}`, `not json`,
	"{\"a\":\"\xff\"}",
}

func randomResponse(r *rand.Rand) Response {
	str := func() string { return awkwardStrings[r.IntN(len(awkwardStrings))] }
	var resp Response
	if r.IntN(10) > 0 {
		resp.Cards = []Card{}
	}
	for range r.IntN(4) {
		c := Card{UUID: str(), Summary: str(), Detail: str(), Indicator: str(),
			Source: Source{Label: str(), URL: str(), Icon: str()}, SelectionBehavior: str()}
		if r.IntN(2) == 0 {
			c.Source.Topic = &Coding{System: str(), Code: str(), Display: str()}
		}
		for range r.IntN(3) {
			s := Suggestion{Label: str(), UUID: str(), IsRecommended: r.IntN(2) == 0}
			for range r.IntN(3) {
				a := Action{Type: str(), Description: str(), ResourceID: str()}
				if k := r.IntN(len(awkwardRaw) + 2); k < len(awkwardRaw) {
					a.Resource = json.RawMessage(awkwardRaw[k])
				}
				s.Actions = append(s.Actions, a)
			}
			if r.IntN(4) == 0 {
				s.Actions = []Action{}
			}
			c.Suggestions = append(c.Suggestions, s)
		}
		if r.IntN(2) == 0 {
			c.OverrideReasons = OverrideReasons()
		}
		for range r.IntN(3) {
			c.Links = append(c.Links, Link{Label: str(), URL: str(), Type: str(), AppContext: str()})
		}
		if r.IntN(5) == 0 {
			c.Links = []Link{}
		}
		resp.Cards = append(resp.Cards, c)
	}
	return resp
}

// TestMarshalResponseMatchesJSON compares the hand encoder with json.Marshal
// on random responses full of awkward strings and resources, including
// invalid ones (both must then fail).
func TestMarshalResponseMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	direct := 0
	for i := range 5000 {
		resp := randomResponse(r)
		want, wantErr := json.Marshal(resp)
		if b, ok := appendResponse(nil, resp); ok {
			direct++
			if wantErr != nil || !bytes.Equal(b, want) {
				t.Fatalf("case %d: appendResponse\n got %s\nwant %s (%v)", i, b, want, wantErr)
			}
		}
		p, err := marshalResponse(resp)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("case %d: error %v, want %v", i, err, wantErr)
		}
		if err == nil {
			if !bytes.Equal(*p, want) {
				t.Fatalf("case %d: marshalResponse\n got %s\nwant %s", i, *p, want)
			}
			putRespBuf(p)
		}
	}
	if direct < 1000 {
		t.Errorf("only %d of 5000 responses took the direct path", direct)
	}
}

// TestRawVerbatim checks rawVerbatim against what json.Marshal makes of a
// RawMessage: true only when it copies the bytes unchanged.
func TestRawVerbatim(t *testing.T) {
	for _, raw := range append(awkwardRaw, "", " 1", "1 ", `{"a":"x"}`, `{"a":"\\"}`, `{"a":"\\\""}`) {
		got := rawVerbatim([]byte(raw))
		out, err := json.Marshal(json.RawMessage(raw))
		same := err == nil && raw != "" && string(out) == raw
		if got != same {
			t.Errorf("rawVerbatim(%q) = %v; json.Marshal gives %q, %v", raw, got, out, err)
		}
	}
}

// TestPlainResourceMatchesProbe checks that the createAction fast path
// accepts only what the json.Unmarshal/json.Compact path accepts, giving
// the same bytes.
func TestPlainResourceMatchesProbe(t *testing.T) {
	cases := append(awkwardRaw,
		`{"resourceType":""}`, `{"resourceType":null}`, `{"resourceType":"A","resourceType":""}`,
		`{"resourceType":"A","RESOURCETYPE":""}`, `{"resourceType":"A","resource\u0054ype":""}`,
		`{"resourceType":"A","reſourceType":""}`, `{"resourceType":"A","x":"resourceType"}`,
		`{"resourceType":"\"A"}`, `{"resourceType":1}`, `{"a":1,"resourceType":"A"}`,
		`{"resourceType":"A","subject":{"reference":"Patient/p1"}}`)
	for _, raw := range cases {
		var probe struct {
			ResourceType string `json:"resourceType"`
		}
		err := json.Unmarshal([]byte(raw), &probe)
		refOK := err == nil && probe.ResourceType != ""
		var compact bytes.Buffer
		if refOK {
			refOK = json.Compact(&compact, []byte(raw)) == nil
		}
		if plainResource([]byte(raw)) {
			if !refOK || compact.String() != raw {
				t.Errorf("plainResource(%q) = true; reference path: ok %v, %q", raw, refOK, compact.String())
			}
		}
		a, err := createAction(logic.Order{Code: "x", Label: "L"}, func(logic.Order, string) (json.RawMessage, error) {
			return json.RawMessage(raw), nil
		}, "p")
		if (err == nil) != refOK || err == nil && string(a.Resource) != compact.String() {
			t.Errorf("createAction(%q) = %q, %v; reference ok %v, %q", raw, a.Resource, err, refOK, compact.String())
		}
	}
}

// TestWriteJSONResponse checks the whole writeJSON path for a Response.
func TestWriteJSONResponse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		resp := randomResponse(r)
		want, err := json.Marshal(resp)
		rec := httptest.NewRecorder()
		writeJSON(rec, 200, resp)
		if err != nil {
			if rec.Code != 500 {
				t.Fatalf("case %d: status %d for an unmarshalable response", i, rec.Code)
			}
			continue
		}
		if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), want) || rec.Header().Get("Content-Length") != fmt.Sprint(len(want)) {
			t.Fatalf("case %d: got %d %s\nwant %s", i, rec.Code, rec.Body.Bytes(), want)
		}
	}
}
