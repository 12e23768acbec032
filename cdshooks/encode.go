package cdshooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// writeJSON answers v as JSON. Every JSON body carries
// Content-Type: application/json (CONFORMANCE.md G-1).
//
// A Response, the hot path, is encoded by marshalResponse into a pooled
// buffer; its bytes are those of json.Marshal.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if r, ok := v.(Response); ok {
		if p, err := marshalResponse(r); err == nil {
			writeBody(w, status, *p)
			putRespBuf(p)
			return
		}
	}
	body, err := json.Marshal(v)
	if err != nil {
		// Only unmarshalable values (channels, funcs) fail here: a
		// programming error, answered without echoing it.
		status = http.StatusInternalServerError
		body = []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception","diagnostics":"internal error"}]}`)
	}
	writeBody(w, status, body)
}

// writeBody answers body, a JSON document, with status.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// decode reads the request body, at most limit bytes, into v. It never
// disallows unknown fields: the spec reserves `extension` and later versions
// add members (CONFORMANCE.md G-3, G-4). Errors are *Error values saying
// what is wrong and where.
//
// A *Request is decoded by decodeRequestFast when it can: its Prefetch
// values are then slices of the body, which the Request owns from then on.
// Whatever that declines is decoded by json.Unmarshal, whose semantics and
// error messages are the reference.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	data, err := readBody(w, r, limit)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too-costly",
				Message: fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit)}
		}
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: "could not read request body", Err: err}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errBadRequest("request body is empty; expected a JSON object")
	}
	if req, ok := v.(*Request); ok {
		if decodeRequestFast(data, req) {
			return nil
		}
		*req = Request{} // drop what the fast path decoded before it declined
	}
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(data, err)
	}
	return nil
}

// readBody reads the body through http.MaxBytesReader, so that a body over
// limit fails with *http.MaxBytesError. io.ReadAll started at 512 bytes and
// doubled, copying a typical 24 KB request six times; with a Content-Length
// within limit the buffer is allocated once, one byte larger so that the
// final read of EOF does not grow it.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	size := int64(512)
	if n := r.ContentLength; n > 0 && n <= limit {
		size = n + 1
	}
	buf := make([]byte, 0, size)
	for {
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append pick the growth
		}
	}
}

// jsonError turns a json.Unmarshal error into a 400 that says where the
// problem is: byte offset, line and column for syntax errors; the field and
// the expected type for type errors.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read including the offending one; report
		// the offending byte itself (0-based offset, 1-based line/column).
		at := max(syn.Offset-1, 0)
		line, col := lineColumn(data, at)
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Err: err,
			Message: fmt.Sprintf("malformed JSON at byte offset %d (line %d, column %d): %s", at, line, col, syn.Error())}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		line, col := lineColumn(data, max(typ.Offset-1, 0))
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Err: err,
			Message: fmt.Sprintf("field %q: expected %s, got JSON %s (line %d, column %d)", field, jsonTypeName(typ.Type.Kind().String()), typ.Value, line, col)}
	}
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: "malformed JSON", Err: err}
}

// jsonTypeName names a Go kind in JSON terms for the client.
func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return kind
}

// lineColumn converts a byte offset into a 1-based line and column.
func lineColumn(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
