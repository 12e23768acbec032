package cdshooks

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDecodeRequestFast covers what the fast path decodes itself and what it
// leaves to json.Unmarshal; whatever it accepts must decode exactly as
// json.Unmarshal decodes it.
func TestDecodeRequestFast(t *testing.T) {
	tests := []struct {
		name string
		in   string
		fast bool
	}{
		{"typical", `{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","fhirServer":"https://fhir.example.org","fhirAuthorization":{"access_token":"t","token_type":"Bearer","expires_in":300,"scope":"user/Patient.read","subject":"cds"},"context":{"userId":"Practitioner/1","patientId":"p1"},"prefetch":{"patient":{"resourceType":"Patient","id":"p1"},"conditions":{"resourceType":"Bundle","entry":[]},"absent":null}}`, true},
		{"pretty printed", "{\n  \"hook\" : \"patient-view\" ,\n\t\"prefetch\" : { \"p\" : [ 1 , 2 ] }\r\n}\n", true},
		{"unknown members", `{"hook":"patient-view","x":{"a":[1,"\u00e9"]},"Y":null,"extension":{"ext":1}}`, true},
		{"null members", `{"hook":null,"hookInstance":null,"fhirServer":null,"fhirAuthorization":null,"context":null,"prefetch":null,"extension":null}`, true},
		{"empty prefetch", `{"prefetch":{}}`, true},
		{"repeated prefetch key", `{"prefetch":{"a":1,"a":{"b":2}}}`, true},
		{"non-ASCII strings", `{"hook":"patient-view","hookInstance":"Zoë","prefetch":{"clé":{"text":"é"}}}`, true},
		{"escaped strings", `{"hook":"patient\u002dview","hookInstance":"a\"b","context":{"patientId":"p\/1"}}`, true},
		{"empty object", `{}`, true},

		{"not an object", `[]`, false},
		{"null body", `null`, false},
		{"invalid JSON", `{"hook":"patient-view",}`, false},
		{"trailing data", `{"hook":"patient-view"} {}`, false},
		{"truncated", `{"hook":"patient-view","prefetch":{"p":{`, false},
		{"key in another case", `{"Hook":"patient-view"}`, false},
		{"prefetch key in another case", `{"PREFETCH":{"p":null}}`, false},
		{"escaped key", `{"hoo\u006b":"patient-view"}`, false},
		{"non-ASCII key", `{"hook":"patient-view","ſ":1}`, false},
		{"repeated key", `{"hook":"a","hook":"b"}`, false},
		{"repeated prefetch", `{"prefetch":{"a":1},"prefetch":{"b":2}}`, false},
		{"wrong type hook", `{"hook":5}`, false},
		{"wrong type context", `{"context":"p1"}`, false},
		{"wrong type prefetch", `{"prefetch":[]}`, false},
		{"wrong type authorization", `{"fhirAuthorization":{"expires_in":"soon"}}`, false},
		{"escaped prefetch key", `{"prefetch":{"p\u0061tient":{}}}`, false},
		{"invalid UTF-8 prefetch key", "{\"prefetch\":{\"p\xff\":{}}}", false},
		{"invalid UTF-8 hook", "{\"hook\":\"p\xff\"}", true},
		{"too deep", `{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Request
			if ok := decodeRequestFast([]byte(tt.in), &got); ok != tt.fast {
				t.Fatalf("decodeRequestFast = %v, want %v", ok, tt.fast)
			}
			checkRequestDecode(t, []byte(tt.in))
		})
	}
}

// checkRequestDecode fails when decodeRequestFast accepts data and decodes
// it otherwise than json.Unmarshal, or accepts what json.Unmarshal rejects.
func checkRequestDecode(t *testing.T, data []byte) {
	t.Helper()
	var got Request
	if !decodeRequestFast(data, &got) {
		return
	}
	var want Request
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("fast path accepted %q, json.Unmarshal says %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path decoded %q as\n%#v\njson.Unmarshal as\n%#v", data, got, want)
	}
}

// TestDecodeRequestFixtures decodes every fixture request on the fast path.
func TestDecodeRequestFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "fixtures", "requests", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixture requests: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var req Request
		if !decodeRequestFast(data, &req) {
			t.Errorf("%s: fast path declined", filepath.Base(p))
		}
		checkRequestDecode(t, data)
	}
}

// TestReadBody reads bodies with and without Content-Length, of the
// declared size or not, and over the limit.
func TestReadBody(t *testing.T) {
	body := strings.Repeat("x", 3000)
	tests := []struct {
		name          string
		contentLength int64
		limit         int64
		wantErr       bool
	}{
		{"exact Content-Length", 3000, 10000, false},
		{"unknown length", -1, 10000, false},
		{"short Content-Length", 10, 10000, false},
		{"long Content-Length", 5000, 10000, false},
		{"Content-Length over the limit", 3000, 100, true},
		{"unknown length over the limit", -1, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(strings.NewReader(body)))
			r.ContentLength = tt.contentLength
			got, err := readBody(httptest.NewRecorder(), r, tt.limit)
			if tt.wantErr {
				var tooBig *http.MaxBytesError
				if !errors.As(err, &tooBig) {
					t.Fatalf("err = %v, want *http.MaxBytesError", err)
				}
				return
			}
			if err != nil || string(got) != body {
				t.Fatalf("read %d bytes, err %v", len(got), err)
			}
		})
	}
}

// FuzzDecodeRequest checks that the fast path never disagrees with
// json.Unmarshal. Run with
// go test ./cdshooks -run '^$' -fuzz FuzzDecodeRequest -fuzztime 30s.
func FuzzDecodeRequest(f *testing.F) {
	for _, v := range []string{
		`{"hook":"patient-view","hookInstance":"i","fhirServer":"s","fhirAuthorization":{"access_token":"t","expires_in":1},"context":{"patientId":"p"},"prefetch":{"p":{"resourceType":"Patient"},"q":null},"extension":{}}`,
		`{"Hook":"a","PREFETCH":{"p":1},"hook":"b"}`,
		`{"prefetch":{"a":1,"a":2,"b\u0041":3},"x":[1,{"y":null}]}`,
		`{"hook":"\u00e9","context":{"patientId":5}}`,
		`null`, `[]`, `{}`,
	} {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRequestDecode(t, data)
	})
}
