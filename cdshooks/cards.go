package cdshooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"ombc-cds/logic"
)

// RuleSystem is the code system of the rule codes of RULES.md, used in
// card.source.topic.
const RuleSystem = "urn:ombc-cds:rule"

// OverrideReasonSystem is the code system of the override reasons the cards
// offer (card.overrideReasons).
const OverrideReasonSystem = "urn:ombc-cds:override-reason"

// maxSummaryRunes is the exclusive bound of "<140-character summary" (CDS
// Hooks 2.0 §Card Attributes; Inferno flags 140 and more, CONFORMANCE.md O-4).
const maxSummaryRunes = 140

// OverrideReasons returns the reasons a clinician can give for dismissing a
// card. Each has code, system and display (CDS Hooks 2.0 §Card Attributes:
// "the CDS Service MUST populate a display value", CONFORMANCE.md O-8). A
// fresh slice is returned on every call.
func OverrideReasons() []Coding {
	return []Coding{
		{System: OverrideReasonSystem, Code: "already-addressed", Display: "Already addressed"},
		{System: OverrideReasonSystem, Code: "not-clinically-appropriate", Display: "Not clinically appropriate for this patient"},
		{System: OverrideReasonSystem, Code: "patient-declined", Display: "Patient declined"},
		{System: OverrideReasonSystem, Code: "data-incorrect", Display: "Patient data shown is incorrect or incomplete"},
		{System: OverrideReasonSystem, Code: "decided-at-tumour-board", Display: "Decided otherwise at tumour board"},
	}
}

// Cards turns recommendations into CDS Hooks cards, in order. It returns a
// non-nil slice ("cards": [] when there is no advice, O-2) and builds no
// empty member anywhere (G-2). Each card gets CardUUID(hookInstance, code);
// each suggestion gets SuggestionUUID and one `create` action per order,
// carrying the resource draft(order, patientID) returns.
//
// A recommendation that would break the spec (empty code, summary or source
// label, a summary of 140 characters or more, suggestions without a
// selection behaviour or with more than one recommended under at-most-one,
// a link or source URL that is not absolute https) is an error: the rule
// book is then wrong, and the caller answers 500 rather than send an invalid
// card.
func Cards(recs []logic.Recommendation, hookInstance string, draft DraftFunc, patientID string) ([]Card, error) {
	cards := make([]Card, 0, len(recs))
	for _, rec := range recs {
		c, err := card(rec, hookInstance, draft, patientID)
		if err != nil {
			return nil, fmt.Errorf("card for rule %q: %w", rec.Code, err)
		}
		cards = append(cards, c)
	}
	return cards, nil
}

func card(rec logic.Recommendation, hookInstance string, draft DraftFunc, patientID string) (Card, error) {
	switch {
	case rec.Code == "":
		return Card{}, errors.New("empty rule code")
	case strings.TrimSpace(rec.Summary) == "":
		return Card{}, errors.New("empty summary")
	case utf8.RuneCountInString(rec.Summary) >= maxSummaryRunes:
		return Card{}, fmt.Errorf("summary has %d characters; the spec requires fewer than %d", utf8.RuneCountInString(rec.Summary), maxSummaryRunes)
	case strings.TrimSpace(rec.SourceLabel) == "":
		return Card{}, errors.New("empty source label")
	}
	c := Card{
		UUID:      CardUUID(hookInstance, rec.Code),
		Summary:   rec.Summary,
		Detail:    safeMarkdown(rec.Detail),
		Indicator: rec.Indicator.String(),
		Source: Source{
			Label: rec.SourceLabel,
			Topic: &Coding{System: RuleSystem, Code: rec.Code, Display: rec.Title},
		},
		OverrideReasons: OverrideReasons(),
	}
	if rec.SourceURL != "" {
		if err := checkHTTPS(rec.SourceURL); err != nil {
			return Card{}, fmt.Errorf("source url: %w", err)
		}
		c.Source.URL = rec.SourceURL
	}
	suggestions, err := cardSuggestions(rec, hookInstance, draft, patientID)
	if err != nil {
		return Card{}, err
	}
	if len(suggestions) > 0 {
		c.Suggestions = suggestions
		c.SelectionBehavior = rec.Selection.String()
	}
	for _, l := range rec.Links {
		if strings.TrimSpace(l.Label) == "" {
			return Card{}, errors.New("link without label")
		}
		if err := checkHTTPS(l.URL); err != nil {
			return Card{}, fmt.Errorf("link %q: %w", l.Label, err)
		}
		c.Links = append(c.Links, Link{Label: l.Label, URL: l.URL, Type: "absolute"})
	}
	return c, nil
}

