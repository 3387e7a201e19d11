package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sesame/authapi"
)

// metrics are the server's Prometheus metrics, in a registry of its own so
// that servers in one process do not share them.
type metrics struct {
	reg *prometheus.Registry
	// requests and latency are by route pattern, never the raw path.
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	signIns  *prometheus.CounterVec
	locks    *prometheus.CounterVec
	// hashWaiting and hashWait measure the wait for a hashing slot.
	hashWaiting prometheus.Gauge
	hashWait    *prometheus.HistogramVec
	mails       *prometheus.CounterVec
	// smsWithheld counts the text messages that did not go, by reason.
	smsWithheld *prometheus.CounterVec
	dbErrors    *prometheus.CounterVec
}

// Label values of the metrics with a fixed set of them.
const (
	lockSignIn = "sign_in" // a failed password or two-factor code locked sign-in
	lockCodes  = "codes"   // wrong mailed codes spent an address's budget

	turnTaken      = "taken"
	turnOverloaded = "overloaded" // waited past HashWait: 503
	turnCanceled   = "canceled"   // the request ended first

	mailSent   = "sent"
	mailFailed = "failed"

	smsCountry = "country" // the number's country is not of Config.SMSCountries
	smsNumber  = "number"  // the number had its daily cap (Config.SMSPerDay)
	smsTotal   = "total"   // the server had its daily total (Config.SMSPerDayTotal)
	smsFailed  = "failed"  // the delivery failed

	dbRequest = "request" // a request failed with an error that is no answer
	dbReady   = "ready"   // the readiness check's ping failed

	otherMethod = "other" // the method of a request no route answers
)

// signInRoutes are the routes whose answers are sign-in outcomes.
var signInRoutes = map[Route]bool{
	{Method: "POST", Pattern: "/v1/sessions"}:            true,
	{Method: "POST", Pattern: "/v1/sessions/two-factor"}: true,
}

// The sign-in outcomes besides the codes of the problems answered: a
// success, and a failure that sent no problem.
const (
	outcomeSuccess = "success"
	outcomeError   = "error"
)

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := promauto.With(reg)
	m := &metrics{
		reg: reg,
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "sesame_http_requests_total", Help: "Requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sesame_http_request_duration_seconds", Help: "Time to answer a request, by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		signIns: f.NewCounterVec(prometheus.CounterOpts{
			Name: "sesame_sign_ins_total",
			Help: "Answers of the sign-in routes (password and two-factor), by outcome: success or the problem's code.",
		}, []string{"outcome"}),
		locks: f.NewCounterVec(prometheus.CounterOpts{
			Name: "sesame_locks_total",
			Help: "Locks taken: sign_in (failed passwords or two-factor codes), codes (an address's budget of wrong mailed codes spent).",
		}, []string{"kind"}),
		hashWaiting: f.NewGauge(prometheus.GaugeOpts{
			Name: "sesame_hash_queue_waiting", Help: "Requests waiting for a password-hashing slot.",
		}),
		hashWait: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sesame_hash_queue_wait_seconds", Help: "Wait for a password-hashing slot, by result: taken, overloaded (503) or canceled.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"result"}),
		mails: f.NewCounterVec(prometheus.CounterOpts{
			Name: "sesame_mail_deliveries_total", Help: "Mail deliveries, by result: sent or failed.",
		}, []string{"result"}),
		smsWithheld: f.NewCounterVec(prometheus.CounterOpts{
			Name: "sesame_sms_withheld_total",
			Help: "Text messages not sent (a reset code is mailed instead), by reason: country (not allowed), number (its daily cap), total (the server's daily total) or failed (the delivery).",
		}, []string{"reason"}),
		dbErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "sesame_database_errors_total",
			Help: "Database errors: request (a request failed with an error that is no answer: a 500), ready (the readiness ping failed).",
		}, []string{"source"}),
	}
	// The fixed label values show from the start, at 0.
	for _, k := range []string{lockSignIn, lockCodes} {
		m.locks.WithLabelValues(k)
	}
	for _, r := range []string{mailSent, mailFailed} {
		m.mails.WithLabelValues(r)
	}
	for _, r := range []string{smsCountry, smsNumber, smsTotal, smsFailed} {
		m.smsWithheld.WithLabelValues(r)
	}
	for _, s := range []string{dbRequest, dbReady} {
		m.dbErrors.WithLabelValues(s)
	}
	return m
}

// Metrics serves the server's metrics in the Prometheus text format, with
// the Go runtime's and the process's. Serve it on a listener of its own,
// apart from the API.
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// request counts an answer of rt, with code the problem it answered, if
// any.
func (m *metrics) request(rt Route, status int, code authapi.Code, took time.Duration) {
	method := rt.Method
	if method == "" {
		method = otherMethod
	}
	if status == 0 {
		status = http.StatusOK
	}
	m.requests.WithLabelValues(rt.Pattern, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(rt.Pattern, method).Observe(took.Seconds())
	if signInRoutes[Route{Method: rt.Method, Pattern: rt.Pattern}] {
		outcome := string(code)
		switch {
		case code != "":
		case status < 400:
			outcome = outcomeSuccess
		default:
			outcome = outcomeError
		}
		m.signIns.WithLabelValues(outcome).Inc()
	}
}

// failed counts the error of a request that is no answer as a database
// error, unless the client left or a stored TOTP secret did not open: the
// other causes of a 500 are the store's.
func (m *metrics) failed(r *http.Request, err error) {
	if r.Context().Err() != nil || errors.Is(err, ErrTOTPSecret) {
		return
	}
	m.dbErrors.WithLabelValues(dbRequest).Inc()
}

// meteredHashTurn waits for a password-hashing slot in the fair queue
// under keys (see hashKeys), measured: the requests waiting and the wait of
// each. The returned release must be called; a wait over HashWait answers
// 503 overloaded.
func (s *Server) meteredHashTurn(ctx context.Context, keys []string) (release func(), err error) {
	s.metrics.hashWaiting.Inc()
	start := time.Now()
	release, err = s.hashq.acquire(ctx, s.cfg.HashWait, keys)
	s.metrics.hashWaiting.Dec()
	result := turnTaken
	var p *authapi.Problem
	switch {
	case errors.As(err, &p):
		result = turnOverloaded
	case err != nil:
		result = turnCanceled
	}
	s.metrics.hashWait.WithLabelValues(result).Observe(time.Since(start).Seconds())
	return release, err
}
