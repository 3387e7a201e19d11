package server

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"sesame/authapi"
)

// The paths of the checks for load balancers and orchestrators. They pass
// no check of the API's (host, maintenance, client version, rate limits).
const (
	PathHealth = "/healthz"
	PathReady  = "/readyz"
)

// readyTimeout bounds the database ping of a readiness check.
const readyTimeout = 2 * time.Second

// Health is the answer of GET /healthz: the process serves.
type Health struct {
	Status string `json:"status"` // "ok"
}

// Readiness is the answer of GET /readyz: 200 when Ready, else 503.
type Readiness struct {
	Ready bool `json:"ready"`
	// Database is "ok" or "unreachable" (no answer to a query within 2 s).
	Database string `json:"database"`
	// TOTPKey is "loaded", or "plain" in the development mode of
	// Config.PlainTOTPSecrets.
	TOTPKey string `json:"totp_key"`
	// Draining is true once Drain was called: the server is stopping.
	Draining bool `json:"draining"`
}

// health is the state of the readiness check.
type health struct {
	draining atomic.Bool
	// pings shares one database ping among the checks that arrive
	// during it, so that a flood of checks costs the database one query
	// at a time.
	pings singleflight.Group
}

// Drain makes /readyz answer 503 from now on, so that load balancers stop
// sending requests before the listener closes. The server still serves.
func (s *Server) Drain() { s.health.draining.Store(true) }

// serveHealth registers /healthz and /readyz on the server's mux.
func (s *Server) serveHealth() {
	s.mux.Handle(PathHealth, s.check(PathHealth, func(ctx context.Context) (int, any) {
		return http.StatusOK, Health{Status: "ok"}
	}))
	s.mux.Handle(PathReady, s.check(PathReady, s.readiness))
}

// readiness checks the database, the TOTP key and the drain.
func (s *Server) readiness(ctx context.Context) (int, any) {
	rd := Readiness{Database: "ok", TOTPKey: "loaded", Draining: s.health.draining.Load()}
	if s.totp.aead == nil {
		rd.TOTPKey = "plain"
	}
	_, err, _ := s.health.pings.Do("", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
		defer cancel()
		return nil, s.cfg.Store.Ping(ctx)
	})
	if err != nil {
		rd.Database = "unreachable"
		s.metrics.dbErrors.WithLabelValues(dbReady).Inc()
		s.log.Warn("readiness: the database did not answer", "err", err)
	}
	rd.Ready = err == nil && !rd.Draining
	if !rd.Ready {
		return http.StatusServiceUnavailable, rd
	}
	return http.StatusOK, rd
}

// check serves a GET-only check at pattern, counted in the metrics but not
// logged (load balancers call it every few seconds).
func (s *Server) check(pattern string, answer func(context.Context) (int, any)) http.Handler {
	get := Route{Method: http.MethodGet, Pattern: pattern}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt, status, code := get, 0, authapi.Code("")
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			var v any
			status, v = answer(r.Context())
			writeJSON(w, status, v)
		} else {
			rt.Method = ""
			w.Header().Set("Allow", "GET, HEAD")
			p := problem(http.StatusMethodNotAllowed, authapi.CodeMethodNotAllowed, "This endpoint does not answer "+r.Method+".")
			status, code = p.Status, p.Code
			authapi.WriteProblem(w, p)
		}
		s.metrics.request(rt, status, code, time.Since(start))
	})
}
