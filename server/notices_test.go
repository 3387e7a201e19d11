package server_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// Subjects of the notices, as the templates write them.
const (
	subjNewDevice   = "New sign-in to your Sesame account"
	subjNewDeviceZh = "您的 Sesame 账户在新设备上登录"
	subjLocked      = "Sign-in to your Sesame account is locked"
	subjLockedZh    = "您的 Sesame 账户登录已被锁定"
	subj2FAFailed   = "Someone may know your Sesame password"
	subjRecovery    = "A recovery code of your Sesame account was used"
	subjCodesLocked = "Too many wrong codes were tried for your Sesame account"
)

// mailbox lists the mails to addr once the server's background work for
// the answers given so far is done.
func (e *env) mailbox(addr string) []authapi.Mail {
	e.t.Helper()
	server.WaitBackground(e.srv)
	var box authapi.Mailbox
	e.call("GET", "/v1/dev/mailbox?to="+addr, nil, "").ok(e.t, 200, &box)
	return box.Mails
}

// withSubject lists the mails to addr whose subject is subject.
func (e *env) withSubject(addr, subject string) []authapi.Mail {
	e.t.Helper()
	var out []authapi.Mail
	for _, m := range e.mailbox(addr) {
		if m.Subject == subject {
			out = append(out, m)
		}
	}
	return out
}

// waitMail returns the one mail to addr whose subject is subject.
func (e *env) waitMail(addr, subject string) authapi.Mail {
	e.t.Helper()
	ms := e.withSubject(addr, subject)
	if len(ms) != 1 {
		e.t.Fatalf("%d mails %q to %s, want 1", len(ms), subject, addr)
	}
	return ms[0]
}

var linkRE = regexp.MustCompile(`(?m)^(http://\S+` + regexp.QuoteMeta(server.PathWasntMe) + `\?t=\S+)$`)

// checkNotice checks that the notice m tells, in both parts, of a time
// between from and to, of device (none when "") and of the test client's
// address, in lang, and that its link's page opens in lang.
func (e *env) checkNotice(m authapi.Mail, lang, device string, from, to time.Time, texts ...string) {
	e.t.Helper()
	date := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
	if !strings.Contains(m.Text, date(from)) && !strings.Contains(m.Text, date(to)) {
		e.t.Fatalf("the notice has no time between %v and %v:\n%s", from, to, m.Text)
	}
	label := map[string]string{"en": "Device: ", "zh-Hans": "设备："}[lang]
	for _, part := range []string{m.Text, m.HTML} {
		for _, want := range append([]string{"127.0.0.1", e.url + server.PathWasntMe}, texts...) {
			if !strings.Contains(part, want) {
				e.t.Fatalf("the notice lacks %q:\n%s", want, part)
			}
		}
	}
	if device == "" {
		if strings.Contains(m.Text, label) {
			e.t.Fatalf("the notice names a device it does not know:\n%s", m.Text)
		}
	} else if !strings.Contains(m.Text, label+device+"\n") {
		e.t.Fatalf("the notice lacks the device %q:\n%s", device, m.Text)
	}
	if zh := lang == "zh-Hans"; zh != strings.Contains(m.Text, "您") || !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
		e.t.Fatalf("the notice is not in %s:\n%s", lang, m.Text)
	}
	l := linkRE.FindStringSubmatch(m.Text)
	if l == nil {
		e.t.Fatalf("the notice has no link:\n%s", m.Text)
	}
	secret(token(e.t.(*testing.T), l[1]))
	e.page("GET", l[1]).shows(e.t.(*testing.T), 200, `<html lang="`+lang+`">`)
}

// signInAs signs in on a device named name, with the device token of an
// earlier sign-in (or none), and returns the tokens.
func (e *env) signInAs(email, pw, name, deviceToken string) authapi.Tokens {
	e.t.Helper()
	var tok authapi.Tokens
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: name, DeviceToken: deviceToken}, "").
		ok(e.t, 201, &tok)
	secret(tok.AccessToken)
	secret(tok.RefreshToken)
	return tok
}

