package prefetch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// userTokens maps the resource type of context.userId to the user
// identifier token it defines (CDS Hooks 2.0 §Prefetch tokens).
func userTokens() map[string]string {
	return map[string]string{
		"Practitioner":     "userPractitionerId",
		"PractitionerRole": "userPractitionerRoleId",
		"Patient":          "userPatientId",
		"RelatedPerson":    "userRelatedPersonId",
	}
}

// Tokens builds Input.Context from the hook context. Only root-level fields
// with a primitive value are eligible, named "context.<name>"; the user
// identifier tokens come from context.userId "Type/id" (CDS Hooks 2.0
// §Prefetch tokens, CONFORMANCE.md D-7).
func Tokens(context map[string]json.RawMessage) map[string]string {
	out := map[string]string{}
	for name, raw := range context {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		switch raw[0] {
		case '"':
			var s string
			if json.Unmarshal(raw, &s) == nil {
				out["context."+name] = s
			}
		case '{', '[', 'n': // objects, arrays and null are not tokens
		default:
			if json.Valid(raw) {
				out["context."+name] = string(raw)
			}
		}
	}
	if typ, id, ok := strings.Cut(out["context.userId"], "/"); ok && id != "" {
		if token, known := userTokens()[typ]; known {
			out[token] = id
		}
	}
	return out
}

// tokenPattern matches one prefetch token, e.g. {{context.patientId}}.
var tokenPattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// fill substitutes the tokens of a template. Values are escaped for where
// they stand (path or query), so an id cannot change the query's meaning.
// A token without a value is a client error (ErrInvalid).
func fill(key, template string, tokens map[string]string) (string, error) {
	path, query, hasQuery := strings.Cut(template, "?")
	var missing string
	replace := func(s string, escape func(string) string) string {
		return tokenPattern.ReplaceAllStringFunc(s, func(m string) string {
			name := tokenPattern.FindStringSubmatch(m)[1]
			v, ok := tokens[name]
			if !ok || v == "" {
				if missing == "" {
					missing = name
				}
				return m
			}
			return escape(v)
		})
	}
	path = replace(path, url.PathEscape)
	query = replace(query, url.QueryEscape)
	if missing != "" {
		return "", fmt.Errorf("%w: key %q: template token %q has no value", ErrInvalid, key, missing)
	}
	if strings.Contains(path, "{{") || strings.Contains(query, "{{") {
		return "", fmt.Errorf("%w: key %q: malformed template token", ErrInvalid, key)
	}
	if hasQuery {
		return path + "?" + query, nil
	}
	return path, nil
}
