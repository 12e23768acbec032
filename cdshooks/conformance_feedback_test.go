package cdshooks

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func feedbackCases() []conformanceCase {
	return []conformanceCase{
		{"F-1_feedback_endpoint", testFeedbackEndpoint},
		{"F-2_feedback_shape", testFeedbackShape},
		{"F-3_feedback_idempotent", testFeedbackIdempotent},
		{"F-4_feedback_authenticated", testFeedbackAuthenticated},
		{"F-5_unknown_card_200_no_body", testFeedbackUnknownCard},
		{"F-6_legacy_override_reason", testLegacyOverrideReason},
	}
}

const feedbackPath = "/cds-services/" + testServiceID + "/feedback"

// issueCards makes h issue the test cards, so feedback can refer to them,
// and returns the first card's uuid and its first suggestion's uuid.
func issueCards(t *testing.T, h http.Handler) (card, suggestion string) {
	t.Helper()
	cards := decodeCards(t, callService(t, h, validRequest))
	return cards[0].UUID, cards[0].Suggestions[0].UUID
}

func testFeedbackEndpoint(t *testing.T) {
	h := newTestHandler(t, testOptions(newFakeStore()))
	card, sug := issueCards(t, h)
	body := `{"feedback":[{"card":"` + card + `","outcome":"accepted","acceptedSuggestions":[{"id":"` + sug + `"}],"outcomeTimestamp":"2026-03-02T10:05:31Z"}]}`
	if rec := do(t, h, http.MethodPost, feedbackPath, body); rec.Code != http.StatusOK {
		t.Errorf("feedback = %d %s, want 200", rec.Code, rec.Body)
	}
	t.Run("disabled without a store", func(t *testing.T) {
		opts := testOptions(nil)
		wantOutcome(t, do(t, newTestHandler(t, opts), http.MethodPost, feedbackPath, body), http.StatusNotFound, "not-found")
	})
	t.Run("unknown service", func(t *testing.T) {
		wantOutcome(t, do(t, h, http.MethodPost, "/cds-services/nope/feedback", body), http.StatusNotFound, "not-found")
	})
	for _, name := range []string{"feedback-accepted.json", "feedback-overridden-with-reason.json", "feedback-overridden-without-reason.json"} {
		t.Run("spec example "+name, func(t *testing.T) {
			rec := do(t, h, http.MethodPost, feedbackPath, string(readExample(t, "v2.0.1/"+name)))
			if rec.Code != http.StatusOK {
				t.Errorf("status = %d %s, want 200", rec.Code, rec.Body)
			}
		})
	}
}

