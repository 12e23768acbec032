package prefetch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// kind tells what a template asks for: an instance read or a type search.
type kind struct {
	typ  string // resource type read or searched
	read bool
}

func templateKind(template string) kind {
	path, _, hasQuery := strings.Cut(template, "?")
	typ, _, isRead := strings.Cut(path, "/")
	return kind{typ: typ, read: isRead && !hasQuery}
}

// action is what Resolve does with one key.
type action int

const (
	actUse       action = iota // the prefetched value (or null) is the answer
	actFetch                   // fetch the whole answer from fhirServer
	actFetchRest               // keep the entries, fetch the remaining pages from next
)

type decision struct {
	act     action
	value   json.RawMessage // actUse
	next    string          // actFetchRest
	entries []entry         // actFetchRest: entries already received
}

// head is the part of a resource or Bundle that classification reads.
type head struct {
	ResourceType string            `json:"resourceType"`
	Link         []link            `json:"link"`
	Entry        []json.RawMessage `json:"entry"`
}

type link struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

func nextLink(links []link) string {
	for _, l := range links {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// classify applies the P-1 states of CONFORMANCE.md (CDS Hooks 2.0
// §Prefetch Template) to one key. A value that does not satisfy its template
// (an OperationOutcome, a Bundle of outcomes, the wrong resource type) is
// fetched, because "it is the CDS Service's responsibility to check
// prefetched data against its template … and to programmatically retrieve
// any additional necessary data" (P-2). Only a value that is not JSON, or not
// an object or null, is a client error.
//
// Most values are decided by classifyFast, which reads only the members P-1
// needs; the values it leaves (unusual shapes, errors, next links) are
// decoded by classifyDecode, which defines the semantics.
func classify(key string, k kind, raw json.RawMessage, present bool) (decision, error) {
	if !present {
		return decision{act: actFetch}, nil
	}
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return decision{act: actUse, value: json.RawMessage("null")}, nil
	}
	if len(raw) > 0 && raw[0] == '{' {
		if d, ok := classifyFast(k, raw); ok {
			return d, nil
		}
	}
	return classifyDecode(key, k, raw)
}

// classifyDecode is classify with encoding/json on a trimmed present value:
// the reference semantics, used for whatever classifyFast does not decide.
func classifyDecode(key string, k kind, raw json.RawMessage) (decision, error) {
	if !json.Valid(raw) {
		return decision{}, fmt.Errorf("%w: key %q: prefetch value is not JSON", ErrInvalid, key)
	}
	if string(raw) == "null" {
		return decision{act: actUse, value: json.RawMessage("null")}, nil
	}
	if raw[0] != '{' {
		return decision{}, fmt.Errorf("%w: key %q: prefetch value is neither an object nor null", ErrInvalid, key)
	}
	var h head
	if err := json.Unmarshal(raw, &h); err != nil {
		return decision{}, fmt.Errorf("%w: key %q: prefetch value has a malformed Bundle shape", ErrInvalid, key)
	}
	switch {
	case h.ResourceType == "OperationOutcome":
		return decision{act: actFetch}, nil
	case k.read:
		if h.ResourceType == k.typ {
			return decision{act: actUse, value: raw}, nil
		}
		return decision{act: actFetch}, nil
	case h.ResourceType != "Bundle":
		return decision{act: actFetch}, nil
	}
	entries, err := parseEntries(h.Entry)
	if err != nil {
		return decision{}, fmt.Errorf("%w: key %q: %w", ErrInvalid, key, err)
	}
	outcomes, failed := 0, false
	for _, e := range entries {
		if e.isOutcome() {
			outcomes++
			failed = failed || e.failed
		}
	}
	if failed || (outcomes > 0 && outcomes == len(entries)) {
		return decision{act: actFetch}, nil
	}
	if next := nextLink(h.Link); next != "" {
		return decision{act: actFetchRest, next: next, entries: entries}, nil
	}
	return decision{act: actUse, value: raw}, nil
}
