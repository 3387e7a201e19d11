package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/authapi"
	"sesame/internal/testdb"
	"sesame/server"
)

// adminEnv is a real server on a database of the test's own, and the
// admin commands run on that database.
type adminEnv struct {
	t    *testing.T
	db   testdb.DB
	base string
}

// newAdminEnv serves a database of kind with the program, as an operator
// runs it, with a TOTP key, cheap hashes, no rate limits and a lock after
// two failures.
func newAdminEnv(t *testing.T, kind string) *adminEnv {
	testdb.Require(t, kind)
	db := testdb.New(t, kind)
	t.Setenv(totpKeyEnv, server.EncodeTOTPKey(server.NewTOTPKey()))
	t.Setenv("SUDO_USER", "")
	t.Setenv("USER", "alice")
	addr := serveUntilCleanup(t, io.Discard, "--listen", "127.0.0.1:0", "--db", db.Source, "--local-mailbox",
		"--argon2-memory", "19456", "--argon2-time", "2", "--rate-ip", "0", "--rate-account", "0", "--rate-auth", "0", "--rate-refresh", "0",
		"--rate-mail", "0", "--mails-per-day", "0", "--lock-failures", "2")
	return &adminEnv{t: t, db: db, base: "http://" + addr}
}

// call sends a request with a JSON body (when not nil) and decodes the
// answer into out (when not nil); it returns the status and the problem
// code, if any.
func (e *adminEnv) call(method, path string, body any, token string, out any) (int, authapi.Code) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.base+path, rd)
	req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p authapi.Problem
	if resp.StatusCode >= 400 {
		json.Unmarshal(b, &p)
	} else if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, p.Code
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// signUp makes and verifies the account of email.
func (e *adminEnv) signUp(email, pw string) {
	e.t.Helper()
	if s, _ := e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw}, "", nil); s != 202 {
		e.t.Fatalf("sign-up: %d", s)
	}
	code := ""
	for deadline := time.Now().Add(30 * time.Second); code == "" && time.Now().Before(deadline); {
		var box authapi.Mailbox
		e.call("GET", "/v1/dev/mailbox?to="+email, nil, "", &box)
		if len(box.Mails) > 0 {
			code = sixDigits.FindString(box.Mails[0].Text)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if s, _ := e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: pw}, "", nil); s != 204 {
		e.t.Fatalf("verification: %d", s)
	}
}

// signIn answers a sign-in's status and problem code, and its tokens.
func (e *adminEnv) signIn(email, pw string) (int, authapi.Code, authapi.Tokens) {
	e.t.Helper()
	var tok authapi.Tokens
	s, c := e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "laptop"}, "", &tok)
	return s, c, tok
}

// admin runs sesame-authd admin args on the database and returns its
// standard output.
func (e *adminEnv) admin(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), append(append([]string{"admin"}, args...), "--db", e.db.Source), &out, io.Discard, nil)
	return out.String(), err
}

// adminJSON runs an admin command with --json, which must succeed, and
// decodes its output into v.
func (e *adminEnv) adminJSON(v any, args ...string) {
	e.t.Helper()
	out, err := e.admin(append(args, "--json")...)
	if err != nil {
		e.t.Fatalf("admin %q: %v", args, err)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		e.t.Fatalf("admin %q printed %q: %v", args, out, err)
	}
}

