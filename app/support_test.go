package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/recovery"
	"sesame/server/store"
)

// TestSupportLockedOut: a locked-out user asks for a code, files a
// request with her report, and reads the operator's reply; a phrase or
// her password in the description is refused before anything is sent.
func TestSupportLockedOut(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	f := serveFixture(t, srv.Handler)
	ctx := context.Background()
	const email = "locked@example.org"
	f.register(email, false)
	f.signOut()
	for range 5 {
		f.app.SignIn(ctx, email, "a wrong password 1", false)
	}
	if _, err := f.app.SignIn(ctx, email, password, false); !errors.Is(err, authapi.ErrAccountLocked) {
		t.Fatalf("sign-in: %v", err)
	}

	n := f.mails(email)
	login, err := f.app.StartSupport(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.SupportRequests(ctx, login); !errors.Is(err, app.ErrStepOrder) {
		t.Fatalf("before the code: %v", err)
	}
	if err := login.Verify(ctx, f.code(email, "support", n)); err != nil {
		t.Fatal(err)
	}
	report := "Sesame connection report\nBlocks signing in: no\n"
	var se *recovery.SecretError
	for text, kind := range map[string]authapi.SecretKind{
		"my phrase is legal winner thank year wave sausage worth useful legal winner thank yellow": authapi.SecretRecoveryPhrase,
		"I typed " + password + " and it fails":                                                    authapi.SecretPassword,
	} {
		if _, err := f.app.SendSupportRequest(ctx, login, authapi.TopicLocked, text, report, password); !errors.As(err, &se) || se.Kind != kind {
			t.Fatalf("%q: %v", text, err)
		}
	}
	tk, err := f.app.SendSupportRequest(ctx, login, authapi.TopicLocked, "Locked out after a trip.", report, password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Store.AnswerTicket(ctx, tk.Number, "Unlocked: sign in again.",
		store.AuditEntry{At: time.Now(), Operator: "root", Action: store.ActionTicketReply}); err != nil {
		t.Fatal(err)
	}
	list, err := f.app.SupportRequests(ctx, login)
	if err != nil || len(list) != 1 || list[0].Number != tk.Number || list[0].StaffPhrase != tk.StaffPhrase ||
		len(list[0].Replies) != 1 || list[0].Replies[0].Text != "Unlocked: sign in again." {
		t.Fatalf("requests %+v, %v", list, err)
	}
}

// TestSupportSignedIn: signed in, a request is tied to the account with no
// code; signed out, it needs a login.
func TestSupportSignedIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("in@example.org", false)
	tk, err := f.app.SendSupportRequest(ctx, nil, authapi.TopicWallet, "The wallet does not open.", "")
	if err != nil || tk.Status != authapi.TicketOpen {
		t.Fatalf("%+v %v", tk, err)
	}
	if list, err := f.app.SupportRequests(ctx, nil); err != nil || len(list) != 1 {
		t.Fatalf("%+v %v", list, err)
	}
	f.signOut()
	if _, err := f.app.SupportRequests(ctx, nil); !errors.Is(err, app.ErrNotSignedIn) {
		t.Fatalf("signed out: %v", err)
	}
}