func testFeedbackShape(t *testing.T) {
	const ts = `"outcomeTimestamp":"2026-03-02T10:05:31.52Z"`
	tests := []struct {
		name, item string
		wantStatus int
	}{
		{"accepted", `{"card":"c1","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],` + ts + `}`, http.StatusOK},
		{"overridden with reason and comment", `{"card":"c1","outcome":"overridden","overrideReason":{"reason":{"code":"patient-declined","system":"urn:ombc-cds:override-reason"},"userComment":"Wants to wait"},` + ts + `}`, http.StatusOK},
		{"overridden with comment only", `{"card":"c1","outcome":"overridden","overrideReason":{"userComment":"Seen elsewhere"},` + ts + `}`, http.StatusOK},
		{"overridden without reason", `{"card":"c1","outcome":"overridden",` + ts + `}`, http.StatusOK},
		{"offset timestamp", `{"card":"c1","outcome":"overridden","outcomeTimestamp":"2026-03-02T11:05:31+01:00"}`, http.StatusOK},
		{"cds-fb-1 unknown outcome", `{"card":"c1","outcome":"ignored",` + ts + `}`, http.StatusBadRequest},
		{"cds-fb-1 missing outcome", `{"card":"c1",` + ts + `}`, http.StatusBadRequest},
		{"cds-fb-2 accepted without suggestions", `{"card":"c1","outcome":"accepted",` + ts + `}`, http.StatusBadRequest},
		{"cds-fb-2 accepted suggestion without id", `{"card":"c1","outcome":"accepted","acceptedSuggestions":[{}],` + ts + `}`, http.StatusBadRequest},
		{"cds-fb-3 empty overrideReason", `{"card":"c1","outcome":"overridden","overrideReason":{},` + ts + `}`, http.StatusBadRequest},
		{"reason without code", `{"card":"c1","outcome":"overridden","overrideReason":{"reason":{"system":"x"}},` + ts + `}`, http.StatusBadRequest},
		{"missing card", `{"outcome":"overridden",` + ts + `}`, http.StatusBadRequest},
		{"missing timestamp", `{"card":"c1","outcome":"overridden"}`, http.StatusBadRequest},
		{"timestamp not RFC 3339", `{"card":"c1","outcome":"overridden","outcomeTimestamp":"02/03/2026 10:05"}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			h := newTestHandler(t, testOptions(store))
			rec := do(t, h, http.MethodPost, feedbackPath, `{"feedback":[`+tt.item+`]}`)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d %s, want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusOK {
				wantOutcome(t, rec, tt.wantStatus, "invalid")
				if n := len(store.saved()); n != 0 {
					t.Errorf("%d items saved from an invalid body", n)
				}
			}
		})
	}
	for _, body := range []string{`{}`, `{"feedback":[]}`, `{"feedback":null}`, `[]`} {
		t.Run("body "+body, func(t *testing.T) {
			wantOutcome(t, do(t, newTestHandler(t, testOptions(newFakeStore())), http.MethodPost, feedbackPath, body), http.StatusBadRequest, "invalid")
		})
	}
	t.Run("saved fields", func(t *testing.T) {
		store := newFakeStore()
		h := newTestHandler(t, testOptions(store))
		card, sug := issueCards(t, h)
		body := `{"feedback":[{"card":"` + card + `","outcome":"accepted","acceptedSuggestions":[{"id":"` + sug + `"}],` + ts + `}]}`
		if rec := do(t, h, http.MethodPost, feedbackPath, body); rec.Code != http.StatusOK {
			t.Fatalf("status = %d %s", rec.Code, rec.Body)
		}
		saved := store.saved()
		if len(saved) != 1 {
			t.Fatalf("saved %d items, want 1", len(saved))
		}
		got := saved[0]
		wantTS := time.Date(2026, 3, 2, 10, 5, 31, 520_000_000, time.UTC)
		if got.ServiceID != testServiceID || got.Card != card || got.RuleCode != "tumor-board" || got.Outcome != "accepted" ||
			len(got.AcceptedSuggestions) != 1 || got.AcceptedSuggestions[0] != sug || !got.OutcomeTimestamp.Equal(wantTS) ||
			!got.Received.Equal(testNow()) || got.Issuer != testIssuer {
			t.Errorf("saved %+v", got)
		}
	})
}

func testFeedbackIdempotent(t *testing.T) {
	store := newFakeStore()
	h := newTestHandler(t, testOptions(store))
	card, _ := issueCards(t, h)
	body := `{"feedback":[{"card":"` + card + `","outcome":"overridden","overrideReason":{"reason":{"code":"already-addressed","system":"urn:ombc-cds:override-reason"}},"outcomeTimestamp":"2026-03-02T10:05:31Z"}]}`
	for i := range 2 {
		if rec := do(t, h, http.MethodPost, feedbackPath, body); rec.Code != http.StatusOK {
			t.Fatalf("post %d = %d %s, want 200", i+1, rec.Code, rec.Body)
		}
	}
	if n := len(store.saved()); n != 1 || store.calls != 2 {
		t.Errorf("store holds %d items after %d saves, want 1 after 2", n, store.calls)
	}
	t.Run("store failure is 500", func(t *testing.T) {
		store.fail = errors.New("disk full")
		wantOutcome(t, do(t, h, http.MethodPost, feedbackPath, body), http.StatusInternalServerError, "exception")
	})
}

func testFeedbackAuthenticated(t *testing.T) {
	opts := testOptions(newFakeStore())
	opts.Authenticate = func(*http.Request) (Caller, error) { return Caller{}, errors.New("bad aud") }
	body := `{"feedback":[{"card":"c1","outcome":"overridden","outcomeTimestamp":"2026-03-02T10:05:31Z"}]}`
	wantOutcome(t, do(t, newTestHandler(t, opts), http.MethodPost, feedbackPath, body), http.StatusUnauthorized, "security")
}

func testFeedbackUnknownCard(t *testing.T) {
	store := newFakeStore()
	opts := testOptions(store)
	logger, buf := captureLogs()
	opts.Logger = logger
	h := newTestHandler(t, opts)
	body := `{"feedback":[{"card":"00000000-0000-5000-8000-000000000000","outcome":"overridden","outcomeTimestamp":"2026-03-02T10:05:31Z"}]}`
	rec := do(t, h, http.MethodPost, feedbackPath, body)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Errorf("feedback = %d %q (Content-Type %q), want 200 with no body", rec.Code, rec.Body, rec.Header().Get("Content-Type"))
	}
	if saved := store.saved(); len(saved) != 1 || saved[0].RuleCode != "" {
		t.Errorf("saved %+v, want the item with no rule code", saved)
	}
	if !strings.Contains(buf.String(), `"unknown_cards":1`) {
		t.Errorf("log = %s, want unknown_cards 1", buf)
	}
}

func testLegacyOverrideReason(t *testing.T) {
	store := newFakeStore()
	h := newTestHandler(t, testOptions(store))
	body := `{"feedback":[{"card":"c1","outcome":"overridden","overrideReason":{"code":"data-incorrect","system":"urn:ombc-cds:override-reason"},"outcomeTimestamp":"2026-03-02T10:05:31Z"}]}`
	if rec := do(t, h, http.MethodPost, feedbackPath, body); rec.Code != http.StatusOK {
		t.Fatalf("status = %d %s, want 200", rec.Code, rec.Body)
	}
	want := Coding{System: OverrideReasonSystem, Code: "data-incorrect"}
	if saved := store.saved(); len(saved) != 1 || saved[0].OverrideReason != want {
		t.Errorf("saved %+v, want override reason %+v", saved, want)
	}
}
