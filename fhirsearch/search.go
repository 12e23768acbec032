package fhirsearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrUnsupported is returned for a query outside the subset this engine
// implements (see the package documentation); a FHIR server answers such a
// query with 400, which is what Server does.
var ErrUnsupported = errors.New("fhirsearch: unsupported query")

// ErrBadQuery is returned for a malformed query or parameter value.
var ErrBadQuery = errors.New("fhirsearch: bad query")

// searchQuery is a parsed type search.
type searchQuery struct {
	typ      string
	filters  []func(*resource) bool
	sortDesc bool
	sorted   bool
	count    int
	hasCount bool
}

// Search answers a type search such as
// "Observation?patient=123&code=http://loinc.org|85337-4,http://loinc.org|85339-0"
// with every matching resource, sorted as _sort asks (otherwise in the order
// the resources were indexed). _count is validated but does not truncate the
// result: it is a page size, which Server applies when it pages.
func (x *Index) Search(query string) ([]json.RawMessage, error) {
	typ, rawQuery, _ := strings.Cut(query, "?")
	if !isTypeName(typ) {
		return nil, fmt.Errorf("%w: %q is not a type search", ErrBadQuery, typ)
	}
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	q, err := x.parseSearch(typ, values)
	if err != nil {
		return nil, err
	}
	return x.raws(x.run(q)), nil
}

func (x *Index) raws(rs []*resource) []json.RawMessage {
	out := make([]json.RawMessage, len(rs))
	for i, r := range rs {
		out[i] = bytes.Clone(r.json(x))
	}
	return out
}

func (x *Index) run(q searchQuery) []*resource {
	var out []*resource
	var all []resource
	if t := x.types[q.typ]; t != nil {
		all = t.load(x)
	}
next:
	for i := range all {
		r := &all[i]
		for _, f := range q.filters {
			if !f(r) {
				continue next
			}
		}
		out = append(out, r)
	}
	if q.sorted {
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i], out[j]
			if a.hasDate != b.hasDate {
				return a.hasDate // resources without a date go last
			}
			if q.sortDesc {
				return a.date.After(b.date)
			}
			return a.date.Before(b.date)
		})
	}
	return out
}

func (x *Index) parseSearch(typ string, values url.Values) (searchQuery, error) {
	q := searchQuery{typ: typ}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		base, modifier, hasModifier := strings.Cut(name, ":")
		if hasModifier {
			return q, fmt.Errorf("%w: modifier :%s on %s", ErrUnsupported, modifier, base)
		}
		for _, value := range values[name] {
			if err := x.addParam(&q, base, value); err != nil {
				return q, err
			}
		}
	}
	return q, nil
}

func (x *Index) addParam(q *searchQuery, name, value string) error {
	switch name {
	case "_format":
		return nil // always JSON; see the package documentation
	case "_count":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: _count=%q", ErrBadQuery, value)
		}
		q.count, q.hasCount = n, true
	case "_sort":
		if dateElements(q.typ) == nil || (value != "date" && value != "-date") {
			return fmt.Errorf("%w: _sort=%s on %s", ErrUnsupported, value, q.typ)
		}
		q.sorted, q.sortDesc = true, value == "-date"
	case "_id":
		ids := strings.Split(value, ",")
		q.filters = append(q.filters, func(r *resource) bool { return slices.Contains(ids, r.id) })
	case "patient", "subject":
		f, err := x.referenceFilter(name, value)
		if err != nil {
			return err
		}
		q.filters = append(q.filters, f)
	case "code", "category":
		if (name == "code" && codeElement(q.typ) == "") || (name == "category" && !hasCategory(q.typ)) {
			return fmt.Errorf("%w: %s on %s", ErrUnsupported, name, q.typ)
		}
		f, err := tokenFilter(name, value)
		if err != nil {
			return err
		}
		q.filters = append(q.filters, f)
	case "date":
		if dateElements(q.typ) == nil {
			return fmt.Errorf("%w: date on %s", ErrUnsupported, q.typ)
		}
		f, err := dateFilter(value)
		if err != nil {
			return err
		}
		q.filters = append(q.filters, f)
	default:
		return fmt.Errorf("%w: parameter %s", ErrUnsupported, name)
	}
	return nil
}