// TestNoticeNewDevice: a sign-in from a device the account has not seen
// is told in the account's language, with its time, device, address and a
// working link; the account's first sign-in and a known device are not,
// and a second new device within the hour is not either.
func TestNoticeNewDevice(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, pw := e.account()
	first := e.signInAs(email, pw, "Ann's laptop", "")
	e.call("PUT", "/v1/me/language", authapi.LanguageRequest{Language: "zh-Hans"}, first.AccessToken).ok(t, 204, nil)
	if n := len(e.mailbox(email)); n != 1 {
		t.Fatalf("%d mails after the first sign-in, want the verification only", n)
	}

	from := e.clock.Now()
	phone := e.signInAs(email, pw, "陌生的手机", "")
	e.checkNotice(e.waitMail(email, subjNewDeviceZh), "zh-Hans", "陌生的手机", from, e.clock.Now(), "从未用过的设备")

	e.signInAs(email, pw, "Ann's laptop", first.DeviceToken)
	e.signInAs(email, pw, "陌生的手机", phone.DeviceToken)
	e.signInAs(email, pw, "another", "")
	if n := len(e.withSubject(email, subjNewDeviceZh)); n != 1 {
		t.Fatalf("%d new-device notices after known devices and a second new one within the hour, want 1", n)
	}
	e.clock.Advance(store.NoticeEvery)
	e.signInAs(email, pw, "a third", "")
	if n := len(e.withSubject(email, subjNewDeviceZh)); n != 2 {
		t.Fatalf("%d new-device notices an hour later, want 2", n)
	}
}

// wrongPasswords signs in to email with a wrong password until sign-in is
// locked, from the device of token (none when "").
func (e *env) wrongPasswords(email, token string) {
	e.t.Helper()
	for i := 1; i < e.cfg.Lock.MaxFailures; i++ {
		e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "not the password", DeviceName: "Mallory's PC", DeviceToken: token}, "").
			expect(e.t, 401, authapi.CodeInvalidCredentials)
	}
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "not the password", DeviceName: "Mallory's PC", DeviceToken: token}, "").
		expect(e.t, 423, authapi.CodeAccountLocked)
}

// TestNoticeLocked: the failure that locks sign-in tells the owner until
// when, and that a reset unlocks it; an address without an account gets
// nothing, nor does a lock taken on the owner's trusted device.
func TestNoticeLocked(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, _ := e.account()
	from := e.clock.Now()
	e.wrongPasswords(email, "")
	m := e.waitMail(email, subjLocked)
	l, err := e.store.Lockout(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	e.checkNotice(m, "en", "Mallory's PC", from, e.clock.Now(), "locked until "+l.LockedUntil.UTC().Format("2006-01-02 15:04 UTC"), "Resetting your password")

	const nobody = "nobody@example.org"
	e.wrongPasswords(nobody, "")
	if ms := e.mailbox(nobody); len(ms) != 0 {
		t.Fatalf("an address without an account got %d mails", len(ms))
	}

	// A lock on the owner's trusted device tells nothing.
	email, pw := e.account()
	tok := e.signIn(email, pw)
	sec, _ := e.enableTwoFactor(tok.AccessToken, pw)
	var trusted authapi.Tokens
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: e.challenge(email, pw), TOTPCode: e.totp(sec, 0), TrustDevice: true}, "").
		ok(t, 201, &trusted)
	e.wrongPasswords(email, trusted.DeviceToken)
	if n := len(e.withSubject(email, subjLocked)); n != 0 {
		t.Fatalf("%d lock notices for the owner's trusted device", n)
	}
}

// TestNoticeTwoFactor: the right password followed by a wrong two-factor
// code tells that someone knows the password; a recovery code used tells
// how many are left.
func TestNoticeTwoFactor(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	sec, codes := e.enableTwoFactor(tok.AccessToken, pw)

	from := e.clock.Now()
	ch := e.challenge(email, pw)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: wrongCode(e.totp(sec, 0))}, "").
		expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	e.checkNotice(e.waitMail(email, subj2FAFailed), "en", "Unknown device", from, e.clock.Now(), "then a wrong two-factor code")

	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, RecoveryCode: codes[0]}, "").ok(t, 201, nil)
	left := len(codes) - 1
	e.checkNotice(e.waitMail(email, subjRecovery), "en", "Unknown device", from, e.clock.Now(), strconv.Itoa(left)+" recovery codes are left")
}

// TestNoticeCodesLocked: the miss that spends an address's budget of
// mailed codes tells the owner, with the time, the address and a link.
func TestNoticeCodesLocked(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, _ := e.account()
	from := e.clock.Now()
	for round := 0; round < 2; round++ {
		wrong := wrongCode(e.startReset(email))
		for i := 0; i < 5; i++ {
			e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: wrong}, "").
				expect(t, 400, authapi.CodeInvalidCode)
		}
	}
	e.checkNotice(e.waitMail(email, subjCodesLocked), "en", "", from, e.clock.Now())
}
