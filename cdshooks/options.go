package cdshooks

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"ombc-cds/logic"
)

// Advisor computes the recommendations for a validated request. Prefetch
// resolution, FHIR fallback and rule evaluation happen inside it (wired by
// the command). Errors are answered through the one error mapping: return an
// *Error for a status other than 500 (412 when the data cannot be had, CDS
// Hooks 2.0 §Prefetch, CONFORMANCE.md P-2).
type Advisor func(ctx context.Context, req *Request) ([]logic.Recommendation, error)

// Authenticator decides whether a request may proceed. A non-nil error means
// 401 with one fixed body whatever the reason; it must not write to the
// response. The returned Caller goes into the request context (CallerFrom).
type Authenticator func(r *http.Request) (Caller, error)

// DraftFunc builds the draft FHIR resource a suggestion's create action
// carries, for one order and the patient of the call. The returned bytes
// belong to the card from then on: the function must not change or reuse
// them.
type DraftFunc func(o logic.Order, patientID string) (json.RawMessage, error)

// Entry is one CDS Service: its discovery description and its advisor.
type Entry struct {
	Service Service
	Advise  Advisor
}

// Options configures NewHandler. Logger, Entries and Authenticate are the
// essentials; every other field has a usable zero value.
type Options struct {
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Entries are the services; a service id may repeat for different hooks
	// (CDS Hooks 2.0 §Discovery, CONFORMANCE.md D-6).
	Entries []Entry
	// Authenticate guards service and feedback calls, discovery when
	// AuthenticateDiscovery is set, and Extra routes. It is required: a
	// deployment that accepts unauthenticated calls says so in its own
	// Authenticator.
	Authenticate          Authenticator
	AuthenticateDiscovery bool
	// Draft builds the resources of suggestion actions; required only when
	// a recommendation carries orders.
	Draft DraftFunc
	// Feedback stores feedback and issued cards; nil disables the feedback
	// endpoint (it is a MAY, CDS Hooks 2.0 §Feedback) and the recording of
	// issued cards.
	Feedback FeedbackStore
	CORS     CORS
	// MaxBodyBytes bounds request bodies (default 10 MiB); larger bodies get
	// 413.
	MaxBodyBytes int64
	// MaxInFlight bounds concurrent CDS and Extra requests; the excess gets
	// 503 with Retry-After. Zero means no limit.
	MaxInFlight int
	// Ready reports readiness for GET /readyz; nil means always ready.
	Ready func(ctx context.Context) error
	// Now is the clock (latency, feedback receipt, issued cards); nil means
	// time.Now.
	Now func() time.Time
	// Extra are additional GET routes served with the same authentication
	// (e.g. "/analytics").
	Extra map[string]http.Handler
	// Public are additional unauthenticated GET routes (e.g. "/metrics").
	Public map[string]http.Handler
	// Observe, when set, is called once per finished request (metrics).
	Observe func(Observation)
}

// DefaultMaxBodyBytes is the default request body limit.
const DefaultMaxBodyBytes int64 = 10 << 20