// TestAdminSuspension: a suspended account's session is refused at once,
// its refresh too, and its sign-in answers account_suspended; unsuspended,
// it signs in again. Each change is in the audit log.
func TestAdminSuspension(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := newAdminEnv(t, kind)
			const email, pw = "ann@example.org", "correct horse battery 1"
			e.signUp(email, pw)
			_, _, tok := e.signIn(email, pw)
			var found []accountJSON
			e.adminJSON(&found, "find", "ANN@")
			if len(found) != 1 || found[0].Email != email || found[0].State != "active" || !found[0].Verified {
				t.Fatalf("find: %+v", found)
			}
			var shown showJSON
			e.adminJSON(&shown, "show", email)
			if shown.Account == nil || shown.Account.ID != found[0].ID || len(shown.Sessions) != 1 || len(shown.Devices) != 1 ||
				shown.Sessions[0].DeviceName != "laptop" || len(shown.Activity) != 1 {
				t.Fatalf("show: %+v", shown)
			}

			if _, err := e.admin("suspend", email); err == nil || !strings.Contains(err.Error(), "--reason") {
				t.Fatalf("a suspension without a reason: %v", err)
			}
			var entry auditJSON
			e.adminJSON(&entry, "suspend", email, "--reason", "abuse report 12")
			if entry.Outcome != "suspended; 1 sessions ended" || entry.Operator != "alice" || entry.Email != email ||
				entry.AccountID != found[0].ID || entry.Reason != "abuse report 12" || entry.Action != "suspend" {
				t.Fatalf("the suspension: %+v", entry)
			}
			if s, _ := e.call("GET", "/v1/me", nil, tok.AccessToken, nil); s != 401 {
				t.Errorf("the suspended account's session: %d", s)
			}
			if s, _ := e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: tok.RefreshToken}, "", nil); s != 401 {
				t.Errorf("the suspended account's refresh: %d", s)
			}
			if s, c, _ := e.signIn(email, pw); s != 403 || c != authapi.CodeAccountSuspended {
				t.Errorf("the suspended account's sign-in: %d %s", s, c)
			}
			e.adminJSON(&shown, "show", found[0].ID)
			if shown.Account.State != "suspended" || len(shown.Sessions) != 0 {
				t.Fatalf("show after the suspension: %+v", shown)
			}

			e.adminJSON(&entry, "unsuspend", found[0].ID, "--operator", "bob")
			if entry.Outcome != "reinstated" || entry.Operator != "bob" {
				t.Fatalf("the reinstatement: %+v", entry)
			}
			s, _, tok := e.signIn(email, pw)
			if s != 201 {
				t.Fatalf("the reinstated account's sign-in: %d", s)
			}
			e.adminJSON(&entry, "revoke-sessions", email)
			if s, _ := e.call("GET", "/v1/me", nil, tok.AccessToken, nil); s != 401 || entry.Outcome != "1 sessions ended" {
				t.Errorf("a revoked session: %d, %+v", s, entry)
			}

			var log []auditJSON
			e.adminJSON(&log, "log", "--account", strings.ToUpper(email))
			if len(log) != 3 || log[0].Action != "revoke-sessions" || log[1].Action != "unsuspend" || log[2].Action != "suspend" {
				t.Fatalf("the audit log: %+v", log)
			}
			if out, err := e.admin("log", "--limit", "1"); err != nil || !strings.Contains(out, "revoke-sessions") || strings.Contains(out, "unsuspend") {
				t.Fatalf("the audit log as text: %q %v", out, err)
			}
		})
	}
}

// TestAdminUnlock: a locked address signs in again after an unlock.
func TestAdminUnlock(t *testing.T) {
	e := newAdminEnv(t, testdb.SQLite)
	const email, pw = "bob@example.org", "correct horse battery 2"
	e.signUp(email, pw)
	for range 2 {
		e.signIn(email, "wrong password")
	}
	if s, c, _ := e.signIn(email, pw); s != 423 || c != authapi.CodeAccountLocked {
		t.Fatalf("the locked address: %d %s", s, c)
	}
	var shown showJSON
	e.adminJSON(&shown, "show", email)
	if len(shown.Locks) != 1 || shown.Locks[0].Key != "address" || shown.Locks[0].LockedUntil == nil {
		t.Fatalf("show of the lock: %+v", shown.Locks)
	}
	if out, err := e.admin("show", email); err != nil || !strings.Contains(out, "address") || !strings.Contains(out, "locked until 20") {
		t.Fatalf("show of the lock as text: %q %v", out, err)
	}
	out, err := e.admin("unlock", email, "--reason", "called support")
	if err != nil || !strings.Contains(out, "1 lockout keys cleared") {
		t.Fatalf("unlock: %q %v", out, err)
	}
	if s, _, _ := e.signIn(email, pw); s != 201 {
		t.Fatalf("the unlocked address: %d", s)
	}
}

