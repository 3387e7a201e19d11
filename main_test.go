package main

import (
	"context"
	"io"
	"net"
	"regexp"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/localserver"
	"sesame/internal/testserver"
	"sesame/keystore"
)

// noKeychain is a session without a keychain: the built-in server keeps
// its key in its data folder, and the tests leave the user's keychain be.
type noKeychain struct{}

var errNoKeychain = &keystore.UnavailableError{Reason: keystore.ReasonNoSessionBus, Op: "test"}

func (noKeychain) SaveSecret(context.Context, string, string) error { return errNoKeychain }
func (noKeychain) Secret(context.Context, string) (string, error)   { return "", errNoKeychain }

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// newDesktop is the app's desktop, its built-in server on a free loopback
// port; the keychain is unavailable, so the tests leave the user's be.
func newDesktop(t *testing.T) *desktop {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &desktop{ctx: context.Background(), o: options{data: t.TempDir(), localAddr: addr},
		localOpts: localserver.Options{Keychain: noKeychain{}, Stderr: io.Discard}}
}

// TestSwitchServerEndsSession: a session not remembered on the server
// left in the settings is signed out there, as at a quit.
func TestSwitchServerEndsSession(t *testing.T) {
	const email, password = "sam@example.org", "a sturdy password 7"
	ctx := context.Background()
	ts := testserver.Start(t)
	d := newDesktop(t)
	c, err := d.connect(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	d.app = c.App
	reg, err := d.app.Register(ctx, email, password, password)
	if err != nil {
		t.Fatal(err)
	}
	watch, err := authapi.NewClient(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	var code string
	for deadline := time.Now().Add(30 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mails, err := watch.Mailbox(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if c := codeRE.FindString(m.Text); c != "" {
				code = c
			}
		}
	}
	if res, err := reg.Verify(ctx, code, false); err != nil || !res.SignedIn() {
		t.Fatalf("verify: %v", err)
	}

	next, err := d.switchServer("")
	if err != nil {
		t.Fatal(err)
	}
	if err := next.Commit(); err != nil {
		t.Fatal(err)
	}
	defer d.closeLocal()
	if _, err := watch.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "watch"}); err != nil {
		t.Fatal(err)
	}
	if ss, err := watch.Sessions(ctx); err != nil || len(ss) != 1 {
		t.Fatalf("the session on the server left outlived the switch: %d sessions, %v", len(ss), err)
	}
}

// TestSwitchToBuiltinAbandoned: the built-in server started for a switch
// back to it that is abandoned (it did not answer, or the user stopped)
// is stopped, so its port is free again.
func TestSwitchToBuiltinAbandoned(t *testing.T) {
	d := newDesktop(t)
	c, err := d.switchServer("")
	if err != nil || c.StartupError != nil || !c.Local {
		t.Fatalf("switch: %+v %v", c, err)
	}
	if c.Abandon == nil {
		t.Fatal("nothing stops the built-in server of an abandoned switch")
	}
	c.Abandon()
	ln, err := net.Listen("tcp", d.o.localAddr)
	if err != nil {
		t.Fatalf("the built-in server runs on: %v", err)
	}
	ln.Close()
}
