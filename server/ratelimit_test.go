package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/store/sqlite"
)

// TestRateLimitComesBeforeHashing occupies every hashing slot: a request
// within its rate waits for a slot and is answered 503 overloaded; one over
// its rate is answered 429 without reaching the hashing step.
func TestRateLimitComesBeforeHashing(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := DefaultConfig()
	cfg.Store, cfg.Mailer, cfg.Logger = st, mail.NewOutbox(st), slog.New(slog.DiscardHandler)
	cfg.RateAccount = Rate{PerMinute: 1, Burst: 1}
	cfg.HashWait = 200 * time.Millisecond
	cfg.TOTPKey = NewTOTPKey()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	holdSlots(t, s.hashq)
	signIn := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/v1/sessions", strings.NewReader(`{"email":"a@example.org","password":"wrong password!"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(authapi.HeaderClientVersion, "1.0.0")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}
	if w := signIn(); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"overloaded"`) {
		t.Fatalf("within the rate, with no free slot: %d %s", w.Code, w.Body)
	}
	// Had it reached the hashing step, it would have been answered 503.
	if w := signIn(); w.Code != http.StatusTooManyRequests {
		t.Fatalf("over the rate: %d %s", w.Code, w.Body)
	}
}
