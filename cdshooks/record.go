package cdshooks

import (
	"context"
	"time"
)

// Caller is who made a request, as established by the Authenticator
// (the verified JWT's claims). Issuer is "" for an unauthenticated loopback
// call that the configuration allows.
type Caller struct {
	Issuer  string
	Subject string
	Tenant  string
	JTI     string
}

// Coding is a CDS Hooks / FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// Feedback is one validated feedback item (CDS Hooks 2.0 §Feedback) as it is
// stored. Issuer is the caller's JWT iss ("" when unauthenticated).
type Feedback struct {
	ServiceID           string
	Card                string // card.uuid
	RuleCode            string // from the issued card's source.topic, "" when the card is unknown
	Outcome             string // "accepted" or "overridden"
	AcceptedSuggestions []string
	OverrideReason      Coding // zero when absent
	UserComment         string
	OutcomeTimestamp    time.Time
	Received            time.Time
	Issuer              string
}

// IssuedCard records a card the service returned, so feedback can be joined
// to what was shown. It holds no patient data.
type IssuedCard struct {
	HookInstance string
	ServiceID    string
	CardUUID     string
	RuleCode     string
	Suggestions  []string // suggestion uuids
	Issued       time.Time
}

// FeedbackStore keeps feedback and the cards that were issued. The storage
// package implements it; SaveFeedback must be durable when it returns nil
// and must store a duplicate (same card, outcome and outcome timestamp) once.
type FeedbackStore interface {
	SaveFeedback(ctx context.Context, items []Feedback) error
	SaveIssued(ctx context.Context, cards []IssuedCard) error
	// RuleCode returns the rule code of an issued card, "" if unknown.
	RuleCode(ctx context.Context, cardUUID string) (string, error)
}
