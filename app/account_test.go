package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server/store"
)

// setMaintenance turns the server's maintenance switch on or off and waits
// until the server answers accordingly through c: it reads the switch once
// a second.
func setMaintenance(srv *testserver.Server, c *authapi.Client, on bool) error {
	ctx := context.Background()
	if err := srv.Store.SetMaintenance(ctx, store.Maintenance{On: on}); err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st, err := c.Status(ctx); err == nil && (st.Status == authapi.StatusMaintenance) == on {
			return nil
		}
	}
	return fmt.Errorf("the server did not answer maintenance %v", on)
}

// TestVerifyRetryAfterFailedSignIn: the code is spent once the server
// accepted it, so when the sign-in after it fails, Verify with the same
// code only signs in again.
func TestVerifyRetryAfterFailedSignIn(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	var probe *authapi.Client
	var armed atomic.Bool
	// The maintenance starts right after the server answered the verify
	// request, before the answer reaches the app.
	f := serveFixture(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.Handler.ServeHTTP(w, r)
		if r.URL.Path == authapi.BasePath+"/accounts/verify" && armed.CompareAndSwap(true, false) {
			if err := setMaintenance(srv, probe, true); err != nil {
				t.Error(err)
			}
		}
	}))
	probe, _ = f.newApp()
	ctx := context.Background()
	const email = "erin@example.org"
	reg, err := f.app.Register(ctx, email, password, password)
	if err != nil {
		t.Fatal(err)
	}
	code := f.code(email, "confirm", 0)
	armed.Store(true)
	if res, err := reg.Verify(ctx, code, false); !errors.Is(err, authapi.ErrMaintenance) {
		t.Fatalf("verify in maintenance: %+v %v", res, err)
	}
	if f.app.Account() != "" {
		t.Fatalf("signed in as %q during maintenance", f.app.Account())
	}
	if err := setMaintenance(srv, probe, false); err != nil {
		t.Fatal(err)
	}
	res, err := reg.Verify(ctx, code, false)
	if err != nil || !res.SignedIn() || f.app.Account() != email {
		t.Fatalf("retry: %+v %v, account %q", res, err, f.app.Account())
	}
	if me, err := f.app.Me(ctx); err != nil || me.Email != email {
		t.Fatalf("me after the retry: %+v %v", me, err)
	}
}

// TestVerifyRetryAfterLostAnswer: when the answer to a code never arrives,
// Verify with the same code signs in if the server had accepted (and spent)
// it, and sends it again if the server never handled it.
func TestVerifyRetryAfterLostAnswer(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	// handled tells whether the next verify request reaches the server
	// before its connection breaks.
	var armed, handled atomic.Bool
	f := serveFixture(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == authapi.BasePath+"/accounts/verify" && armed.CompareAndSwap(true, false) {
			if handled.Load() {
				srv.Handler.ServeHTTP(httptest.NewRecorder(), r)
			}
			panic(http.ErrAbortHandler) // the connection breaks: no answer
		}
		srv.Handler.ServeHTTP(w, r)
	}))
	ctx := context.Background()
	for _, c := range []struct {
		email   string
		handled bool
	}{{"fay@example.org", true}, {"gus@example.org", false}} {
		reg, err := f.app.Register(ctx, c.email, password, password)
		if err != nil {
			t.Fatal(err)
		}
		code := f.code(c.email, "confirm", 0)
		armed.Store(true)
		handled.Store(c.handled)
		if res, err := reg.Verify(ctx, code, false); !errors.Is(err, authapi.ErrNetwork) {
			t.Fatalf("%s: verify without an answer: %+v %v", c.email, res, err)
		}
		res, err := reg.Verify(ctx, code, false)
		if err != nil || !res.SignedIn() || f.app.Account() != c.email {
			t.Fatalf("%s: retry: %+v %v, account %q", c.email, res, err, f.app.Account())
		}
		f.signOut()
	}
}