// TestAdminDelete: a deletion leaves no row of the account in any table,
// and its audit entry, under the account's id only.
func TestAdminDelete(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := newAdminEnv(t, kind)
			const email, pw, other = "carl@example.org", "correct horse battery 3", "dora@example.org"
			for _, a := range []string{email, other} {
				e.signUp(a, pw)
				e.signIn(a, "wrong password")
				e.signIn(a, pw)
				// A sign-up of a taken address is kept as a registration.
				e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: a, Password: pw}, "", nil)
				e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: a}, "", nil)
			}
			var shown showJSON
			e.adminJSON(&shown, "show", email)
			id, device := shown.Account.ID, shown.Devices[0].ID
			e.adminJSON(&auditJSON{}, "suspend", email, "--reason", "asked to be forgotten")
			if hits := e.db.Mentions(t, id, email, device); len(hits) < 8 {
				t.Fatalf("the account is in too few tables to test its deletion: %v", hits)
			}

			if _, err := e.admin("delete", email); err == nil || !strings.Contains(err.Error(), "--yes") {
				t.Fatalf("a deletion without --yes: %v", err)
			}
			out, err := e.admin("delete", email, "--yes", "--reason", "GDPR request")
			if err != nil || !strings.Contains(out, "deleted") || !strings.Contains(out, id) {
				t.Fatalf("delete: %q %v", out, err)
			}
			if hits := e.db.Mentions(t, id, email, device); !slices.Equal(hits, []string{"audit_log: " + id}) {
				t.Fatalf("after the deletion the database keeps %v", hits)
			}
			if hits := e.db.Mentions(t, other); len(hits) < 5 {
				t.Fatalf("another account's rows went: %v", hits)
			}
			var log []auditJSON
			e.adminJSON(&log, "log", "--account", id)
			if len(log) != 2 || log[0].Action != "delete" || log[0].Reason != "GDPR request" || log[0].Email != "" || log[1].Email != "" {
				t.Fatalf("the audit log of the deleted account: %+v", log)
			}
			if _, err := e.admin("show", id); !errors.Is(err, errNoAccount) {
				t.Fatalf("show of the deleted account: %v", err)
			}
			if s, _, _ := e.signIn(other, pw); s != 201 {
				t.Fatalf("the other account: %d", s)
			}
		})
	}
}

// TestAdminExportHoldsNoSecret: the export has the account's data and
// none of its password hash, TOTP secret (sealed or plain), recovery codes,
// tokens or their hashes.
func TestAdminExportHoldsNoSecret(t *testing.T) {
	e := newAdminEnv(t, testdb.SQLite)
	const email, pw = "erin@example.org", "correct horse battery 4"
	e.signUp(email, pw)
	_, _, tok := e.signIn(email, pw)
	var setup authapi.TwoFactorSetup
	e.call("POST", "/v1/me/two-factor", authapi.PasswordRequest{Password: pw}, tok.AccessToken, &setup)
	code, err := totp.GenerateCode(setup.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var codes authapi.RecoveryCodes
	if s, _ := e.call("POST", "/v1/me/two-factor/confirm", authapi.TOTPRequest{TOTPCode: code}, tok.AccessToken, &codes); s != 200 {
		t.Fatalf("two-factor: %d", s)
	}
	st := e.db.Open(t)
	a, err := st.AccountByEmail(context.Background(), email)
	if err != nil || a.TOTPSecret == "" || !a.TOTPEnabled {
		t.Fatalf("%+v %v", a, err)
	}
	d, err := st.Devices(context.Background(), a.ID)
	if err != nil || len(d) != 1 {
		t.Fatalf("devices %v", err)
	}

	if s, _ := e.call("POST", "/v1/me/support-requests", authapi.SupportRequest{Topic: authapi.TopicOther, Description: "Where is my wallet?"},
		tok.AccessToken, nil); s != 201 {
		t.Fatalf("support request: %d", s)
	}

	out, err := e.admin("export", email)
	if err != nil {
		t.Fatal(err)
	}
	var x exportJSON
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("the export is no JSON: %v", err)
	}
	if x.Account.Email != email || !x.Account.TwoFactor || x.RecoveryCodesLeft != 10 || len(x.Sessions) != 1 || len(x.Devices) != 1 || len(x.Activity) == 0 ||
		len(x.SupportRequests) != 1 || x.SupportRequests[0].Description != "Where is my wallet?" {
		t.Fatalf("the export: %+v", x)
	}
	secrets := map[string]string{
		"the password": pw, "the password hash": a.PasswordHash, "an argon2 hash": "argon2", "the sealed TOTP secret": a.TOTPSecret,
		"the TOTP secret": setup.Secret, "the access token": tok.AccessToken, "the refresh token": tok.RefreshToken,
		"the device token": tok.DeviceToken, "the device token's hash": string(d[0].TokenHash),
	}
	for i, c := range codes.RecoveryCodes {
		secrets["recovery code "+string(rune('0'+i))] = c
	}
	for what, s := range secrets {
		if s == "" || strings.Contains(out, s) {
			t.Errorf("the export holds %s (or the test has none)", what)
		}
	}
	// No field is named after a secret.
	var generic any
	json.Unmarshal([]byte(out), &generic)
	for _, k := range jsonKeys(generic) {
		if strings.Contains(k, "hash") || strings.Contains(k, "secret") || strings.Contains(k, "token") ||
			strings.Contains(k, "code") && k != "recovery_codes_left" {
			t.Errorf("the export has a field %q", k)
		}
	}
	var log []auditJSON
	e.adminJSON(&log, "log")
	if len(log) != 1 || log[0].Action != "export" || log[0].Operator != "alice" {
		t.Fatalf("the export's audit entry: %+v", log)
	}
}

