package cdshooks

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests writes one structured line per request and reports it to
// observe. The line carries the route, service id, hookInstance (the
// correlation id, R-3), method, status and latency; never the body, headers,
// tokens, patient ids or card content (R-5, CDS Hooks best practices §JWT).
// A panic in a handler is answered as a 500 OperationOutcome.
func logRequests(logger *slog.Logger, now func() time.Time, observe func(Observation), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := now()
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				if sw.status == 0 {
					writeError(sw, r, fmt.Errorf("panic: %v", p))
				} else {
					info.err = fmt.Errorf("panic after response started: %v", p)
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			latency := now().Sub(start)
			logLine(r.Context(), logger, r.Method, sw.status, latency, info)
			if observe != nil {
				observe(Observation{Route: info.route, ServiceID: info.serviceID, Status: sw.status,
					Latency: latency, RuleCodes: info.ruleCodes})
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func logLine(ctx context.Context, logger *slog.Logger, method string, status int, latency time.Duration, info *requestInfo) {
	route := info.route
	if route == "" {
		route = "unmatched"
	}
	attrs := []slog.Attr{
		slog.String("route", route),
		slog.String("method", method),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
	}
	if info.serviceID != "" {
		attrs = append(attrs, slog.String("service", info.serviceID))
	}
	if info.hookInstance != "" {
		attrs = append(attrs, slog.String("hookInstance", info.hookInstance))
	}
	if info.issuer != "" {
		attrs = append(attrs, slog.String("issuer", info.issuer))
	}
	if len(info.ruleCodes) > 0 {
		// The number of cards only: which rules fired describes the patient,
		// and logs carry no patient data (metrics aggregate rule codes).
		attrs = append(attrs, slog.Int("cards", len(info.ruleCodes)))
	}
	if info.unknownCards > 0 {
		attrs = append(attrs, slog.Int("unknown_cards", info.unknownCards))
	}
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
		if info.err != nil {
			attrs = append(attrs, slog.String("error", info.err.Error()))
		}
	case status >= 400:
		level = slog.LevelWarn
	}
	logger.LogAttrs(ctx, level, "request", attrs...)
}

// route tags the request with its route template for logs and metrics.
func route(template string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = template
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate runs auth before next. Any error is one fixed 401 body
// (CONFORMANCE.md S-3, S-9); the error itself is not logged because it may
// describe the credential.
func authenticate(auth Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, err := auth(r)
		if err != nil {
			writeError(w, r, &Error{Status: http.StatusUnauthorized, Code: "security", Message: unauthorizedMessage})
			return
		}
		if info := infoFrom(r.Context()); info != nil {
			info.issuer = caller.Issuer
		}
		next.ServeHTTP(w, r.WithContext(withCaller(r.Context(), caller)))
	})
}

// limitInFlight answers 503 with Retry-After when max requests are already
// being served, so that a burst cannot exhaust memory or the FHIR server.
// max <= 0 means no limit.
func limitInFlight(max int, next http.Handler) http.Handler {
	if max <= 0 {
		return next
	}
	slots := make(chan struct{}, max)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			writeError(w, r, &Error{Status: http.StatusServiceUnavailable, Code: "throttled",
				Message: "too many requests in flight; retry later"})
		}
	})
}

// secureHeaders marks every answer as not sniffable and not cacheable:
// cards are patient-specific.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