// referenceFilter matches the patient or subject reference parameters. A
// value is a relative or absolute reference, a bare id (a Patient id for
// "patient"; any type for "subject") or a urn:uuid fullUrl.
func (x *Index) referenceFilter(name, value string) (func(*resource) bool, error) {
	var keys, bareIDs []string
	for _, v := range strings.Split(value, ",") {
		switch key, ok := x.referenceValue(v); {
		case ok:
			if name == "patient" && !strings.HasPrefix(key, "Patient/") {
				return nil, fmt.Errorf("%w: patient=%q is not a Patient reference", ErrBadQuery, v)
			}
			keys = append(keys, key)
		case isID(v) && name == "patient":
			keys = append(keys, "Patient/"+v)
		case isID(v):
			bareIDs = append(bareIDs, v)
		default:
			return nil, fmt.Errorf("%w: %s=%q", ErrBadQuery, name, v)
		}
	}
	return func(r *resource) bool {
		if name == "patient" && slices.Contains(keys, r.patient) {
			return true
		}
		if r.subject == "" {
			return false
		}
		_, id := splitKey(r.subject)
		return slices.Contains(keys, r.subject) || slices.Contains(bareIDs, id)
	}, nil
}

// referenceValue resolves a reference parameter value to "Type/id".
func (x *Index) referenceValue(v string) (string, bool) {
	if key, ok := x.fullURLs[v]; ok {
		return key, true
	}
	if id, ok := strings.CutPrefix(v, "urn:uuid:"); ok && isID(id) {
		return "Patient/" + id, true
	}
	return literalKey(v)
}

// tokenFilter matches a token parameter: "system|code", "|code" (no system),
// "code" (any system) or "system|" (any code); a comma means OR.
func tokenFilter(name, value string) (func(*resource) bool, error) {
	type token struct {
		system, code string
		anySystem    bool
	}
	var tokens []token
	for _, v := range strings.Split(value, ",") {
		system, code, hasBar := strings.Cut(v, "|")
		if !hasBar {
			system, code = "", v
		}
		if code == "" && system == "" {
			return nil, fmt.Errorf("%w: empty token in %s", ErrBadQuery, name)
		}
		tokens = append(tokens, token{system: system, code: code, anySystem: !hasBar})
	}
	return func(r *resource) bool {
		list := r.codes
		if name == "category" {
			list = r.categories
		}
		for _, c := range list {
			for _, t := range tokens {
				systemOK := t.anySystem || c.system == t.system
				codeOK := t.code == "" || c.code == t.code
				if systemOK && codeOK {
					return true
				}
			}
		}
		return false
	}, nil
}

// dateFilter matches the date parameter with the eq, lt, gt, ge and le
// prefixes allowed by CDS Hooks 2.0 §Prefetch query restrictions, comparing
// ranges as FHIR R4 §3.1.1.5.5 (date) describes.
func dateFilter(value string) (func(*resource) bool, error) {
	type bound struct {
		prefix string
		lo, hi time.Time
	}
	var bounds []bound
	for _, v := range strings.Split(value, ",") {
		prefix := "eq"
		if len(v) > 2 && isLower(v[0]) && isLower(v[1]) && v[2] >= '0' && v[2] <= '9' {
			prefix, v = v[:2], v[2:]
		}
		switch prefix {
		case "eq", "lt", "gt", "ge", "le":
		default:
			return nil, fmt.Errorf("%w: date prefix %s", ErrUnsupported, prefix)
		}
		lo, hi, ok := parseDateRange(v)
		if !ok {
			return nil, fmt.Errorf("%w: date=%q", ErrBadQuery, v)
		}
		bounds = append(bounds, bound{prefix, lo, hi})
	}
	return func(r *resource) bool {
		if !r.hasDate {
			return false
		}
		rlo, rhi := r.date, r.dateEnd
		for _, b := range bounds {
			var ok bool
			switch b.prefix {
			case "eq":
				ok = !rlo.Before(b.lo) && !rhi.After(b.hi)
			case "lt":
				ok = rlo.Before(b.lo)
			case "le":
				ok = rlo.Before(b.hi)
			case "gt":
				ok = rhi.After(b.hi)
			case "ge":
				ok = rhi.After(b.lo)
			}
			if ok {
				return true
			}
		}
		return false
	}, nil
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
