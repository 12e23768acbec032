package fhirsearch

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// defaultPageSize is the page size when neither Server.PageSize nor _count
// is given.
const defaultPageSize = 50

// offsetParam carries the paging position in next links; it is the
// server's own parameter (FHIR R4 §3.1.1.6 leaves paging links opaque).
const offsetParam = "_offset"

// Server is a read-only FHIR R4 REST server over an Index: GET [type]/[id]
// and GET [type]?params with paging, as a loopback stand-in for an EHR's
// fhirServer in tests.
type Server struct {
	Index    *Index
	PageSize int           // entries per page when _count is absent; default 50
	Latency  time.Duration // delay before every answer, to test deadlines and concurrency
	Token    string        // when set, requests must carry "Authorization: Bearer <Token>"
	// Fail, when set and returning a non-zero status, makes the server
	// answer that status with an OperationOutcome (failure injection).
	Fail func(r *http.Request) int
}

// ServeHTTP answers FHIR REST reads and searches. The resource type is the
// last path segment of a search and the second last of a read, so the
// server works under any base path (e.g. httptest's root or "/fhir").
// Errors carry an OperationOutcome body (FHIR R4 §3.1.0.4).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Latency > 0 {
		t := time.NewTimer(s.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if s.Fail != nil {
		if status := s.Fail(r); status != 0 {
			writeOutcome(w, status, "exception", "injected failure")
			return
		}
	}
	if s.Token != "" && !bearerMatches(r.Header.Get("Authorization"), s.Token) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fhir"`)
		writeOutcome(w, http.StatusUnauthorized, "login", "missing or invalid bearer token")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeOutcome(w, http.StatusMethodNotAllowed, "not-supported", "read-only server")
		return
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	n := len(segs)
	switch {
	case n >= 2 && isTypeName(segs[n-2]) && isID(segs[n-1]):
		s.read(w, segs[n-2], segs[n-1])
	case n >= 1 && isTypeName(segs[n-1]):
		s.search(w, r, segs[n-1])
	default:
		writeOutcome(w, http.StatusNotFound, "not-found", "unknown path")
	}
}

func bearerMatches(header, token string) bool {
	got, ok := strings.CutPrefix(header, "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

func (s *Server) read(w http.ResponseWriter, typ, id string) {
	raw, ok := s.Index.Read(typ, id)
	if !ok {
		writeOutcome(w, http.StatusNotFound, "not-found", "resource not found")
		return
	}
	writeJSON(w, http.StatusOK, raw)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, typ string) {
	values := r.URL.Query()
	offset := 0
	if v := values.Get(offsetParam); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeOutcome(w, http.StatusBadRequest, "invalid", "bad paging offset")
			return
		}
		offset = n
	}
	values.Del(offsetParam)
	q, err := s.Index.parseSearch(typ, values)
	if err != nil {
		code := "invalid"
		if errors.Is(err, ErrUnsupported) {
			code = "not-supported"
		}
		writeOutcome(w, http.StatusBadRequest, code, err.Error())
		return
	}
	size := s.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	if q.hasCount {
		size = q.count
	}
	matches := s.Index.run(q)
	total := len(matches)
	page := matches[min(offset, total):min(offset+size, total)]

	origin := "http://" + r.Host
	if r.TLS != nil {
		origin = "https://" + r.Host
	}
	base := origin + strings.TrimSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/"+typ)
	pageURL := func(off int) string {
		v := url.Values{}
		for k, vs := range values {
			v[k] = vs
		}
		v.Set("_count", strconv.Itoa(size))
		v.Set(offsetParam, strconv.Itoa(off))
		return origin + r.URL.Path + "?" + v.Encode()
	}
	links := []bundleLink{{Relation: "self", URL: pageURL(offset)}}
	if size > 0 && offset+size < total {
		links = append(links, bundleLink{Relation: "next", URL: pageURL(offset + size)})
	}
	body, err := s.Index.newSearchset(base, total, links, page, nil)
	if err != nil {
		writeOutcome(w, http.StatusInternalServerError, "exception", "cannot encode bundle")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeOutcome answers an error with an OperationOutcome (FHIR R4
// OperationOutcome; issue.code from the IssueType value set).
func writeOutcome(w http.ResponseWriter, status int, code, text string) {
	type issue struct {
		Severity    string `json:"severity"`
		Code        string `json:"code"`
		Diagnostics string `json:"diagnostics"`
	}
	body, _ := json.Marshal(struct {
		ResourceType string  `json:"resourceType"`
		Issue        []issue `json:"issue"`
	}{"OperationOutcome", []issue{{"error", code, text}}})
	writeJSON(w, status, body)
}
