package app_test

import (
	"context"
	"slices"
	"testing"

	"sesame/app"
)

// typingCases drive TestCheckTyping and seed FuzzCheckTyping.
var typingCases = []struct {
	text string
	want []app.TypingWarning
}{
	{"", nil},
	{"a sturdy password 7", nil},
	{"Correct Horse 9!", nil},
	{"PIN", []app.TypingWarning{app.WarnCapsLock}},
	{"A STURDY PASSWORD 7", []app.TypingWarning{app.WarnCapsLock}},
	{"pASSWORD!", []app.TypingWarning{app.WarnCapsLock}},
	{"cORRECT hORSE", []app.TypingWarning{app.WarnCapsLock}},
	{"AB12", nil},
	{"HELLO world", nil},
	{"PASSword", nil},
	{"密码ABC", []app.TypingWarning{app.WarnCapsLock}},
	{"密码很长的口令", nil},
	{" a sturdy password 7", []app.TypingWarning{app.WarnSpaces}},
	{"a sturdy password 7 ", []app.TypingWarning{app.WarnSpaces}},
	{"a sturdy password 7\t", []app.TypingWarning{app.WarnSpaces}},
	{"ａｂｃ１２３", []app.TypingWarning{app.WarnFullWidth}},
	{"abc！", []app.TypingWarning{app.WarnFullWidth}},
	{"我的\u3000密码", []app.TypingWarning{app.WarnFullWidth}},
	{"\u3000password", []app.TypingWarning{app.WarnSpaces, app.WarnFullWidth}},
	{" PASSWORD ", []app.TypingWarning{app.WarnCapsLock, app.WarnSpaces}},
	{"ｐａｓｓ～", []app.TypingWarning{app.WarnFullWidth}},
	{"ABCＤ", []app.TypingWarning{app.WarnCapsLock, app.WarnFullWidth}},
}

func TestCheckTyping(t *testing.T) {
	for _, c := range typingCases {
		if got := app.CheckTyping(c.text); !slices.Equal(got, c.want) {
			t.Errorf("CheckTyping(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func FuzzCheckTyping(f *testing.F) {
	for _, c := range typingCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := app.CheckTyping(text)
		if len(got) > 3 {
			t.Fatalf("%q: %d warnings", text, len(got))
		}
		for _, w := range got {
			if w == app.WarnAccountPassword {
				t.Fatalf("%q: the pure check knows no account password", text)
			}
		}
	})
}

// TestWalletPasswordWarnings checks that the account password the session
// signed in with is recognised as a wallet password, another is not, and
// nothing is known after signing out or after a resumed session.
func TestWalletPasswordWarnings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	reused := []app.TypingWarning{app.WarnAccountPassword}
	if got := f.app.WalletPasswordWarnings(password); got != nil {
		t.Errorf("signed out: %v", got)
	}
	f.register("typing@example.org", true)
	if got := f.app.WalletPasswordWarnings(password); !slices.Equal(got, reused) {
		t.Errorf("after registering: %v, want %v", got, reused)
	}
	if got := f.app.WalletPasswordWarnings(password + "x"); got != nil {
		t.Errorf("another password: %v", got)
	}
	_, resumed := f.newApp()
	if ok, err := resumed.Resume(ctx); !ok || err != nil {
		t.Fatalf("resume: %v %v", ok, err)
	}
	if got := resumed.WalletPasswordWarnings(password); got != nil {
		t.Errorf("resumed: %v", got)
	}
	// The resumed app spent the remembered sign-in: it goes on alone.
	a := resumed
	if _, err := a.SignIn(ctx, "typing@example.org", password, false); err == nil {
		t.Fatal("signed in twice")
	}
	if err := a.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignIn(ctx, "typing@example.org", password, false); err != nil {
		t.Fatal(err)
	}
	if got := a.WalletPasswordWarnings(" " + password); !slices.Equal(got, []app.TypingWarning{app.WarnSpaces}) {
		t.Errorf("with a space: %v", got)
	}
	const changed = "another sturdy password 8"
	if err := a.ChangePassword(ctx, password, changed, changed); err != nil {
		t.Fatal(err)
	}
	if got := a.WalletPasswordWarnings(changed); !slices.Equal(got, reused) {
		t.Errorf("after a change: %v, want %v", got, reused)
	}
	if got := a.WalletPasswordWarnings(password); got != nil {
		t.Errorf("the old password: %v", got)
	}
	if err := a.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.WalletPasswordWarnings(changed); got != nil {
		t.Errorf("signed out: %v", got)
	}
}
