package screens

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"

	"sesame/authapi"
)

// phraseWaits stands for the sign-in's rests before a phrase lookup: the
// test ends them by hand.
type phraseWaits struct {
	fns  []func()
	live []bool
}

// usePhraseWaits makes the sign-in's rests waits of the test until it ends.
func usePhraseWaits(t *testing.T) *phraseWaits {
	w := &phraseWaits{}
	prev := phraseAfter
	phraseAfter = func(_ time.Duration, fn func()) func() bool {
		i := len(w.fns)
		w.fns, w.live = append(w.fns, fn), append(w.live, true)
		return func() bool {
			was := w.live[i]
			w.live[i] = false
			return was
		}
	}
	t.Cleanup(func() { phraseAfter = prev })
	return w
}

// end ends the waits not stopped and returns how many there were.
func (w *phraseWaits) end() int {
	n := 0
	for i, fn := range w.fns {
		if w.live[i] {
			w.live[i] = false
			fn()
			n++
		}
	}
	return n
}

// runQueued runs the UI callbacks queued now, not those they queue.
func (f *fixture) runQueued() {
	f.ui.mu.Lock()
	fns := f.ui.fns
	f.ui.fns = nil
	f.ui.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// waitQueued waits until a UI callback is queued, for at most 10 s.
func (f *fixture) waitQueued() {
	f.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		f.ui.mu.Lock()
		n := len(f.ui.fns)
		f.ui.mu.Unlock()
		if n > 0 {
			return
		}
	}
	f.t.Fatal("waited 10 s for a UI callback")
}

// answerPhrase ends the one rest left and runs the lookup it starts up to
// its answer.
func (f *fixture) answerPhrase(w *phraseWaits) {
	f.t.Helper()
	if n := w.end(); n != 1 {
		f.t.Fatalf("%d phrase lookups, want 1", n)
	}
	f.runQueued()
	f.waitQueued()
	f.runQueued()
}

// phraseText is the sign-in's line for phrase.
func phraseText(phrase string) string {
	return lang.LocalizeKey("signin.phrase", "", map[string]any{"Phrase": phrase})
}

// setPhraseElsewhere sets the account's phrase from another device, which
// leaves this computer's keychain alone.
func (f *fixture) setPhraseElsewhere(email, phrase string) {
	f.t.Helper()
	ctx := context.Background()
	c, err := authapi.NewClient(f.srv.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: testPassword, DeviceName: "phone"}); err != nil {
		f.t.Fatal(err)
	}
	if err := c.SetAntiPhishingPhrase(ctx, authapi.AntiPhishingRequest{Phrase: phrase, Password: testPassword}); err != nil {
		f.t.Fatal(err)
	}
}

// TestSignInPhrase: once home has read the account of a session signed in
// with "remember me", the sign-in screen
// shows its phrase for the typed address, asked once the typing rests; an
// unknown or invalid address shows none. English and Chinese goldens.
func TestSignInPhrase(t *testing.T) {
	f := newSignInFixture(t)
	w := usePhraseWaits(t)
	const email, phrase = "ann@example.org", "Blue heron at dawn"
	f.register(email)
	f.setPhraseElsewhere(email, phrase)

	f.typeIn("field.email_placeholder", email)
	f.answerPhrase(w)
	if f.shows(phraseText(phrase)) {
		t.Fatal("the phrase shows before this computer learnt it")
	}
	f.typeIn("signin.password", testPassword)
	// The phrase is kept for accounts signed in with "remember me" only.
	f.check("signin.remember").SetChecked(true)
	f.tap("signin.submit")
	f.waitText(lang.LocalizeKey("home.phishing_set", "", map[string]any{"Phrase": phrase}))
	f.tap("home.sign_out")
	f.waitSignIn()

	// Typing the address asks the keychain once, at the end.
	w.fns, w.live = nil, nil
	f.typeIn("field.email_placeholder", "Ann@Example.org")
	if len(w.fns) < 2 {
		t.Fatalf("%d rests for a typed address", len(w.fns))
	}
	f.answerPhrase(w)
	f.waitText(phraseText(phrase))
	f.golden("signin/phrase.xml")

	f.typeIn("field.email_placeholder", "x")
	if f.shows(phraseText(phrase)) {
		t.Fatal("the phrase stays for another address")
	}
	f.answerPhrase(w)
	if f.shows(phraseText(phrase)) || f.shows(phraseText("")) {
		t.Fatalf("an unknown address shows a phrase:\n%s", f.texts())
	}
	f.entry("field.email_placeholder").SetText("ann@")
	if n := w.end(); n != 0 {
		t.Fatalf("an invalid address is looked up %d times", n)
	}
	f.ui.run()
	if f.shows(phraseText("")) {
		t.Fatalf("an invalid address shows a phrase:\n%s", f.texts())
	}

	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	f.waitSignIn()
	f.typeIn("field.email_placeholder", email)
	f.answerPhrase(w)
	f.waitText(phraseText(phrase))
	f.golden("signin/phrase_zh.xml")
}

// TestSignInPhraseStale: an answer that comes after the address changed is
// dropped.
func TestSignInPhraseStale(t *testing.T) {
	f := newSignInFixture(t)
	w := usePhraseWaits(t)
	const email, phrase = "bea@example.org", "Lanterns over the river"
	f.register(email)
	_, other := f.newApp()
	ctx := context.Background()
	if _, err := other.SignIn(ctx, email, testPassword, true); err != nil {
		t.Fatal(err)
	}
	if err := other.SetAntiPhishingPhrase(ctx, phrase, testPassword); err != nil {
		t.Fatal(err)
	}

	f.typeIn("field.email_placeholder", email)
	if n := w.end(); n != 1 {
		t.Fatalf("%d lookups", n)
	}
	f.runQueued()
	f.waitQueued()
	// The answer waits in the queue while the address changes.
	f.entry("field.email_placeholder").SetText("bea@")
	f.ui.run()
	if f.shows(phraseText(phrase)) {
		t.Fatal("a stale answer shows the phrase of an address no longer typed")
	}
	f.entry("field.email_placeholder").SetText(email)
	f.answerPhrase(w)
	f.waitText(phraseText(phrase))
}
