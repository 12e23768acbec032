package fhirsearch

import "encoding/json"

// searchset is the JSON shape of a FHIR R4 searchset Bundle.
type searchset struct {
	ResourceType string       `json:"resourceType"`
	Type         string       `json:"type"`
	Total        int          `json:"total"`
	Link         []bundleLink `json:"link,omitempty"`
	Entry        []entry      `json:"entry,omitempty"`
}

type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type entry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource"`
	Search   entrySearch     `json:"search"`
}

type entrySearch struct {
	Mode string `json:"mode"`
}

// newSearchset builds a searchset Bundle: matches get search.mode "match",
// includes "include" (FHIR R4 Bundle.entry.search.mode). base, when not
// empty, gives each entry an absolute fullUrl as a FHIR server does.
func (x *Index) newSearchset(base string, total int, links []bundleLink, matches, includes []*resource) ([]byte, error) {
	b := searchset{ResourceType: "Bundle", Type: "searchset", Total: total, Link: links}
	add := func(rs []*resource, mode string) {
		for _, r := range rs {
			e := entry{Resource: r.json(x), Search: entrySearch{Mode: mode}}
			if base != "" {
				e.FullURL = base + "/" + r.typ + "/" + r.id
			}
			b.Entry = append(b.Entry, e)
		}
	}
	add(matches, "match")
	add(includes, "include")
	return json.Marshal(b)
}

// isMedicationUse reports whether resources of the type point at their drug
// through medication[x], the only place the prefetch contract adds includes.
func isMedicationUse(typ string) bool {
	switch typ {
	case "MedicationRequest", "MedicationStatement", "MedicationAdministration":
		return true
	}
	return false
}

// medicationIncludes returns the indexed Medication resources referenced by
// medicationReference from matches, each once, in order of first reference.
func (x *Index) medicationIncludes(matches []*resource) []*resource {
	seen := map[string]bool{}
	for _, r := range matches {
		seen[r.typ+"/"+r.id] = true
	}
	var out []*resource
	for _, r := range matches {
		if r.medication == "" || seen[r.medication] {
			continue
		}
		seen[r.medication] = true
		if m, ok := x.lookup(splitKey(r.medication)); ok {
			out = append(out, m)
		}
	}
	return out
}
