package prefetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// runJob fetches one key: an instance read or a search with all its pages,
// then the Medication targets of a medication search.
func (r *run) runJob(ctx context.Context, j job) (json.RawMessage, error) {
	r.markFetched(j.key)
	if j.kind.read {
		return r.read(ctx, j.key, j.kind.typ, j.query)
	}
	next := j.next
	if next == "" {
		next = r.srv.base + "/" + j.query
	}
	entries, err := r.pagesFrom(ctx, j.key, next, j.have)
	if err != nil {
		return nil, err
	}
	if isMedicationUse(j.kind) {
		entries, err = r.addMedications(ctx, j.key, entries)
		if err != nil {
			return nil, err
		}
	}
	return mergeEntries(entries)
}

// read performs an instance read. 404 and 410 mean the resource does not
// exist, which the prefetch contract expresses as null (P-1).
func (r *run) read(ctx context.Context, key, typ, query string) (json.RawMessage, error) {
	status, body, err := r.get(ctx, key, r.srv.base+"/"+query)
	if err != nil {
		return nil, err
	}
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		return json.RawMessage("null"), nil
	case status < 200 || status > 299:
		return nil, fmt.Errorf("%w: key %q: FHIR server answered %d", ErrUnavailable, key, status)
	}
	if got := resourceType(body); got != typ {
		return nil, fmt.Errorf("%w: key %q: read returned resourceType %q, want %q", ErrUnavailable, key, got, typ)
	}
	return body, nil
}

// pagesFrom follows a search from next to its last page (P-3), at most
// MaxPages requests; more pages than that is an error, because advice must
// not be computed from incomplete data.
func (r *run) pagesFrom(ctx context.Context, key, next string, have []entry) ([]entry, error) {
	entries := have
	for n := 0; next != ""; n++ {
		if n >= r.f.maxPages() {
			return nil, fmt.Errorf("%w: key %q: more than %d pages", ErrUnavailable, key, r.f.maxPages())
		}
		u, ok := r.srv.sameOrigin(next)
		if !ok {
			return nil, fmt.Errorf("%w: key %q: next link is not on the fhirServer origin", ErrUnavailable, key)
		}
		status, body, err := r.get(ctx, key, u.String())
		if err != nil {
			return nil, err
		}
		if status < 200 || status > 299 {
			return nil, fmt.Errorf("%w: key %q: FHIR server answered %d to a search", ErrUnavailable, key, status)
		}
		var h head
		if json.Unmarshal(body, &h) != nil || h.ResourceType != "Bundle" {
			return nil, fmt.Errorf("%w: key %q: search did not return a Bundle", ErrUnavailable, key)
		}
		page, err := parseEntries(h.Entry)
		if err != nil {
			return nil, fmt.Errorf("%w: key %q: %w", ErrUnavailable, key, err)
		}
		for _, e := range page {
			if e.failed {
				return nil, fmt.Errorf("%w: key %q: search page carries an error OperationOutcome", ErrUnavailable, key)
			}
		}
		r.pages.Add(1)
		entries = append(entries, page...)
		next = nextLink(h.Link)
	}
	return entries, nil
}

// get performs one GET under the concurrency bound and returns the status
// and the body (at most MaxBytes). The token goes only into the
// Authorization header; errors never include the URL (it carries the
// patient id) or the token.
func (r *run) get(ctx context.Context, key, rawURL string) (int, json.RawMessage, error) {
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	case <-ctx.Done():
		return 0, nil, r.ctxError(ctx, key)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: key %q: cannot build the request", ErrUnavailable, key)
	}
	req.Header.Set("Accept", "application/fhir+json")
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	start := time.Now()
	r.requests.Add(1)
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, r.ctxError(ctx, key)
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // *url.Error prints the URL
		}
		return 0, nil, fmt.Errorf("%w: key %q: request failed: %v", ErrUnavailable, key, err)
	}
	defer resp.Body.Close()
	if resp.Request == nil || originOf(resp.Request.URL) != r.srv.origin {
		return 0, nil, fmt.Errorf("%w: key %q: response came from another origin", ErrUnavailable, key)
	}
	limit := r.f.maxBytes()
	if resp.ContentLength > limit {
		return 0, nil, fmt.Errorf("%w: key %q: response larger than %d bytes", ErrUnavailable, key, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, r.ctxError(ctx, key)
		}
		return 0, nil, fmt.Errorf("%w: key %q: reading the response failed", ErrUnavailable, key)
	}
	if int64(len(body)) > limit {
		return 0, nil, fmt.Errorf("%w: key %q: response larger than %d bytes", ErrUnavailable, key, limit)
	}
	r.log.LogAttrs(ctx, slog.LevelDebug, "fhir request",
		slog.String("key", key), slog.Int("status", resp.StatusCode),
		slog.Int("bytes", len(body)), slog.Duration("latency", time.Since(start)))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 && !json.Valid(body) {
		return 0, nil, fmt.Errorf("%w: key %q: response is not JSON", ErrUnavailable, key)
	}
	return resp.StatusCode, body, nil
}

// ctxError turns the end of the context into ErrTimeout (deadline), the
// cause of an abort (another key failed first) or the caller's cancellation.
func (r *run) ctxError(ctx context.Context, key string) error {
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, context.DeadlineExceeded):
		return fmt.Errorf("%w: key %q: no answer within %s", ErrTimeout, key, r.f.timeout())
	case errors.Is(cause, ErrUnavailable), errors.Is(cause, ErrTimeout), errors.Is(cause, ErrInvalid):
		return cause
	}
	return fmt.Errorf("%w: key %q: %w", ErrUnavailable, key, ctx.Err())
}

func resourceType(body []byte) string {
	var h struct {
		ResourceType string `json:"resourceType"`
	}
	_ = json.Unmarshal(body, &h)
	return h.ResourceType
}
