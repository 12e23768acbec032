package fhirsearch

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// mapEncoded is the stored form of a resource the way NewIndex used to make
// it for every entry: decoded into maps, references rewritten, re-encoded.
func mapEncoded(t *testing.T, x *Index, src []byte, id string) string {
	t.Helper()
	obj, err := decodeObject(src)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := obj["id"].(string); s == "" {
		obj["id"] = id
	}
	rewriteReferences(obj, x.resolve)
	raw, err := marshalCompact(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestEncoderMatchesMapEncoding checks the direct re-encoding against the
// decode, rewrite and marshal it replaces, on the cases where encoding/json
// changes what was written.
func TestEncoderMatchesMapEncoding(t *testing.T) {
	x, err := NewIndex(json.RawMessage(`{"resourceType":"Bundle","entry":[
		{"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"p1"}},
		{"resource":{"resourceType":"Practitioner","id":"d1","identifier":[{"system":"npi","value":"9"}]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []string{
		`{"resourceType":"Observation","id":"o","subject":{"reference":"urn:uuid:p1"},"performer":[{"reference":"Practitioner?identifier=npi|9"}]}`,
		`{"b":1,"a":[{"z":null,"y":true}],"resourceType":"Condition","id":"c"}`,
		`{"resourceType":"Condition","id":"c","a":1,"a":{"reference":"urn:uuid:p1"}}`,
		`{"resourceType":"Condition","id":"","subject":{"reference":"urn:uuid:p1","reference":5}}`,
		`{"resourceType":"Condition","id":7}`,
		`{"resourceType":"Condition"}`,
		`{"resourceType":"Condition","id":"c","id":""}`,
		`{"resourceType":"Condition","id":"c","n":[-0.30698e+2,0,1E3],"s":"<b>&amp;</b>"}`,
		`{"resourceType":"Condition","id":"c","s":"\u00e9\u2028\u2029\b\f\n\u0001\u007f\"\\\/ é"}`,
		"{\"resourceType\":\"Condition\",\"id\":\"c\",\"s\":\"\xff\xfe invalid\"}",
		`{"resourceType":"Condition","id":"c","subject":{"reference":"urn:uuid:p\u0031"}}`,
		` { "resourceType" : "Condition" , "id" : "c" , "x" : [ ] , "y" : { } } `,
	}
	for i, src := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			e := encoder{resolve: x.resolve}
			if !e.encodeResource([]byte(src), "fallback") {
				t.Fatalf("encodeResource refused %s", src)
			}
			if want := mapEncoded(t, x, []byte(src), "fallback"); string(e.out) != want {
				t.Errorf("encodeResource(%s)\n got %s\nwant %s", src, e.out, want)
			}
		})
	}
	t.Run("names beyond printable ASCII are refused", func(t *testing.T) {
		for _, src := range []string{`{"a\u0062":1}`, `{"é":1}`} {
			e := encoder{resolve: x.resolve}
			if e.encodeResource([]byte(src), "x") {
				t.Errorf("encodeResource(%s) = %s, want a refusal", src, e.out)
			}
		}
	})
}

// TestLazyIndexConcurrentUse reads and searches a fresh Index from many
// goroutines at once, so that the race detector sees the first decoding of
// each type and resource happen concurrently.
func TestLazyIndexConcurrentUse(t *testing.T) {
	want := loadIndex(t, "small_transaction.json", "relative_collection.json")
	wantPrefetch, err := want.Prefetch(templates(), patientID)
	if err != nil {
		t.Fatal(err)
	}
	x := loadIndex(t, "small_transaction.json", "relative_collection.json")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := x.Prefetch(templates(), patientID)
			if err != nil {
				t.Error(err)
				return
			}
			for k, v := range wantPrefetch {
				if string(got[k]) != string(v) {
					t.Errorf("concurrent Prefetch %s = %s, want %s", k, got[k], v)
				}
			}
		})
		wg.Go(func() {
			if _, ok := x.Read("Medication", "med-1"); !ok {
				t.Error("Read(Medication, med-1) found nothing")
			}
		})
	}
	wg.Wait()
}
