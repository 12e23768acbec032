package prefetch

import (
	"encoding/json"
	"errors"
)

// entry is one Bundle entry with the facts Resolve needs; raw is kept so the
// entry is passed on unchanged.
type entry struct {
	raw     json.RawMessage
	fullURL string
	mode    string // search.mode
	typ, id string
	medRef  string // medicationReference.reference
	failed  bool   // an OperationOutcome with an error or fatal issue
}

func (e entry) isOutcome() bool { return e.typ == "OperationOutcome" || e.mode == "outcome" }

func parseEntries(raws []json.RawMessage) ([]entry, error) {
	out := make([]entry, 0, len(raws))
	for _, raw := range raws {
		var e struct {
			FullURL string `json:"fullUrl"`
			Search  struct {
				Mode string `json:"mode"`
			} `json:"search"`
			Resource struct {
				ResourceType        string `json:"resourceType"`
				ID                  string `json:"id"`
				MedicationReference struct {
					Reference string `json:"reference"`
				} `json:"medicationReference"`
				Issue []struct {
					Severity string `json:"severity"`
				} `json:"issue"`
			} `json:"resource"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, errors.New("malformed Bundle entry")
		}
		en := entry{
			raw: raw, fullURL: e.FullURL, mode: e.Search.Mode,
			typ: e.Resource.ResourceType, id: e.Resource.ID,
			medRef: e.Resource.MedicationReference.Reference,
		}
		if en.typ == "OperationOutcome" {
			for _, is := range e.Resource.Issue {
				en.failed = en.failed || is.Severity == "error" || is.Severity == "fatal"
			}
		}
		out = append(out, en)
	}
	return out, nil
}

// searchset is the merged answer to a search: one Bundle, every page, no
// next link (the contract of Resolve).
type searchset struct {
	ResourceType string            `json:"resourceType"`
	Type         string            `json:"type"`
	Total        int               `json:"total"`
	Entry        []json.RawMessage `json:"entry,omitempty"`
}

// mergeEntries builds the merged Bundle. Outcome entries are dropped (a
// failed one never gets here) and an entry seen on two pages is kept once,
// because offset paging over changing data can repeat entries.
func mergeEntries(entries []entry) (json.RawMessage, error) {
	b := searchset{ResourceType: "Bundle", Type: "searchset"}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.isOutcome() {
			continue
		}
		if e.typ != "" && e.id != "" {
			k := e.typ + "/" + e.id
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		if e.mode != "include" {
			b.Total++
		}
		b.Entry = append(b.Entry, e.raw)
	}
	return json.Marshal(b)
}
