package screens

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/server/store"
)

// TestVerifyCodeAndResend refuses a wrong code with the attempts left,
// offers resend after its cooldown, and signs in with the newest code.
func TestVerifyCodeAndResend(t *testing.T) {
	f := newFixture(t)
	clock := f.useClock()
	const email = "verify@example.org"
	reg, err := f.app.Register(context.Background(), email, testPassword, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	f.shell.Push(newVerifyEmail(f.shell, reg, false))
	first := f.code(email, "confirm", 0)
	if !f.button("verify.submit").Disabled() || !f.button("mailcode.resend").Disabled() {
		t.Fatal("submit or resend is enabled at the start")
	}
	f.typeCode("12345")
	if !f.button("verify.submit").Disabled() {
		t.Fatal("submit is enabled with 5 digits")
	}
	f.codeEntry().SetText("")
	f.typeCode(acctWrongCode(first))
	f.waitText(tr("error.invalid_code"))
	if !f.shows(plural("hint.attempts_left", 4)) || !f.shows(tr("remedy.invalid_code")) {
		t.Fatalf("wrong code: %q", f.texts())
	}
	clock.advance(61 * time.Second)
	f.waitFor("resend enabled", func() bool { return !f.button("mailcode.resend").Disabled() })
	f.tap("mailcode.resend")
	f.waitText(tr("mailcode.resent"))
	if f.shows(tr("error.invalid_code")) {
		t.Fatal("the old failure stays after a new code")
	}
	f.typeCode(f.code(email, "confirm", 1))
	f.waitTop("home.title")
	if f.app.Account() != email {
		t.Fatalf("signed in as %q", f.app.Account())
	}
	if got := f.app.RememberedAccount(context.Background()); got != "" {
		t.Fatalf("remembered %q without remember me", got)
	}
}

// TestVerifyPending activates an account created earlier: no code was sent
// by this step, so resend is offered at once and no expiry shows.
func TestVerifyPending(t *testing.T) {
	f := newFixture(t)
	const email = "pending@example.org"
	_, other := f.newApp()
	if _, err := other.Register(context.Background(), email, testPassword, testPassword); err != nil {
		t.Fatal(err)
	}
	f.code(email, "confirm", 0)
	reg := f.app.PendingRegistration(email, testPassword)
	f.shell.Push(newVerifyEmail(f.shell, reg, false))
	if !f.shows(acctText("verify.not_sent", email)) || f.button("mailcode.resend").Disabled() {
		t.Fatalf("pending: %q", f.texts())
	}
	f.tap("mailcode.resend")
	f.waitText(acctText("verify.sent", email))
	f.typeCode(f.code(email, "confirm", 1))
	f.waitTop("home.title")
}

// TestVerifyResendRetry: a resend runs as the form's action: its progress
// shows and the buttons wait while it runs, its failure shows with the
// retry, and the retry sends the new code.
func TestVerifyResendRetry(t *testing.T) {
	f := newFixture(t)
	const email = "resend@example.org"
	_, other := f.newApp()
	if _, err := other.Register(context.Background(), email, testPassword, testPassword); err != nil {
		t.Fatal(err)
	}
	f.code(email, "confirm", 0)
	var hold atomic.Bool
	release := make(chan struct{})
	wrapped := testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/resend") && hold.CompareAndSwap(true, false) {
			<-release
		}
		f.srv.Handler.ServeHTTP(w, r)
	}))
	o := f.other(f.local(f.appAt(wrapped.URL, "")))
	o.shell.Push(newVerifyEmail(o.shell, o.app.PendingRegistration(email, testPassword), false))

	o.maintenance(store.Maintenance{On: true})
	hold.Store(true)
	o.tap("mailcode.resend")
	_, busy := find(o, func(b *widget.ProgressBarInfinite) bool { return b.Running() })
	if !busy || !o.button("mailcode.resend").Disabled() {
		t.Fatalf("while the resend runs: progress %v, resend enabled %v", busy, !o.button("mailcode.resend").Disabled())
	}
	close(release)
	o.waitText(tr("error.maintenance"))
	if !o.hasButton("action.retry_now") || o.button("mailcode.resend").Disabled() {
		t.Fatalf("the failed resend offers no retry: %q", o.texts())
	}
	o.maintenance(store.Maintenance{})
	o.tap("action.retry_now")
	o.waitText(tr("mailcode.resent"))
	if n := o.mails(email); n != 2 || o.shows(tr("error.maintenance")) {
		t.Fatalf("after the retry: %d mails, texts %q", n, o.texts())
	}
}

// TestVerifyRememberFails signs in and tells why the session is not kept
// when the keychain refuses it.
func TestVerifyRememberFails(t *testing.T) {
	f := newFixture(t)
	const email = "nokeychain@example.org"
	reg, err := f.app.Register(context.Background(), email, testPassword, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	keystore.MockInitWithError(&keystore.UnavailableError{Reason: keystore.ReasonLocked, Op: "test", Err: errors.New("collection is locked")})
	t.Cleanup(keystore.MockInit)
	f.shell.Push(newVerifyEmail(f.shell, reg, true))
	f.typeCode(f.code(email, "confirm", 0))
	f.waitTop("home.title")
	f.waitText(tr("error.keychain_locked"))
	if !f.shows(tr("signin.keychain_title")) || !f.shows(tr("remedy.keychain_locked")) || f.shows("collection is locked") {
		t.Fatalf("remember failed: %q", f.texts())
	}
	if f.app.Account() != email {
		t.Fatalf("signed in as %q", f.app.Account())
	}
}

// TestVerifyGolden renders the step in English and Chinese, its clock
// frozen at the sending.
func TestVerifyGolden(t *testing.T) {
	f := newFixture(t)
	clock := f.useClock()
	const email = "golden@example.org"
	reg, err := f.app.Register(context.Background(), email, testPassword, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	clock.freeze(reg.SentAt)
	f.shell.Push(newVerifyEmail(f.shell, reg, false))
	f.golden("verify/sent.xml")

	pending := f.app.PendingRegistration(email, testPassword)
	f.shell.Replace(newVerifyEmail(f.shell, pending, false))
	f.golden("verify/not_sent.xml")

	f.setLanguage("zh_Hans")
	f.shell.Reset(newVerifyEmail(f.shell, reg, false))
	f.golden("verify/sent_zh.xml")
}

// acctText is the text of a key with the email filled in.
func acctText(key, email string) string {
	return lang.LocalizeKey(key, "", map[string]any{"Email": email})
}
