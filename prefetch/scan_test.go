package prefetch

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// fuzzKinds are the template kinds classify is checked with: a read, a
// plain search and a medication search.
var fuzzKinds = []kind{
	{typ: "Patient", read: true},
	{typ: "Condition"},
	{typ: "MedicationRequest"},
}

const (
	okBundle   = `{"resourceType":"Bundle","type":"searchset","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Condition","id":"c1"},"search":{"mode":"match"}}]}`
	errOutcome = `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing"}]}`
)

// TestClassifyFast covers what the fast path decides itself and what it
// leaves to encoding/json; in every case classify must answer exactly as
// classifyDecode (the encoding/json reference) does.
func TestClassifyFast(t *testing.T) {
	read, search := fuzzKinds[0], fuzzKinds[1]
	tests := []struct {
		name  string
		k     kind
		value string
		fast  bool   // classifyFast decides
		act   action // when fast
	}{
		{"read match", read, `{"resourceType":"Patient","id":"p","link":[{"other":{"reference":"Patient/q"},"type":"seealso"}]}`, true, actUse},
		{"read wrong type", read, `{"resourceType":"Condition"}`, true, actFetch},
		{"read of a Bundle", read, okBundle, true, actFetch},
		{"read of an outcome", read, errOutcome, true, actFetch},
		{"read no resourceType", read, `{"id":"p"}`, true, actFetch},
		{"search Bundle", search, okBundle, true, actUse},
		{"search empty Bundle", search, `{"resourceType":"Bundle","type":"searchset","total":0}`, true, actUse},
		{"search pretty printed", search, "{\n  \"resourceType\" : \"Bundle\" ,\n\t\"entry\": [ ]\r\n}", true, actUse},
		{"search of a resource", search, `{"resourceType":"Condition","id":"c"}`, true, actFetch},
		{"search of an outcome", search, errOutcome, true, actFetch},
		{"failed outcome entry", search, `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition"}},{"resource":` + errOutcome + `}]}`, true, actFetch},
		{"fatal outcome entry", search, `{"resourceType":"Bundle","entry":[{"resource":{"issue":[{"severity":"fatal"}],"resourceType":"OperationOutcome"}},{"resource":{"resourceType":"Condition"}}]}`, true, actFetch},
		{"warning outcome kept", search, `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning"}]}},{"resource":{"resourceType":"Condition"}}]}`, true, actUse},
		{"only outcomes", search, `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition"},"search":{"mode":"outcome"}}]}`, true, actFetch},
		{"severity of a non-outcome ignored", search, `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition","issue":[{"severity":"error"}]}}]}`, true, actUse},
		{"next link without url", search, `{"resourceType":"Bundle","link":[{"relation":"next"},{"relation":"next","url":"http://x/2"}],"entry":[]}`, true, actUse},
		{"self link only", search, `{"resourceType":"Bundle","link":[{"relation":"self","url":"http://x/1"}]}`, true, actUse},
		{"medicationReference", search, `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MedicationRequest","medicationReference":{"reference":"Medication/m","display":"x"}}}]}`, true, actUse},
		{"escaped strings elsewhere", search, `{"resourceType":"Bundle","entry":[{"fullUrl":"a\"\\\/\b\f\n\r\t\u00e9","resource":{"resourceType":"Condition","note":[{"text":"Caf\u00E9 é"}]}}]}`, true, actUse},
		{"numbers and literals", search, `{"resourceType":"Bundle","total":-0.5e+3,"x":[0,1.25,2E-2,true,false,null,{}]}`, true, actUse},

		// Left to encoding/json.
		{"next link", search, `{"resourceType":"Bundle","link":[{"relation":"next","url":"http://x/2"}],"entry":[]}`, false, 0},
		{"key in another case", search, `{"ResourceType":"Bundle"}`, false, 0},
		{"entry key in another case", search, `{"resourceType":"Bundle","entry":[{"Resource":` + errOutcome + `}]}`, false, 0},
		{"escaped key", search, `{"resource\u0054ype":"Bundle"}`, false, 0},
		{"Kelvin sign key", search, `{"resourceType":"Bundle","lin\u212a":[{"relation":"next","url":"u"}]}`, false, 0},
		{"non-ASCII key", search, `{"resourceType":"Bundle","ſearch":1}`, false, 0},
		{"duplicate resourceType", search, `{"resourceType":"Bundle","resourceType":"Patient"}`, false, 0},
		{"duplicate search", search, `{"resourceType":"Bundle","entry":[{"search":{"mode":"outcome"},"search":{}}]}`, false, 0},
		{"duplicate mode", search, `{"resourceType":"Bundle","entry":[{"search":{"mode":"outcome","mode":"match"}}]}`, false, 0},
		{"null resourceType", search, `{"resourceType":null}`, false, 0},
		{"null entry", search, `{"resourceType":"Bundle","entry":[null]}`, false, 0},
		{"null link", search, `{"resourceType":"Bundle","link":null}`, false, 0},
		{"escaped resourceType", read, `{"resourceType":"Pa\u0074ient"}`, false, 0},
		{"escaped severity", search, `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"\u0065rror"}]}}]}`, false, 0},
		{"wrong type resourceType", read, `{"resourceType":5}`, false, 0},
		{"wrong type link", read, `{"resourceType":"Patient","link":{}}`, false, 0},
		{"wrong type entry", search, `{"resourceType":"Bundle","entry":{"resource":1}}`, false, 0},
		{"wrong type id", search, `{"resourceType":"Bundle","entry":[{"resource":{"id":7}}]}`, false, 0},
		{"wrong type issue", search, `{"resourceType":"Bundle","entry":[{"resource":{"issue":{}}}]}`, false, 0},
		{"entry not an object", search, `{"resourceType":"Bundle","entry":[1]}`, false, 0},
		{"truncated", search, `{"resourceType":`, false, 0},
		{"trailing data", search, `{"resourceType":"Bundle"} {}`, false, 0},
		{"trailing comma", search, `{"resourceType":"Bundle",}`, false, 0},
		{"leading zero", search, `{"resourceType":"Bundle","total":01}`, false, 0},
		{"bad escape", search, `{"resourceType":"Bundle","x":"\x"}`, false, 0},
		{"control character", search, "{\"resourceType\":\"Bundle\",\"x\":\"a\tb\"}", false, 0},
		{"bad literal", search, `{"resourceType":"Bundle","x":nul}`, false, 0},
		{"too deep", search, `{"resourceType":"Bundle","x":` + strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1) + `}`, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := classifyFast(tt.k, []byte(tt.value))
			if ok != tt.fast {
				t.Fatalf("classifyFast decided = %v, want %v", ok, tt.fast)
			}
			if ok && d.act != tt.act {
				t.Errorf("act = %v, want %v", d.act, tt.act)
			}
			checkAgainstDecode(t, tt.k, []byte(tt.value))
		})
	}
}

