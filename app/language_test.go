package app_test

import (
	"context"
	"testing"
)

// TestLanguage follows the app's language to the server: a registration
// in Chinese gets a Chinese mail and account; a switch while signed in
// changes the account at once, a switch while signed out at the next
// sign-in.
func TestLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "lin@example.org"
	language := func() string {
		t.Helper()
		me, err := f.app.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return me.Language
	}

	f.app.SetLanguage("zh_Hans")
	reg, err := f.app.Register(ctx, email, password, password)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := reg.Verify(ctx, f.code(email, "确认您的", 0), false); err != nil || !res.SignedIn() {
		t.Fatalf("verify: %+v %v", res, err)
	}
	if got := language(); got != "zh-Hans" {
		t.Fatalf("account language %q after a Chinese registration", got)
	}

	if err := f.app.SwitchLanguage(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	if got := language(); got != "en" {
		t.Fatalf("account language %q after switching to en", got)
	}

	f.signOut()
	if err := f.app.SwitchLanguage(ctx, "zh_Hans"); err != nil {
		t.Fatal(err)
	}
	if res, err := f.app.SignIn(ctx, email, password, false); err != nil || !res.SignedIn() {
		t.Fatalf("sign-in: %+v %v", res, err)
	}
	if got := language(); got != "zh-Hans" {
		t.Fatalf("account language %q after switching to zh_Hans while signed out", got)
	}
}
