package screens

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server/store"
)

// TestVerifyRetrySignsIn: the server accepts the code, then the sign-in
// after it meets a maintenance; once it ends, the activation step's retry
// signs in, though the code is spent.
func TestVerifyRetrySignsIn(t *testing.T) {
	f := newFixture(t)
	var armed atomic.Bool
	// The maintenance starts right after the server answered the verify
	// request, before the answer reaches the app.
	wrapped := testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.srv.Handler.ServeHTTP(w, r)
		if r.URL.Path == authapi.BasePath+"/accounts/verify" && armed.CompareAndSwap(true, false) {
			if !switchMaintenance(f, true) {
				t.Error("the server did not enter maintenance")
			}
		}
	}))
	o := f.other(f.local(f.appAt(wrapped.URL, "")))
	const email = "retry@example.org"
	reg, err := o.app.Register(context.Background(), email, testPassword, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	o.shell.Push(newVerifyEmail(o.shell, reg, false))
	code := o.code(email, "confirm", 0)
	armed.Store(true)
	o.typeCode(code)
	o.waitText(tr("error.maintenance"))
	if o.app.Account() != "" || o.codeEntry().Text != code {
		t.Fatalf("after the failed sign-in: account %q, field %q", o.app.Account(), o.codeEntry().Text)
	}
	o.maintenance(store.Maintenance{})
	o.tap("action.retry_now")
	o.waitTop("home.title")
	if o.app.Account() != email {
		t.Fatalf("signed in as %q", o.app.Account())
	}
}

// switchMaintenance sets the server's maintenance switch and reports
// whether the server answered accordingly within 10 s. Unlike
// fixture.maintenance it runs no UI work, so a server handler may call it.
func switchMaintenance(f *fixture, on bool) bool {
	ctx := context.Background()
	if f.srv.Store.SetMaintenance(ctx, store.Maintenance{On: on}) != nil {
		return false
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st, err := f.client.Status(ctx); err == nil && (st.Status == authapi.StatusMaintenance) == on {
			return true
		}
	}
	return false
}
