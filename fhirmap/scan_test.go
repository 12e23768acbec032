package fhirmap

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"ombc-cds/logic"
)

// scanHead must read exactly what json.Unmarshal into head and peek read,
// and decline (ok false) whatever it is not sure of, so that the caller's
// encoding/json fallback yields the same result or error.
func TestScanHead(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		wantOK bool
	}{
		{"bundle", bundle(obs("o1", systemLOINC, "85337-4", ""), cond("c1", systemSNOMED, "94222008", active)), true},
		{"single resource", patientJSONText, true},
		{"pretty printed", "{\n  \"resourceType\" : \"Bundle\",\n  \"entry\" : [ {\n    \"fullUrl\" : \"urn:uuid:a\",\n    \"resource\" : { \"resourceType\" : \"Patient\", \"id\" : \"a\" }\n  } ]\n}\n", true},
		{"search modes", `{"resourceType":"Bundle","entry":[{"search":{"mode":"include","score":1},"resource":{"resourceType":"Medication","id":"m"}},{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome"}}]}`, true},
		{"empty containers and literals", `{"resourceType":"Bundle","total":-1.5e+3,"x":[true,false,null,{},[]],"entry":[]}`, true},
		{"non-object and null resources", `{"resourceType":"Bundle","entry":[{"resource":"x"},{"resource":null},{"resource":[1]},{}]}`, true},
		{"escaped key inside a resource fails only its peek", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","\u0069d":"o1"}}]}`, true},
		{"escaped resourceType value fails only its peek", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Obs\u0065rvation","id":"o1"}}]}`, true},
		{"non-string id fails only its peek", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","id":7}}]}`, true},
		{"repeated keys inside a resource", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","id":"a","id":"b","code":1,"code":{"text":"x"}}}]}`, true},
		{"escapes in unread strings", `{"resourceType":"Bundle","note":"a\"b\\c\u00e9\n","entry":[]}`, true},
		{"non-ASCII text", `{"resourceType":"Patient","id":"p1","name":[{"text":"Zoë"}]}`, true},

		{"invalid JSON", `{"resourceType":"Bundle","entry":[}`, false},
		{"trailing data", `{"resourceType":"Patient"} x`, false},
		{"control character in string", "{\"resourceType\":\"Patient\",\"id\":\"a\tb\"}", false},
		{"bad escape", `{"resourceType":"Patient","x":"\q"}`, false},
		{"bad number", `{"resourceType":"Patient","x":01}`, false},
		{"bad literal", `{"resourceType":"Patient","x":nul}`, false},
		{"missing colon", `{"resourceType" "Patient"}`, false},
		{"trailing comma", `{"resourceType":"Patient",}`, false},
		{"head key in another case", `{"ResourceType":"Patient"}`, false},
		{"entry key in another case", `{"resourceType":"Bundle","Entry":[]}`, false},
		{"escaped head key", `{"resourceTyp\u0065":"Patient"}`, false},
		{"non-ASCII head key", `{"resourceTypé":"Patient"}`, false},
		{"escaped head value", `{"resourceType":"Pati\u0065nt"}`, false},
		{"invalid UTF-8 in id", "{\"resourceType\":\"Patient\",\"id\":\"\xff\"}", false},
		{"non-string resourceType", `{"resourceType":5}`, false},
		{"null id", `{"resourceType":"Patient","id":null}`, false},
		{"repeated head key", `{"resourceType":"Patient","resourceType":"Bundle"}`, false},
		{"entry not an array", `{"resourceType":"Bundle","entry":{}}`, false},
		{"entry element not an object", `{"resourceType":"Bundle","entry":[null]}`, false},
		{"search not an object", `{"resourceType":"Bundle","entry":[{"search":null}]}`, false},
		{"fullUrl not a string", `{"resourceType":"Bundle","entry":[{"fullUrl":1}]}`, false},
		{"mode in another case", `{"resourceType":"Bundle","entry":[{"search":{"Mode":"outcome"}}]}`, false},
		{"too deep", `{"resourceType":"Patient","x":` + strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1) + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.in)
			got, ok := scanHead(raw)
			if ok != tt.wantOK {
				t.Fatalf("scanHead ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			want, err := decodeHead(raw)
			if err != nil {
				t.Fatalf("scanHead accepted what encoding/json rejects: %v", err)
			}
			if got.typ != want.typ || got.id != want.id || len(got.entries) != len(want.entries) {
				t.Fatalf("scanHead = %q %q %d entries, want %q %q %d", got.typ, got.id, len(got.entries), want.typ, want.id, len(want.entries))
			}
			for i, g := range got.entries {
				w := want.entries[i]
				if g.fullURL != w.fullURL || g.hasSearch != w.hasSearch || g.mode != w.mode || !bytes.Equal(g.resource, bytes.TrimSpace(w.resource)) {
					t.Errorf("entry %d = %+v, want %+v", i, g, w)
				}
				res := bytes.TrimSpace(w.resource)
				if len(res) == 0 || res[0] != '{' {
					continue
				}
				typ, id, code, pok := peek(res)
				if g.peeked != pok || g.typ != typ || g.id != id || !bytes.Equal(g.code, code) {
					t.Errorf("entry %d peek = %v %q %q %s, want %v %q %q %s", i, g.peeked, g.typ, g.id, g.code, pok, typ, id, code)
				}
			}
		})
	}
}

// A Mapper copies its options and may be shared by concurrent calls; the
// package-level Patient gives the same result.
func TestMapper(t *testing.T) {
	codes := []logic.Code{{System: "http://example.org/tb", Code: "TB"}}
	opts := Options{TumorBoardCodes: codes}
	mp := NewMapper(opts)
	codes[0].Code = "changed" // must not reach the Mapper
	prefetch := map[string]json.RawMessage{
		"patient": json.RawMessage(patientJSONText),
		"data": json.RawMessage(bundle(
			`{"resourceType":"CarePlan","id":"cp1","status":"completed","subject":{"reference":"Patient/p1"},"category":[{"coding":[{"system":"http://example.org/tb","code":"TB"}]}]}`,
			obs("o1", systemLOINC, "85337-4", cc(systemSNOMED, "10828004")),
		)),
	}
	want, err := Patient(prefetch, Options{TumorBoardCodes: []logic.Code{{System: "http://example.org/tb", Code: "TB"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.TumorBoards) != 1 || len(want.Markers) != 1 {
		t.Fatalf("Patient = %d tumour boards, %d markers; want 1 and 1", len(want.TumorBoards), len(want.Markers))
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := mp.Patient(prefetch)
			if err != nil {
				t.Error(err)
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Mapper.Patient = %+v, want %+v", got, want)
			}
		})
	}
	wg.Wait()
}
