package cdshooks

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"
)

// handleDiscovery answers GET /cds-services (CDS Hooks 2.0 §Discovery). The
// list is "services": [] when there are none (D-4).
func (s *server) handleDiscovery() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, discoveryResponse{Services: s.discovery})
	})
}

// entries returns the entries (one per hook, D-6) of the service named by
// the path id, or a 404 *Error.
func (s *server) entries(r *http.Request) ([]Entry, error) {
	id := mux.Vars(r)["id"]
	list := s.services[id]
	if len(list) == 0 {
		return nil, &Error{Status: http.StatusNotFound, Code: "not-found", Message: fmt.Sprintf("no CDS service with id %q", id)}
	}
	if info := infoFrom(r.Context()); info != nil {
		info.serviceID = id
	}
	return list, nil
}

// handleCall answers POST /cds-services/{id} (CDS Hooks 2.0 §Calling a CDS
// Service): unknown id 404; undecodable body 400 or 413; invalid request
// 400; then the Advisor, whose errors go through the one error mapping.
func (s *server) handleCall() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.entries(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		var req Request
		if err := decode(w, r, s.maxBody, &req); err != nil {
			writeError(w, r, err)
			return
		}
		info := infoFrom(r.Context())
		if info != nil {
			info.setHookInstance(req.HookInstance)
		}
		e := list[0]
		for _, cand := range list {
			if cand.Service.Hook == req.Hook {
				e = cand
			}
		}
		if err := validateRequest(&req, e.Service.Hook); err != nil {
			writeError(w, r, err)
			return
		}
		recs, err := e.Advise(r.Context(), &req)
		if err != nil {
			writeError(w, r, err)
			return
		}
		cards, err := Cards(recs, req.HookInstance, s.draft, req.PatientID())
		if err != nil {
			writeError(w, r, err)
			return
		}
		if info != nil {
			for _, rec := range recs {
				info.ruleCodes = append(info.ruleCodes, rec.Code)
			}
		}
		s.saveIssued(r.Context(), e.Service.ID, req.HookInstance, cards)
		writeJSON(w, http.StatusOK, Response{Cards: cards})
	})
}

// saveIssued records the cards for the feedback join. A storage failure is
// logged and does not withhold the advice: the clinician's answer matters
// more than the analytics record.
func (s *server) saveIssued(ctx context.Context, serviceID, hookInstance string, cards []Card) {
	if s.feedback == nil || len(cards) == 0 {
		return
	}
	issued := make([]IssuedCard, 0, len(cards))
	at := s.now()
	for _, c := range cards {
		ic := IssuedCard{HookInstance: hookInstance, ServiceID: serviceID, CardUUID: c.UUID, Issued: at}
		if c.Source.Topic != nil {
			ic.RuleCode = c.Source.Topic.Code
		}
		for _, sug := range c.Suggestions {
			ic.Suggestions = append(ic.Suggestions, sug.UUID)
		}
		issued = append(issued, ic)
	}
	if err := s.feedback.SaveIssued(ctx, issued); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelError, "saving issued cards failed", slog.String("service", serviceID), slog.String("error", err.Error()))
	}
}

// handleHealthz answers liveness: the process serves HTTP.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers readiness through Options.Ready; a failure is a 503
// whose cause is logged, not sent.
func (s *server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.ready != nil {
			if err := s.ready(r.Context()); err != nil {
				writeError(w, r, &Error{Status: http.StatusServiceUnavailable, Code: "transient", Message: "not ready", Err: err})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
