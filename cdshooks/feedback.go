package cdshooks

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// feedbackRequest is the body of POST /cds-services/{id}/feedback (CDS
// Hooks 2.0 §Feedback, CONFORMANCE.md F-2).
type feedbackRequest struct {
	Feedback []feedbackItem `json:"feedback"`
}

type feedbackItem struct {
	Card                string               `json:"card"`
	Outcome             string               `json:"outcome"`
	AcceptedSuggestions []acceptedSuggestion `json:"acceptedSuggestions"`
	OverrideReason      *overrideReason      `json:"overrideReason"`
	OutcomeTimestamp    string               `json:"outcomeTimestamp"`
}

type acceptedSuggestion struct {
	ID string `json:"id"`
}

// overrideReason is the 2.0 shape {reason: Coding, userComment} and, in the
// same object, the legacy flat {code, system} an older sandbox sent before
// cds-hooks/sandbox PR #139 (CONFORMANCE.md F-6).
type overrideReason struct {
	Reason      *Coding `json:"reason"`
	UserComment string  `json:"userComment"`
	Code        string  `json:"code"`
	System      string  `json:"system"`
	Display     string  `json:"display"`
}

// handleFeedback answers POST /cds-services/{id}/feedback: it validates all
// items, looks up each card's rule code, saves them through the
// FeedbackStore (which dedupes, F-3) and answers 200 with no body (F-5: a
// `{}` body would break G-2). Unknown cards are stored and counted in the
// log line, not refused.
func (s *server) handleFeedback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.entries(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		var body feedbackRequest
		if err := decode(w, r, s.maxBody, &body); err != nil {
			writeError(w, r, err)
			return
		}
		if len(body.Feedback) == 0 {
			writeError(w, r, errBadRequest("feedback must be a non-empty array"))
			return
		}
		ctx := r.Context()
		received := s.now().UTC()
		issuer := CallerFrom(ctx).Issuer
		items := make([]Feedback, 0, len(body.Feedback))
		info := infoFrom(ctx)
		for i, raw := range body.Feedback {
			fb, err := raw.validate()
			if err != nil {
				writeError(w, r, errBadRequest(fmt.Sprintf("feedback[%d]: %s", i, err)))
				return
			}
			code, err := s.feedback.RuleCode(ctx, fb.Card)
			if err != nil {
				writeError(w, r, fmt.Errorf("looking up card: %w", err))
				return
			}
			if code == "" && info != nil {
				info.unknownCards++
			}
			fb.ServiceID = list[0].Service.ID
			fb.RuleCode = code
			fb.Received = received
			fb.Issuer = issuer
			items = append(items, fb)
		}
		if err := s.feedback.SaveFeedback(ctx, items); err != nil {
			writeError(w, r, fmt.Errorf("saving feedback: %w", err))
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// validate checks one item against the 3.0 invariants cds-fb-1 (outcome
// enum), cds-fb-2 (accepted needs acceptedSuggestions) and cds-fb-3 (an
// overrideReason has a reason or a comment), and the RFC 3339 timestamp.
func (it feedbackItem) validate() (Feedback, error) {
	fb := Feedback{Card: strings.TrimSpace(it.Card), Outcome: it.Outcome}
	if fb.Card == "" {
		return Feedback{}, fmt.Errorf("card is required")
	}
	switch it.Outcome {
	case "accepted":
		if len(it.AcceptedSuggestions) == 0 {
			return Feedback{}, fmt.Errorf("acceptedSuggestions is required when outcome is accepted")
		}
		for j, a := range it.AcceptedSuggestions {
			if strings.TrimSpace(a.ID) == "" {
				return Feedback{}, fmt.Errorf("acceptedSuggestions[%d].id is required", j)
			}
			fb.AcceptedSuggestions = append(fb.AcceptedSuggestions, a.ID)
		}
	case "overridden":
	case "":
		return Feedback{}, fmt.Errorf("outcome is required")
	default:
		return Feedback{}, fmt.Errorf("outcome %q must be accepted or overridden", it.Outcome)
	}
	if o := it.OverrideReason; o != nil {
		reason := o.Reason
		if reason == nil && (o.Code != "" || o.System != "") {
			reason = &Coding{System: o.System, Code: o.Code, Display: o.Display} // legacy flat shape (F-6)
		}
		if reason != nil && reason.Code == "" {
			return Feedback{}, fmt.Errorf("overrideReason.reason.code is required")
		}
		if reason == nil && strings.TrimSpace(o.UserComment) == "" {
			return Feedback{}, fmt.Errorf("overrideReason needs a reason or a userComment")
		}
		if reason != nil {
			fb.OverrideReason = *reason
		}
		fb.UserComment = o.UserComment
	}
	if it.OutcomeTimestamp == "" {
		return Feedback{}, fmt.Errorf("outcomeTimestamp is required")
	}
	ts, err := time.Parse(time.RFC3339Nano, it.OutcomeTimestamp)
	if err != nil {
		return Feedback{}, fmt.Errorf("outcomeTimestamp %q is not an RFC 3339 date-time", it.OutcomeTimestamp)
	}
	fb.OutcomeTimestamp = ts.UTC()
	return fb, nil
}