// checkAgainstDecode fails unless classify and classifyDecode give the same
// decision and error for raw.
func checkAgainstDecode(t *testing.T, k kind, raw []byte) {
	t.Helper()
	got, gotErr := classify("key", k, raw, true)
	want, wantErr := classifyDecode("key", k, bytes.TrimSpace(raw))
	if errText(gotErr) != errText(wantErr) {
		t.Fatalf("%+v %q: error %v, encoding/json says %v", k, raw, gotErr, wantErr)
	}
	if got.act != want.act || !bytes.Equal(got.value, want.value) || got.next != want.next ||
		!reflect.DeepEqual(got.entries, want.entries) {
		t.Fatalf("%+v %q: decision %+v, encoding/json says %+v", k, raw, got, want)
	}
}

// TestScannerValidity checks the scanner's JSON grammar against json.Valid
// on small values of every kind.
func TestScannerValidity(t *testing.T) {
	for _, v := range []string{
		`0`, `-0`, `1.5`, `-1e10`, `1E+2`, `0.0e-0`, `"x"`, `""`, `"\u12aB"`, `true`, `false`, `null`,
		`[]`, `[ ]`, `{}`, `{ }`, `[1,[2,{"a":[]}]]`, " \t\n\r{\"a\" : 1 } ",
		`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `tru`, `nulll`, `"`, `"\u12g4"`, `"\q"`, "\"\x01\"",
		`[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{,}`, `{"a":1,}`, `{1:2}`, `[1 2]`, `}`, `]`, ``, `  `,
		"\"\xff\xfe\"", `{"a":1}}`, `[[]`, "\v1",
	} {
		if got, want := scanValid([]byte(v)), json.Valid([]byte(v)); got != want {
			t.Errorf("scanner says valid=%v for %q, json.Valid says %v", got, v, want)
		}
	}
}

// scanValid reports whether the scanner accepts data as one JSON value.
func scanValid(data []byte) bool {
	s := scanner{data: data}
	s.space()
	s.skip()
	s.space()
	return !s.bad && s.pos == len(data)
}

// FuzzClassify checks that the fast path never disagrees with encoding/json:
// classify must give classifyDecode's decision and error for any input, and
// the scanner must judge validity as json.Valid does (up to its depth
// limit, beyond which it defers). Run briefly with
// go test ./prefetch -run '^$' -fuzz FuzzClassify -fuzztime 30s.
func FuzzClassify(f *testing.F) {
	for _, v := range []string{
		okBundle, errOutcome, `null`, ` null `, `{}`, `[]`, `"x"`, `{"resourceType":"Patient","id":"p"}`,
		`{"resourceType":"Bundle","link":[{"relation":"next","url":"http://x/2"}],"entry":[{"resource":{"resourceType":"Condition","id":"c"}}]}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MedicationRequest","medicationReference":{"reference":"Medication/m"}},"search":{"mode":"match"}},{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning"},{"severity":"fatal"}]},"search":{"mode":"outcome"}}]}`,
		`{"RESOURCETYPE":"Bundle","Entry":[{"SEARCH":{"MODE":"outcome"}}]}`,
		`{"resourceType":"Bundle","resourceType":null,"entry":[null,{"search":{"mode":"outcome"},"search":{}}]}`,
		`{"resource\u0054ype":"Bundle","lin\u212a":[{"relation":"next","url":"u"}]}`,
	} {
		f.Add([]byte(v))
	}
	in := fixtureInput(f, typicalFixture)
	for _, key := range sortedKeys(in.Templates) {
		f.Add([]byte(in.Prefetch[key]))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, k := range fuzzKinds {
			checkAgainstDecode(t, k, raw)
		}
		if len(raw) < maxScanDepth {
			if got, want := scanValid(raw), json.Valid(raw); got != want {
				t.Fatalf("scanner says valid=%v for %q, json.Valid says %v", got, raw, want)
			}
		}
	})
}
