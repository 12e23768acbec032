package main

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ombc-cds/cdshooks"
	"ombc-cds/prefetch"
)

// metrics are the service's Prometheus metrics, on a registry of their own
// (no package-level default registry, so tests can build many services).
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	fallbacks     *prometheus.CounterVec
	fallbackTime  prometheus.Histogram
	fallbackCalls prometheus.Counter
	jwtFailures   *prometheus.CounterVec
	cards         *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ombc_http_requests_total", Help: "HTTP requests by route, service id and status.",
		}, []string{"route", "service", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ombc_http_request_duration_seconds",
			Help:    "HTTP request latency by route, service id and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "service", "status"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ombc_prefetch_fallback_total", Help: "Hook calls that fetched missing prefetch data from the EHR's FHIR server, by result.",
		}, []string{"result"}),
		fallbackTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ombc_prefetch_fallback_duration_seconds",
			Help:    "Time spent fetching missing prefetch data from the EHR's FHIR server.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2, 5},
		}),
		fallbackCalls: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ombc_prefetch_fallback_requests_total", Help: "HTTP requests made to EHR FHIR servers.",
		}),
		jwtFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ombc_jwt_failures_total", Help: "Rejected CDS client authentications by reason.",
		}, []string{"reason"}),
		cards: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ombc_cards_total", Help: "Cards returned by rule code.",
		}, []string{"rule"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.fallbacks, m.fallbackTime, m.fallbackCalls, m.jwtFailures, m.cards,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// observe is called by cdshooks once per finished request.
func (m *metrics) observe(o cdshooks.Observation) {
	status := strconv.Itoa(o.Status)
	m.requests.WithLabelValues(o.Route, o.ServiceID, status).Inc()
	m.latency.WithLabelValues(o.Route, o.ServiceID, status).Observe(o.Latency.Seconds())
	for _, code := range o.RuleCodes {
		m.cards.WithLabelValues(code).Inc()
	}
}

// observeFallback records one hook call that went to the FHIR server.
func (m *metrics) observeFallback(r prefetch.Report, err error) {
	result := "ok"
	switch {
	case err == nil:
	default:
		result = "error"
	}
	m.fallbacks.WithLabelValues(result).Inc()
	m.fallbackTime.Observe(r.Elapsed.Seconds())
	m.fallbackCalls.Add(float64(r.Requests))
}
