package cdshooks

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Service is one entry of the discovery response (CDS Hooks 2.0 §Discovery
// Response). Hook, Description and ID are REQUIRED and checked by
// NewHandler; every optional field is omitted when empty (CONFORMANCE.md G-2).
type Service struct {
	Hook              string            `json:"hook,omitempty"`
	Title             string            `json:"title,omitempty"`
	Description       string            `json:"description,omitempty"`
	ID                string            `json:"id,omitempty"`
	Prefetch          map[string]string `json:"prefetch,omitempty"`
	UsageRequirements string            `json:"usageRequirements,omitempty"`
}

// discoveryResponse is the body of GET /cds-services. Services is never nil
// so that "no services" is the empty array the spec asks for (D-4).
type discoveryResponse struct {
	Services []Service `json:"services"`
}

// Request is a CDS Hooks 2.0 service call (§Calling a CDS Service). Unknown
// members are ignored on purpose (G-3, G-4): the decoder never disallows
// unknown fields.
type Request struct {
	Hook              string                     `json:"hook"`
	HookInstance      string                     `json:"hookInstance"`
	FHIRServer        string                     `json:"fhirServer,omitempty"`
	FHIRAuthorization *FHIRAuthorization         `json:"fhirAuthorization,omitempty"`
	Context           map[string]json.RawMessage `json:"context"`
	// Prefetch keeps each key's raw JSON. A key sent as null is present with
	// the value `null`, an absent key is missing from the map: the two mean
	// different things (CDS Hooks 2.0 §Prefetch Template, CONFORMANCE.md P-1).
	// The values may be slices of the request body rather than copies (the
	// body is parsed once); the Request owns that buffer, so callers must not
	// modify the values.
	Prefetch  map[string]json.RawMessage `json:"prefetch,omitempty"`
	Extension json.RawMessage            `json:"extension,omitempty"`
}

// PatientID returns context.patientId, or "" when it is absent or not a
// string.
func (r *Request) PatientID() string { return r.contextString("patientId") }

// UserID returns context.userId ("Practitioner/123"), or "" when it is
// absent or not a string.
func (r *Request) UserID() string { return r.contextString("userId") }

// EncounterID returns context.encounterId, or "" when it is absent or not a
// string (it is OPTIONAL for patient-view).
func (r *Request) EncounterID() string { return r.contextString("encounterId") }

func (r *Request) contextString(name string) string {
	raw, ok := r.Context[name]
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return ""
	}
	return s
}

// FHIRAuthorization is the OAuth 2.0 access token the client passes for its
// FHIR server (CDS Hooks 2.0 §Passing the Access Token to the CDS Service).
// The token is transient: it must never be stored or logged, so the
// type redacts it in both slog and fmt output.
type FHIRAuthorization struct {
	AccessToken string `json:"access_token,omitempty"`
	TokenType   string `json:"token_type,omitempty"`
	ExpiresIn   int    `json:"expires_in,omitempty"`
	Scope       string `json:"scope,omitempty"`
	Subject     string `json:"subject,omitempty"`
	Patient     string `json:"patient,omitempty"`
}

// LogValue implements slog.LogValuer. It omits the access token and the
// patient (patient data is never logged).
func (a FHIRAuthorization) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_token", redacted(a.AccessToken)),
		slog.String("token_type", a.TokenType),
		slog.Int("expires_in", a.ExpiresIn),
		slog.String("scope", a.Scope),
		slog.String("subject", a.Subject),
	)
}

// String implements fmt.Stringer so that %v and %+v never print the token.
func (a FHIRAuthorization) String() string {
	return fmt.Sprintf("{access_token:%s token_type:%s expires_in:%d scope:%q subject:%q}",
		redacted(a.AccessToken), a.TokenType, a.ExpiresIn, a.Scope, a.Subject)
}

// GoString implements fmt.GoStringer so that %#v never prints the token.
func (a FHIRAuthorization) GoString() string { return "cdshooks.FHIRAuthorization" + a.String() }

func redacted(secret string) string {
	if secret == "" {
		return ""
	}
	return "[redacted]"
}

// Response is the body of a successful service call (§CDS Service Response).
// Cards is never nil: "no guidance" is `{"cards": []}` (O-2, the one empty
// array G-2 allows).
type Response struct {
	Cards []Card `json:"cards"`
}

// Card is one card (CDS Hooks 2.0 §Card Attributes).
type Card struct {
	UUID              string       `json:"uuid,omitempty"`
	Summary           string       `json:"summary"`
	Detail            string       `json:"detail,omitempty"`
	Indicator         string       `json:"indicator"`
	Source            Source       `json:"source"`
	Suggestions       []Suggestion `json:"suggestions,omitempty"`
	SelectionBehavior string       `json:"selectionBehavior,omitempty"`
	OverrideReasons   []Coding     `json:"overrideReasons,omitempty"`
	Links             []Link       `json:"links,omitempty"`
}

// Source is card.source (§Source). Topic carries the rule code so feedback
// and analytics can group by rule.
type Source struct {
	Label string  `json:"label"`
	URL   string  `json:"url,omitempty"`
	Icon  string  `json:"icon,omitempty"`
	Topic *Coding `json:"topic,omitempty"`
}

// Suggestion is one card.suggestions item (§Suggestion).
type Suggestion struct {
	Label         string   `json:"label"`
	UUID          string   `json:"uuid,omitempty"`
	IsRecommended bool     `json:"isRecommended,omitempty"`
	Actions       []Action `json:"actions,omitempty"`
}

// Action is one suggestion action (§Action). The service only emits
// `create` actions carrying a draft resource.
type Action struct {
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Resource    json.RawMessage `json:"resource,omitempty"`
	ResourceID  string          `json:"resourceId,omitempty"`
}

// Link is one card.links item (§Link). The service only emits `absolute`
// links, so AppContext stays empty (3.0 invariant cds-resp-3).
type Link struct {
	Label      string `json:"label"`
	URL        string `json:"url"`
	Type       string `json:"type"`
	AppContext string `json:"appContext,omitempty"`
}