func cardSuggestions(rec logic.Recommendation, hookInstance string, draft DraftFunc, patientID string) ([]Suggestion, error) {
	if len(rec.Suggestions) == 0 {
		return nil, nil
	}
	// "If suggestions are present, selectionBehavior MUST also be provided"
	// (CDS Hooks 2.0 §Card Attributes, O-6).
	if rec.Selection == logic.SelectNone {
		return nil, errors.New("suggestions without a selection behaviour")
	}
	var out []Suggestion
	recommended := 0
	for i, s := range rec.Suggestions {
		if strings.TrimSpace(s.Label) == "" {
			return nil, fmt.Errorf("suggestion %d has no label", i)
		}
		sug := Suggestion{Label: s.Label, UUID: SuggestionUUID(hookInstance, rec.Code, i), IsRecommended: s.Recommended}
		if s.Recommended {
			recommended++
		}
		for _, o := range s.Orders {
			a, err := createAction(o, draft, patientID)
			if err != nil {
				return nil, fmt.Errorf("suggestion %d: %w", i, err)
			}
			sug.Actions = append(sug.Actions, a)
		}
		out = append(out, sug)
	}
	// 3.0 invariant cds-resp-1: at-most-one allows at most one recommended.
	if rec.Selection == logic.SelectAtMostOne && recommended > 1 {
		return nil, fmt.Errorf("%d suggestions recommended under at-most-one", recommended)
	}
	return out, nil
}

func createAction(o logic.Order, draft DraftFunc, patientID string) (Action, error) {
	if strings.TrimSpace(o.Label) == "" {
		return Action{}, fmt.Errorf("order %q has no label", o.Code)
	}
	if draft == nil {
		return Action{}, fmt.Errorf("order %q: no draft function configured", o.Code)
	}
	res, err := draft(o, patientID)
	if err != nil {
		return Action{}, fmt.Errorf("draft %q: %w", o.Code, err)
	}
	if plainResource(res) {
		return Action{Type: "create", Description: o.Label, Resource: res}, nil
	}
	// A create action "SHALL contain a new FHIR resource" (§Action): a JSON
	// object with a resourceType.
	var probe struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(res, &probe); err != nil || probe.ResourceType == "" {
		return Action{}, fmt.Errorf("draft %q is not a FHIR resource", o.Code)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, res); err != nil {
		return Action{}, fmt.Errorf("draft %q: %w", o.Code, err)
	}
	return Action{Type: "create", Description: o.Label, Resource: compact.Bytes()}, nil
}

// checkHTTPS accepts only absolute https URLs with a host: clients render
// links as clickable, so nothing else is allowed through (CONFORMANCE.md
// O-5, S-12).
func checkHTTPS(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid url: %w", err)
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute https url", raw)
	}
	return nil
}

// safeMarkdown neutralises raw HTML in card detail. The sandbox renders
// detail with rehype-raw, so a tag would execute as markup (CONFORMANCE.md
// O-12); "&lt;" renders as a literal "<" in GitHub Flavored Markdown.
func safeMarkdown(s string) string {
	return strings.ReplaceAll(s, "<", "&lt;")
}

// resourceTypeKey is the member a FHIR resource starts with when written by
// json.Marshal from a struct declaring it first, as fhirmap.Draft does.
const resourceTypeKey = `"resourceType"`

// plainResource reports whether res passes createAction's checks with
// nothing to change, decided without json.Unmarshal and json.Compact: res is
// compact valid JSON that json.Marshal copies verbatim (rawVerbatim), ASCII
// without escapes (so names are matched literally, not after unescaping or
// Unicode case folding), an object whose first member is "resourceType"
// with a non-empty string value, and no other name matches "resourceType"
// case-insensitively, as encoding/json matches names. Anything else takes
// the json.Unmarshal and json.Compact path, which stays the reference.
func plainResource(res []byte) bool {
	const prefix = "{" + resourceTypeKey + `:"`
	if len(res) <= len(prefix) || string(res[:len(prefix)]) != prefix || res[len(prefix)] == '"' {
		return false
	}
	keys := 0
	for i, c := range res {
		if c >= utf8.RuneSelf || c == '\\' {
			return false
		}
		if c == '"' && i+len(resourceTypeKey) <= len(res) && res[i+1]|0x20 == 'r' && strings.EqualFold(string(res[i:i+len(resourceTypeKey)]), resourceTypeKey) {
			keys++
		}
	}
	return keys == 1 && rawVerbatim(res)
}
