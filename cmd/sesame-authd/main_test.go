package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/sms"
	"sesame/server/store"
	"sesame/server/store/sqlite"
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
	for _, want := range []string{"maintenance on|off", "SIGTERM", "SESAME_SMTP_URL", "genkey", "SESAME_TOTP_KEY", "--dev-plain-totp-secrets", "admin find|show", "admin log"} {
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
	// With a key, so that each is refused for what it shows.
	t.Setenv(totpKeyEnv, server.EncodeTOTPKey(server.NewTOTPKey()))
	for _, args := range [][]string{
		{"--db", db, "--listen", "127.0.0.1:0"}, // no mail delivery
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--smtp", "smtp://mail.example.org"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--argon2-memory", "1024"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--tls-cert", "x.pem"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--min-client-version", "one"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--lock-failures", "0"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--session-max-age", "0s"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--ticket-retention", "-1h"},
		{"--db", db, "--local-mailbox", "stray"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--trusted-proxies", "10.0.0.0/8,proxy.example"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--trusted-proxies", "0.0.0.0/0"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--trusted-proxies", "10.0.0.0/8,,"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--trusted-proxies", "10.0.0.0/8", "--forwarded-header", "X-Real-IP"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--public-url", "auth.example.org"},
		{"--db", db, "--listen", "127.0.0.1:8089", "--local-mailbox", "--metrics-listen", "127.0.0.1:8089"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--drain-wait", "-1s"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--sms-countries", "CN,XX"},
		{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--metrics-listen", "127.0.0.1:99999"},
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
	keyFile := filepath.Join(t.TempDir(), "totp.key")
	if err := run(ctx, []string{"genkey", "--out", keyFile}, io.Discard, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	go func() {
		// A costly hash keeps the sign-up below in flight at shutdown.
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--db", db, "--local-mailbox", "--totp-key-file", keyFile, "--drain-wait", "0",
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
	deadline := time.Now().Add(30 * time.Second)
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

// TestVersion prints the stamped version without needing a key or a
// database.
func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, &out, io.Discard, nil); err != nil || out.String() != "sesame-authd "+version+"\n" {
		t.Fatalf("--version: %q, %v", out.String(), err)
	}
}

func TestGenkey(t *testing.T) {
	var a, b bytes.Buffer
	for _, out := range []*bytes.Buffer{&a, &b} {
		if err := run(context.Background(), []string{"genkey"}, out, io.Discard, nil); err != nil {
			t.Fatal(err)
		}
		if k, err := server.ParseTOTPKey(out.String()); err != nil || len(k) != server.TOTPKeySize {
			t.Fatalf("genkey printed no key: %v", err)
		}
	}
	if a.String() == b.String() {
		t.Fatal("two keys are equal")
	}
	file := filepath.Join(t.TempDir(), "totp.key")
	var say bytes.Buffer
	if err := run(context.Background(), []string{"genkey", "--out", file}, io.Discard, &say, nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, %v", fi.Mode(), err)
	}
	key, _ := os.ReadFile(file)
	if _, err := server.ParseTOTPKey(string(key)); err != nil || strings.Contains(say.String(), strings.TrimSpace(string(key))) {
		t.Fatalf("the key file holds no key, or the key was printed: %v", err)
	}
	if err := run(context.Background(), []string{"genkey", "--out", file}, io.Discard, io.Discard, nil); err == nil {
		t.Fatal("genkey replaced an existing key")
	}
	if again, _ := os.ReadFile(file); !bytes.Equal(again, key) {
		t.Fatal("the existing key changed")
	}
}

func TestTOTPKeyOptions(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	key := server.EncodeTOTPKey(server.NewTOTPKey())
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	good := write("good.key", key+"\n", 0o600)
	open := write("open.key", key+"\n", 0o644)
	bad := write("bad.key", "not a key at all\n", 0o600)
	short := write("short.key", server.EncodeTOTPKey(make([]byte, 16)), 0o600)
	base := []string{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--drain-wait", "0"}
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", nil, "no TOTP key"},
		{"", []string{"--totp-key-file", open}, "chmod 600"},
		{"", []string{"--totp-key-file", bad}, "standard base64"},
		{"", []string{"--totp-key-file", short}, "standard base64"},
		{"", []string{"--totp-key-file", filepath.Join(dir, "missing.key")}, "no such file"},
		{"not base64!", nil, "SESAME_TOTP_KEY"},
		{key, []string{"--totp-key-file", good}, "not both"},
		{key, []string{"--dev-plain-totp-secrets"}, "exclude each other"},
		{"", []string{"--dev-plain-totp-secrets", "--totp-key-file", good}, "exclude each other"},
	} {
		t.Setenv(totpKeyEnv, c.env)
		err := run(context.Background(), append(base, c.args...), io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q with $%s of %d characters: %v, want %q", c.args, totpKeyEnv, len(c.env), err, c.want)
		} else if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "not a key at all") {
			t.Errorf("%q: the error quotes the key file: %v", c.args, err)
		}
	}

	// Each way of giving a key, and the development mode, serves.
	for _, c := range []struct {
		env  string
		args []string
	}{
		{"", []string{"--totp-key-file", good}},
		{" " + key + "\n", nil},
		{"", []string{"--dev-plain-totp-secrets"}},
	} {
		t.Setenv(totpKeyEnv, c.env)
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan string, 1)
		done := make(chan error, 1)
		var logs testserver.LogBuffer
		go func() { done <- run(ctx, append(base, c.args...), io.Discard, &logs, ready) }()
		select {
		case <-ready:
		case err := <-done:
			t.Fatalf("%q: %v", c.args, err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(logs.String(), key) {
			t.Fatal("the log holds the key")
		}
		if plain := strings.Contains(logs.String(), "plain"); plain != (c.env == "" && c.args[0] == "--dev-plain-totp-secrets") {
			t.Errorf("%q: the development mode's warning in the log is %v", c.args, plain)
		}
	}
}

// TestWrongTOTPKeyStopsTheStart: over a database whose TOTP secret another
// key sealed, the program refuses to start, and says why without quoting
// the secret or either key.
func TestWrongTOTPKeyStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "authd.db")
	const secret = "JBSWY3DPEHPK3PXP"
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	err = st.CreateAccount(context.Background(), store.Account{ID: "acct-1", Email: "a@example.org", PasswordHash: "x", CreatedAt: time.Now()})
	if err == nil {
		err = st.SetPendingTOTP(context.Background(), "acct-1", secret)
	}
	if err := errors.Join(err, st.Close()); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, name := range []string{"right.key", "wrong.key"} {
		keys[name] = filepath.Join(dir, name)
		if err := run(context.Background(), []string{"genkey", "--out", keys[name]}, io.Discard, io.Discard, nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(totpKeyEnv, "")
	serve := func(key string) error {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ready, done := make(chan string, 1), make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--totp-key-file", key, "--drain-wait", "0"}, io.Discard, io.Discard, ready)
		}()
		select {
		case <-ready:
			cancel()
			return <-done
		case err := <-done:
			return err
		}
	}

	// The first start seals the plain secret with the right key.
	if err := serve(keys["right.key"]); err != nil {
		t.Fatal(err)
	}
	err = serve(keys["wrong.key"])
	if err == nil || !strings.Contains(err.Error(), "the TOTP key does not open the database's two-factor secrets") {
		t.Fatalf("with the wrong key: %v", err)
	}
	for name, path := range keys {
		key, _ := os.ReadFile(path)
		if strings.Contains(err.Error(), strings.TrimSpace(string(key))) {
			t.Fatalf("the error quotes %s: %v", name, err)
		}
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "v1:") {
		t.Fatalf("the error quotes the secret: %v", err)
	}
	if err := serve(keys["right.key"]); err != nil {
		t.Fatalf("with the right key again: %v", err)
	}
}

func TestParseProxies(t *testing.T) {
	got, err := parseProxies(" 10.1.2.3/8, 192.0.2.7 ,2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[10.0.0.0/8 192.0.2.7/32 2001:db8::/32]" {
		t.Errorf("got %v", got)
	}
	for _, bad := range []string{"::/0", "::ffff:10.0.0.0/104", "fe80::1%eth0", "10.0.0.0/33", "proxy"} {
		if _, err := parseProxies(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

func TestSenderAddress(t *testing.T) {
	for from, want := range map[string]string{
		"Sesame <no-reply@sesame.example>": "no-reply@sesame.example",
		"no-reply@sesame.example":          "no-reply@sesame.example",
		`"Sesame, Inc." <a@b.example>`:     "a@b.example",
	} {
		if got, err := senderAddress(from); err != nil || got != want {
			t.Errorf("%q: %q, %v", from, got, err)
		}
	}
	for _, bad := range []string{"", "Sesame", "Sesame <no-reply>"} {
		if _, err := senderAddress(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

// TestServeBehindProxy runs the program with the proxy options from the
// environment: a request for another host than the public URL's is
// refused, and the request log names the client the proxy forwarded.
func TestServeBehindProxy(t *testing.T) {
	t.Setenv(trustedProxiesEnv, "127.0.0.0/8")
	t.Setenv(publicURLEnv, "https://auth.example.org")
	var logs testserver.LogBuffer
	addr := serveUntilCleanup(t, &logs, "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "authd.db"),
		"--local-mailbox", "--dev-plain-totp-secrets", "--log-format", "json")
	get := func(host string, hdr ...string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/status", nil)
		req.Host = host
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(addr); s != http.StatusMisdirectedRequest {
		t.Errorf("a request for %s: %d", addr, s)
	}
	if s := get(addr, "X-Forwarded-Host", "auth.example.org", "X-Forwarded-For", "203.0.113.77"); s != 200 {
		t.Errorf("a request through the proxy: %d", s)
	}
	if !strings.Contains(logs.String(), `"ip":"203.0.113.77"`) {
		t.Errorf("the request log does not name the forwarded client: %s", logs.String())
	}
}

// serveUntilCleanup runs the server with args until the test ends, its log
// to logs, and returns the address it listens on.
func serveUntilCleanup(t *testing.T, logs io.Writer, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- run(ctx, append(args, "--drain-wait", "0"), io.Discard, logs, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() { cancel(); <-done })
		return addr
	case err := <-done:
		cancel()
		t.Fatal(err)
		return ""
	}
}

// TestServeTextsThroughGateway: with --sms-gateway the server texts a
// phone number's code to the gateway as JSON with the token of
// $SESAME_SMS_TOKEN, which never reaches the log; a gateway URL in plain
// http to another host is refused.
func TestServeTextsThroughGateway(t *testing.T) {
	type text struct{ auth, to, body string }
	texts := make(chan text, 4)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Text string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		texts <- text{r.Header.Get("Authorization"), m.To, m.Text}
	}))
	defer gw.Close()
	t.Setenv(smsTokenEnv, "gateway-token-31337")
	db := filepath.Join(t.TempDir(), "authd.db")
	if err := run(context.Background(), []string{"--db", db, "--listen", "127.0.0.1:0", "--local-mailbox", "--dev-plain-totp-secrets",
		"--sms-gateway", "http://sms.example/send"}, io.Discard, io.Discard, nil); !errors.Is(err, sms.ErrInsecureURL) {
		t.Fatalf("a plain http gateway elsewhere: %v", err)
	}
	var logs testserver.LogBuffer
	addr := serveUntilCleanup(t, &logs, "--listen", "127.0.0.1:0", "--db", db, "--local-mailbox", "--dev-plain-totp-secrets",
		"--sms-gateway", gw.URL+"/send", "--argon2-memory", "19456", "--log-format", "json")
	c, err := authapi.NewClient("http://"+addr, authapi.WithVersion("1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	email, pw := "ann@example.org", "a long enough password 7"
	if err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: email, Password: pw}); err != nil {
		t.Fatal(err)
	}
	var code string
	for deadline := time.Now().Add(30 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if mails, err := c.Mailbox(ctx, email); err == nil && len(mails) > 0 {
			code = regexp.MustCompile(`\b\d{6}\b`).FindString(mails[0].Text)
		}
	}
	if err := c.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: email, Code: code, Password: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPhone(ctx, authapi.PhoneRequest{Phone: "+8613800138000", Password: pw}); err != nil {
		t.Fatal(err)
	}
	got := <-texts
	if got.auth != "Bearer gateway-token-31337" || got.to != "+8613800138000" || !strings.Contains(got.body, "Sesame") {
		t.Fatalf("the gateway got %+v", got)
	}
	if strings.Contains(logs.String(), "gateway-token-31337") {
		t.Fatal("the gateway's token is in the log")
	}
}
