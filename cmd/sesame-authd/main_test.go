package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
)

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, io.Discard, &out, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	var o options
	n := 0
	flags(&o, io.Discard).VisitAll(func(f *flag.Flag) {
		n++
		if len(f.Usage) < 15 || !strings.Contains(out.String(), "-"+f.Name) {
			t.Errorf("--%s is not explained by --help", f.Name)
		}
	})
	for _, want := range []string{"maintenance on|off", "SIGTERM", "SESAME_SMTP_URL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %q", want)
		}
	}
	if n < 20 {
		t.Fatalf("only %d flags", n)
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	for _, args := range [][]string{
		{"--db", db, "--listen", "127.0.0.1:0"}, // no mail delivery
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--smtp", "smtp://mail.example.org"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--argon2-memory", "1024"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--tls-cert", "x.pem"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--min-client-version", "one"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--lock-failures", "0"},
		{"--db", db, "--local-mailbox", "stray"},
		{"maintenance", "sideways", "--db", db},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard, nil); err == nil {
			t.Errorf("%q was accepted", args)
		}
	}
}

// TestServeMaintenanceAndShutdown runs the program: it serves, follows the
// maintenance switch of its database without a restart, and on shutdown
// finishes the request in flight.
func TestServeMaintenanceAndShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "authd.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs testserver.LogBuffer
	go func() {
		// A costly hash keeps the sign-up below in flight at shutdown.
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--db", db, "--local-mailbox",
			"--argon2-memory", "262144", "--argon2-time", "3", "--log-format", "json"}, io.Discard, &logs, ready)
	}()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		t.Fatal(err)
	}
	get := func(path string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/v1/status"); s != 200 {
		t.Fatalf("status: %d", s)
	}
	if s := get("/v1/dev/mailbox?to=a@example.org"); s != 200 {
		t.Fatalf("the local mailbox on loopback: %d", s)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"maintenance", "on", "--db", db, "--message", "Moving house", "--until", "2030-01-01T00:00:00Z"},
		&out, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for get("/v1/me") != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("the running server did not enter maintenance")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := run(ctx, []string{"maintenance", "off", "--db", db}, &out, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	for get("/v1/me") == http.StatusServiceUnavailable {
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatal("the running server did not leave maintenance")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A sign-up in flight when the shutdown starts is answered.
	var wg sync.WaitGroup
	sent := make(chan struct{})
	status := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(sent) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", base+"/v1/accounts",
			strings.NewReader(`{"email":"late@example.org","password":"a long new password 1"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		status = resp.StatusCode
	}()
	<-sent
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	wg.Wait()
	if status != http.StatusAccepted {
		t.Fatalf("the request in flight got %d", status)
	}
	for _, want := range []string{`"msg":"listening"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	if strings.Contains(logs.String(), "a long new password 1") {
		t.Error("the log holds the password")
	}
}
