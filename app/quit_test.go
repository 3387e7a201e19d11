package app_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
)

// sessionCount is the number of sessions the server lists for email, read
// by a sign-in of another device.
func (f *fixture) sessionCount(email string) int {
	f.t.Helper()
	ctx := context.Background()
	_, other := f.newApp()
	if _, err := other.SignIn(ctx, email, password, false); err != nil {
		f.t.Fatal(err)
	}
	ss, err := other.Sessions(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := other.SignOut(ctx); err != nil {
		f.t.Fatal(err)
	}
	return len(ss) - 1
}

// TestQuitEndsUnrememberedSession: a session signed in without "remember
// me" is signed out on the server when the app quits, so a copy of its
// refresh token is refused; a remembered one is resumed at the next start.
func TestQuitEndsUnrememberedSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("quinn@example.org", false)
	held, _ := f.client.Tokens()
	if err := f.app.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.sessionCount("quinn@example.org"); n != 0 {
		t.Fatalf("%d sessions outlived the quit", n)
	}
	stolen, err := authapi.NewClient(f.url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stolen.Resume(ctx, held.RefreshToken); !errors.Is(err, authapi.ErrInvalidRefreshToken) {
		t.Fatalf("the refresh token outlived the quit: %v", err)
	}

	_, a := f.newApp()
	if res, err := a.SignIn(ctx, "quinn@example.org", password, true); err != nil || res.RememberErr != nil {
		t.Fatalf("sign-in: %v %v", err, res.RememberErr)
	}
	if err := a.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	_, next := f.newApp()
	if ok, err := next.Resume(ctx); !ok || err != nil {
		t.Fatalf("the remembered session did not outlive the quit: %v %v", ok, err)
	}
}

// TestQuitBounded: a server that never answers the sign-out holds the quit
// for Config.QuitTimeout, not for the steps' timeout.
func TestQuitBounded(t *testing.T) {
	t.Parallel()
	var dead atomic.Bool
	f := serveFixture(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if dead.Load() {
				<-r.Context().Done()
				return
			}
			h.ServeHTTP(w, r)
		})
	}(testserver.New(t).Handler))
	ctx := context.Background()
	f.register("rory@example.org", false)
	c, err := authapi.NewClient(f.url)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{Client: c, Keychain: f.kc, DataDir: t.TempDir(), Timeout: time.Hour, QuitTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := a.SignIn(ctx, "rory@example.org", password, false); err != nil || !res.SignedIn() {
		t.Fatalf("sign-in: %v", err)
	}
	dead.Store(true)
	done := make(chan error, 1)
	go func() { done <- a.Quit(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("quit: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("a dead server held the quit past its bound")
	}
}