// TestAdminRefusals: a missing account, a missing operator, a wrong
// command or argument each exit with a clear error and change nothing.
func TestAdminRefusals(t *testing.T) {
	e := newAdminEnv(t, testdb.SQLite)
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: "fay@example.org", Password: "correct horse battery 5"}, "", nil)
	for _, args := range [][]string{
		{"suspend", "nobody@example.org", "--reason", "x"},
		{"unlock", "no-such-id"},
		{"export", "nobody@example.org"},
		{"delete", "nobody@example.org", "--yes"},
		{"show", "nobody@example.org"},
	} {
		if _, err := e.admin(args...); !errors.Is(err, errNoAccount) {
			t.Errorf("%q: %v, want no such account", args, err)
		}
	}
	// An address with only a registration shows it, and still fails.
	out, err := e.admin("show", "fay@example.org", "--json")
	var shown showJSON
	json.Unmarshal([]byte(out), &shown)
	if !errors.Is(err, errNoAccount) || shown.Account != nil || len(shown.Registrations) != 1 {
		t.Errorf("show of a pending registration: %+v %v", shown, err)
	}
	for _, args := range [][]string{
		{}, {"promote", "x@example.org"}, {"show"}, {"show", "a@example.org", "b@example.org"}, {"show", "a@example.org", "--reason", "x"},
		{"find", "a", "--limit", "0"}, {"log", "--limit", "1001"},
	} {
		if _, err := e.admin(args...); err == nil || errors.Is(err, errNoAccount) {
			t.Errorf("%q: %v", args, err)
		}
	}
	t.Setenv("USER", "")
	if _, err := e.admin("unlock", "fay@example.org"); err == nil || !strings.Contains(err.Error(), "--operator") {
		t.Errorf("no operator: %v", err)
	}
	var log []auditJSON
	e.adminJSON(&log, "log")
	if len(log) != 0 {
		t.Fatalf("refused commands wrote %+v", log)
	}
}

func TestAdminHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"admin", "--help"}, io.Discard, &out, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("admin --help: %v", err)
	}
	for _, c := range adminCommands {
		if !strings.Contains(out.String(), "\n  "+c.name) {
			t.Errorf("admin --help does not list %s", c.name)
		}
	}
	for _, want := range []string{"-operator", "-reason", "-yes", "-json", "-limit", "-account", "audit log", "erases its email address"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("admin --help does not mention %q", want)
		}
	}
}

// jsonKeys lists the keys of every object in v.
func jsonKeys(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			out = append(append(out, k), jsonKeys(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, jsonKeys(x)...)
		}
	}
	return out
}
