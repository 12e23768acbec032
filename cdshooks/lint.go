package cdshooks

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// prefetchTokens are the tokens a patient-view prefetch template may use
// (CDS Hooks 2.0 §Prefetch tokens; patient-view context fields that are
// "Prefetch Token: Yes"; CONFORMANCE.md D-7).
func prefetchTokens() []string {
	return []string{
		"context.userId", "context.patientId", "context.encounterId",
		"userPractitionerId", "userPractitionerRoleId", "userPatientId", "userRelatedPersonId",
	}
}

var (
	tokenPattern        = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	resourceTypePattern = regexp.MustCompile(`^[A-Z][A-Za-z]+$`)
	idPattern           = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
	paramNamePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	sortPattern         = regexp.MustCompile(`^-?_?[a-z][a-z0-9-]*$`)
	unsupportedPrefix   = regexp.MustCompile(`^(ne|sa|eb|ap)\d`)
)

// tokenPlaceholder replaces each token before the query is parsed, so that
// the structure can be checked independently of the token values.
const tokenPlaceholder = "TOKEN"

// LintTemplates checks prefetch templates against CDS Hooks 2.0:
//   - D-7: every {{token}} is a patient-view context field or a user
//     identifier token, and braces are balanced;
//   - D-8: each template is an instance read (Type/id) or a type-level search
//     (Type?params) using only the spec's query subset: token, reference and
//     date parameters (date prefixes eq, lt, gt, ge, le), the :in modifier,
//     _id, _count and _sort. _include, _revinclude, chained parameters,
//     other modifiers and other result parameters are refused, because EHRs
//     may refuse them and leave the key absent.
//
// All problems are reported, joined, sorted by key.
func LintTemplates(templates map[string]string) error {
	keys := make([]string, 0, len(templates))
	for k := range templates {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var errs []error
	for _, k := range keys {
		if k == "" {
			errs = append(errs, errors.New("prefetch key is empty"))
		}
		for _, problem := range lintTemplate(templates[k]) {
			errs = append(errs, fmt.Errorf("prefetch %q: %s", k, problem))
		}
	}
	return errors.Join(errs...)
}

func lintTemplate(t string) []string {
	var problems []string
	if strings.TrimSpace(t) == "" {
		return []string{"template is empty"}
	}
	for _, m := range tokenPattern.FindAllStringSubmatch(t, -1) {
		if !slices.Contains(prefetchTokens(), strings.TrimSpace(m[1])) {
			problems = append(problems, fmt.Sprintf("token {{%s}} is not a patient-view prefetch token", m[1]))
		}
	}
	if m := tokenPattern.FindAllStringSubmatch(t, -1); len(m) == 1 && m[0][0] == strings.TrimSpace(t) && strings.TrimSpace(m[0][1]) == "context.userId" {
		// "{{context.userId}}" alone is an instance read of the user, since
		// userId is [ResourceType]/[id] (the spec's own example).
		return problems
	}
	plain := tokenPattern.ReplaceAllString(t, tokenPlaceholder)
	if strings.ContainsAny(plain, "{}") {
		return append(problems, "unbalanced {{ }} braces")
	}
	path, query, isSearch := strings.Cut(plain, "?")
	if strings.Contains(path, "://") || strings.HasPrefix(path, "/") {
		return append(problems, "template must be relative to the FHIR base (Type/id or Type?query)")
	}
	segments := strings.Split(path, "/")
	if strings.Contains(segments[0], tokenPlaceholder) || !resourceTypePattern.MatchString(segments[0]) {
		return append(problems, fmt.Sprintf("%q is not a resource type", segments[0]))
	}
	switch {
	case len(segments) == 2 && !isSearch:
		if !idPattern.MatchString(segments[1]) {
			problems = append(problems, fmt.Sprintf("%q is not a resource id or token", segments[1]))
		}
		return problems
	case len(segments) != 1:
		return append(problems, "only instance reads (Type/id) and type-level searches (Type?query) are allowed")
	case !isSearch:
		return problems // Type alone: a type-level search without parameters
	}
	return append(problems, lintQuery(query)...)
}

func lintQuery(query string) []string {
	var problems []string
	if query == "" {
		return nil
	}
	for _, pair := range strings.Split(query, "&") {
		rawName, rawValue, ok := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if !ok || err1 != nil || err2 != nil || name == "" || value == "" {
			problems = append(problems, fmt.Sprintf("%q is not a name=value search parameter", pair))
			continue
		}
		if p := lintParam(name, value); p != "" {
			problems = append(problems, p)
		}
	}
	return problems
}

func lintParam(name, value string) string {
	switch name {
	case "_count":
		if n, err := strconv.Atoi(value); err != nil || n < 1 {
			return fmt.Sprintf("_count=%s is not a positive integer", value)
		}
		return ""
	case "_sort":
		for _, s := range strings.Split(value, ",") {
			if !sortPattern.MatchString(s) {
				return fmt.Sprintf("_sort=%s is not a list of parameter names", value)
			}
		}
		return ""
	case "_id":
		return ""
	}
	if strings.HasPrefix(name, "_") {
		return fmt.Sprintf("parameter %s is outside the prefetch query subset", name)
	}
	base, modifier, hasModifier := strings.Cut(name, ":")
	if strings.Contains(base, ".") {
		return fmt.Sprintf("chained parameter %s is outside the prefetch query subset", name)
	}
	if !paramNamePattern.MatchString(base) {
		return fmt.Sprintf("%q is not a search parameter name", name)
	}
	if hasModifier && modifier != "in" {
		return fmt.Sprintf("modifier :%s on %s is outside the prefetch query subset (only :in)", modifier, base)
	}
	for _, v := range strings.Split(value, ",") {
		if unsupportedPrefix.MatchString(v) {
			return fmt.Sprintf("%s=%s uses a date prefix outside eq, lt, gt, ge, le", name, value)
		}
	}
	return ""
}
