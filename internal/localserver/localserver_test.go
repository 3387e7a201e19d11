package localserver_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/localserver"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestStartServesAndKeepsMail(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	s, err := localserver.Options{Keychain: &fakeKeychain{}, Stderr: io.Discard}.Start(ctx, dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.URL != "http://"+addr || s.Shared {
		t.Fatalf("URL %q shared %v", s.URL, s.Shared)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data folder: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, localserver.DBName)); err != nil {
		t.Fatal(err)
	}

	c, err := authapi.NewClient(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"a@example.org", "b@example.org"} {
		if err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: to, Password: "a sturdy password 7"}); err != nil {
			t.Fatal(err)
		}
	}
	// The server mails after it answers: wait for both.
	var mails []authapi.Mail
	for deadline := time.Now().Add(5 * time.Second); len(mails) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if mails, err = s.Mails(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(mails) != 2 || mails[0].To != "b@example.org" || mails[1].To != "a@example.org" {
		t.Fatalf("the mailbox lists every address, newest first: %+v", mails)
	}
	// The dev mailbox endpoint still answers for one address only.
	one, err := c.Mailbox(ctx, "a@example.org")
	if err != nil || len(one) != 1 {
		t.Fatalf("mailbox of one address: %d mails, %v", len(one), err)
	}

	// A second app on the same data uses the running server.
	again, err := localserver.Start(ctx, dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Shared {
		t.Fatal("a second start did not share the running server")
	}
	if m, err := again.Mails(ctx); err != nil || len(m) != 2 {
		t.Fatalf("the shared server's mails: %d, %v", len(m), err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(ctx); err != nil {
		t.Fatalf("closing the sharer stopped the server: %v", err)
	}
}

func TestStartRefusesAPortOfAnotherProgram(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>something else</html>"))
	}))
	_, err = localserver.Start(context.Background(), t.TempDir(), ln.Addr().String())
	if !errors.Is(err, localserver.ErrPortTaken) {
		t.Fatalf("got %v, want ErrPortTaken", err)
	}
}

func TestStartOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:47180", "192.0.2.1:47180", "localhost", ":47180"} {
		if _, err := localserver.Start(context.Background(), t.TempDir(), addr); !errors.Is(err, localserver.ErrNotLoopback) {
			t.Errorf("%q: got %v, want ErrNotLoopback", addr, err)
		}
	}
}

// TestNoticeLinksWork: the built-in server is its own public URL, so that
// a notice in the Mailbox carries a "this wasn't me" link that opens.
func TestNoticeLinksWork(t *testing.T) {
	ctx := context.Background()
	s, err := localserver.Options{Keychain: &fakeKeychain{}, Stderr: io.Discard}.Start(ctx, filepath.Join(t.TempDir(), "data"), freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := authapi.NewClient(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	const to, pw = "ann@example.org", "a sturdy password 7"
	if err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: to, Password: pw}); err != nil {
		t.Fatal(err)
	}
	mails := waitMails(t, c, to, 1)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mails[0].Text)
	if err := c.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: to, Code: code, Password: pw}); err != nil {
		t.Fatal(err)
	}
	// The first device is the account's own; the second is new to it.
	for _, device := range []string{"desk", "laptop"} {
		if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: to, Password: pw, DeviceName: device}); err != nil {
			t.Fatal(err)
		}
	}
	notice := waitMails(t, c, to, 2)[0]
	link := regexp.MustCompile(regexp.QuoteMeta(s.URL+"/wasnt-me?t=") + `[^\s"<]+`).FindString(notice.Text)
	if link == "" {
		t.Fatalf("the new-device notice has no link to %s:\n%s", s.URL, notice.Text)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the notice's link answers %d", resp.StatusCode)
	}
}

// waitMails waits until the address has n mails, and returns them, newest
// first.
func waitMails(t *testing.T, c *authapi.Client, to string, n int) []authapi.Mail {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m, err := c.Mailbox(context.Background(), to); err != nil {
			t.Fatal(err)
		} else if len(m) >= n {
			return m
		}
	}
	t.Fatalf("%s did not get %d mails", to, n)
	return nil
}
