package fhirsearch

import (
	"net/url"
	"strings"
)

// isTypeName reports whether s looks like a FHIR resource type name
// (an upper-case letter followed by letters), which is how a relative
// reference "Type/id" and a REST path are told apart from other segments.
func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// isID reports whether s is a valid FHIR id (FHIR R4 §2.24.0.1 id:
// [A-Za-z0-9\-\.]{1,64}).
func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// literalKey turns a literal reference into "Type/id": relative ("Type/id"),
// absolute ("https://host/base/Type/id") and versioned ("…/_history/n")
// forms are accepted (FHIR R4 §2.3.0 Resource references). Anything else
// (urn:uuid, conditional, contained "#id") gives false.
func literalKey(ref string) (string, bool) {
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "urn:") || strings.Contains(ref, "?") {
		return "", false
	}
	segs := strings.Split(strings.TrimSuffix(ref, "/"), "/")
	if n := len(segs); n >= 4 && segs[n-2] == "_history" {
		segs = segs[:n-2]
	}
	n := len(segs)
	if n < 2 || !isTypeName(segs[n-2]) || !isID(segs[n-1]) {
		return "", false
	}
	if n > 2 && !strings.Contains(ref, "://") {
		return "", false
	}
	return segs[n-2] + "/" + segs[n-1], true
}

// splitKey splits "Type/id" into its parts.
func splitKey(key string) (typ, id string) {
	typ, id, _ = strings.Cut(key, "/")
	return typ, id
}

// conditionalIdentifier parses a conditional reference of the form
// "Type?identifier=system|value", the form Synthea's US Core exporter writes
// for Practitioner, Organization and Location (Exafluence bundles).
func conditionalIdentifier(ref string) (typ, system, value string, ok bool) {
	typ, rawQuery, found := strings.Cut(ref, "?")
	if !found || !isTypeName(typ) {
		return "", "", "", false
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil || len(q) != 1 || len(q["identifier"]) != 1 {
		return "", "", "", false
	}
	system, value, found = strings.Cut(q["identifier"][0], "|")
	if !found {
		return "", "", "", false
	}
	return typ, system, value, true
}
