package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server"
)

// texts lists the text messages the local outbox holds for number, newest
// first, once the background work of the answers so far is done.
func (e *env) texts(number string) []authapi.Mail {
	e.t.Helper()
	server.WaitBackground(e.srv)
	var box authapi.Mailbox
	e.call("GET", "/v1/dev/mailbox?to="+url.QueryEscape(number), nil, "").ok(e.t, 200, &box)
	for _, m := range box.Mails {
		if !m.SMS || m.Subject != "" || m.HTML != "" {
			e.t.Fatalf("a mail to a phone number: %+v", m)
		}
	}
	return box.Mails
}

// textCode is the code of the newest text message to number, which must
// be the one after n before.
func (e *env) textCode(number string, n int) (string, authapi.Mail) {
	e.t.Helper()
	got := e.texts(number)
	if len(got) != n+1 {
		e.t.Fatalf("%s has %d text messages, want %d", number, len(got), n+1)
	}
	c := codeRE.FindStringSubmatch(got[0].Text)
	if c == nil {
		e.t.Fatalf("the text message %q has no code", got[0].Text)
	}
	return secret(c[1]), got[0]
}

// addPhone binds number to the signed-in account.
func (e *env) addPhone(access, pw, number string) {
	e.t.Helper()
	n := len(e.texts(number))
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: number, Password: pw}, access).ok(e.t, 202, nil)
	code, _ := e.textCode(number, n)
	e.call("POST", "/v1/me/phone/verify", authapi.CodeRequest{Code: code}, access).ok(e.t, 204, nil)
}

func (e *env) me(access string) authapi.Me {
	e.t.Helper()
	var me authapi.Me
	e.call("GET", "/v1/me", nil, access).ok(e.t, 200, &me)
	return me
}

// notice waits for a mail to addr whose subject contains subject.
func (e *env) notice(addr, subject string) {
	e.t.Helper()
	server.WaitBackground(e.srv)
	for _, m := range e.waitMails(addr, e.mails(addr)) {
		if strings.Contains(m.Subject, subject) {
			return
		}
	}
	e.t.Fatalf("no mail %q to %s", subject, addr)
}

const (
	annPhone  = "+8613800138000"
	evePhone  = "+447400123456" // the stranger's, or a premium line he is paid for
	annMasked = "+86 138 **** 8000"
)

func TestPhoneAddedVerifiedAndRemoved(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	if me := e.me(tok.AccessToken); me.Phone != "" {
		t.Fatalf("a new account has the phone %q", me.Phone)
	}
	add := func(phone, pw string) answer {
		return e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: phone, Password: pw}, tok.AccessToken)
	}
	for _, bad := range []string{"13800138000", "+86 10 1234 5678", "+86 138", ""} {
		if p := add(bad, pw).expect(t, 400, authapi.CodeInvalidRequest); p.Field != "phone" {
			t.Fatalf("%q: the problem names %q", bad, p.Field)
		}
	}
	add(annPhone, "not the password").expect(t, 401, authapi.CodeInvalidCredentials)
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: annPhone, Password: pw}, "").expect(t, 401, authapi.CodeUnauthorized)
	if got := e.texts(annPhone); len(got) != 0 {
		t.Fatalf("refused requests texted %d messages", len(got))
	}
	add(annPhone, pw).ok(t, 202, nil)
	code, m := e.textCode(annPhone, 0)
	if !strings.Contains(m.Text, "add this phone number") || !strings.Contains(m.Text, "10 minutes") {
		t.Fatalf("the text message: %q", m.Text)
	}
	// A number waiting for its code is not the account's.
	if me := e.me(tok.AccessToken); me.Phone != "" {
		t.Fatalf("an unverified number shows as %q", me.Phone)
	}
	verify := func(code string) answer {
		return e.call("POST", "/v1/me/phone/verify", authapi.CodeRequest{Code: code}, tok.AccessToken)
	}
	if p := verify(wrongCode(code)).expect(t, 400, authapi.CodeInvalidCode); p.AttemptsLeft == nil || *p.AttemptsLeft != 4 {
		t.Fatalf("attempts left: %+v", p.AttemptsLeft)
	}
	verify("12345").expect(t, 400, authapi.CodeInvalidRequest)
	verify(code).ok(t, 204, nil)
	verify(code).expect(t, 410, authapi.CodeCodeExpired)
	if me := e.me(tok.AccessToken); me.Phone != annMasked {
		t.Fatalf("the account's phone shows as %q, want %q", me.Phone, annMasked)
	}
	e.notice(email, "A phone number was added")

	remove := func(pw string) answer {
		return e.call("DELETE", "/v1/me/phone", authapi.PasswordRequest{Password: pw}, tok.AccessToken)
	}
	remove("not the password").expect(t, 401, authapi.CodeInvalidCredentials)
	remove(pw).ok(t, 204, nil)
	remove(pw).ok(t, 204, nil)
	if me := e.me(tok.AccessToken); me.Phone != "" {
		t.Fatalf("a removed phone shows as %q", me.Phone)
	}
	e.notice(email, "The phone number of your Sesame account was removed")
	var acts authapi.ActivityList
	e.call("GET", "/v1/me/activity", nil, tok.AccessToken).ok(t, 200, &acts)
	var results []string
	for _, a := range acts.Events {
		if strings.HasPrefix(a.Result, "phone_") {
			results = append(results, a.Result+" "+a.DeviceName)
		}
	}
	if got := strings.Join(results, ", "); got != "phone_removed test, phone_added test" {
		t.Fatalf("activity: %s", got)
	}
}

// TestPhoneCodeIsBoundToItsNumber: a code texted to one number does not
// verify another typed after it, and a new number waits while the
// verified one stays.
func TestPhoneCodeIsBoundToItsNumber(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	e.addPhone(tok.AccessToken, pw, annPhone)
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: "+8613912345678", Password: pw}, tok.AccessToken).ok(t, 202, nil)
	first, _ := e.textCode("+8613912345678", 0)
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: evePhone, Password: pw}, tok.AccessToken).ok(t, 202, nil)
	e.textCode(evePhone, 0)
	e.call("POST", "/v1/me/phone/verify", authapi.CodeRequest{Code: first}, tok.AccessToken).expect(t, 400, authapi.CodeInvalidCode)
	if me := e.me(tok.AccessToken); me.Phone != annMasked {
		t.Fatalf("while a new number waits, the phone shows as %q", me.Phone)
	}
}

// resetBySMS asks for a reset code by SMS for email and returns the answer.
func (e *env) resetBySMS(email string) answer {
	e.t.Helper()
	return e.call("POST", "/v1/password-resets/sms", authapi.EmailRequest{Email: email}, "")
}

// TestResetBySMS: a reset code texted to the account's phone, in its
// language, resets the password when the mailed one did not arrive; it
// spends the mailed code too, and two-factor is still asked for.
func TestResetBySMS(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	sec, _ := e.enableTwoFactor(tok.AccessToken, pw)
	e.addPhone(tok.AccessToken, pw, annPhone)
	mailed := e.startReset(email)
	e.call("PUT", "/v1/me/language", authapi.LanguageRequest{Language: "zh-Hans"}, tok.AccessToken).ok(t, 204, nil)
	e.resetBySMS(email).ok(t, 202, nil)
	code, m := e.textCode(annPhone, 1)
	if !strings.Contains(m.Text, "重置密码") || !strings.Contains(m.Text, "10 分钟") {
		t.Fatalf("the text message is not the Chinese reset one: %q", m.Text)
	}
	var v authapi.ResetVerifyResponse
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(t, 200, &v)
	secret(v.ResetToken)
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: mailed}, "").
		expect(t, 410, authapi.CodeCodeExpired)
	if !v.TwoFactorRequired {
		t.Fatal("a reset by SMS does not ask for the second factor")
	}
	newPw := secret("a brand new password 3")
	req := authapi.ResetCompleteRequest{ResetToken: v.ResetToken, NewPassword: newPw}
	e.call("POST", "/v1/password-resets/complete", req, "").expect(t, 400, authapi.CodeInvalidRequest)
	req.TOTPCode = e.totp(sec, 0)
	e.call("POST", "/v1/password-resets/complete", req, "").ok(t, 204, nil)
	e.challenge(email, newPw)
}

// TestResetBySMSDoesNotTellPhonesApart: a stranger who knows only an
// address asks for its reset code by SMS and tries wrong codes: an
// unknown address, an account without a phone and one with a phone
// answer alike. The account without a phone gets its code by mail.
func TestResetBySMSDoesNotTellPhonesApart(t *testing.T) {
	e := newEnv(t)
	withPhone, pw := e.account()
	e.addPhone(e.signIn(withPhone, pw).AccessToken, pw, annPhone)
	noPhone, _ := e.account()
	answers := func(email string) string {
		var out []string
		for round := 0; round < 2; round++ {
			a := e.resetBySMS(email)
			out = append(out, fmt.Sprintf("%d %q", a.status, a.body))
			for i := 0; i < 6; i++ {
				a := e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: "000000"}, "")
				out = append(out, fmt.Sprintf("%d %s", a.status, a.body))
			}
		}
		return strings.Join(out, "\n")
	}
	unknown := answers("nobody@example.org")
	if !strings.HasPrefix(unknown, `202 ""`) || !strings.Contains(unknown, `"attempts_left":4`) || !strings.Contains(unknown, "code_expired") {
		t.Fatalf("unexpected answers:\n%s", unknown)
	}
	for _, email := range []string{noPhone, withPhone} {
		if got := answers(email); got != unknown {
			t.Fatalf("%s is told apart from an unknown address:\n%s\n---\n%s", email, got, unknown)
		}
	}
	if got := e.texts(annPhone); len(got) != 3 { // its verification, two resets
		t.Fatalf("the phone got %d text messages, want 3", len(got))
	}
	// The account without a phone got both codes by mail (and the notice
	// of the wrong codes).
	e.mailCode(noPhone, "reset", 2)
	e.waitMails(noPhone, 4)
}

// TestStrangerCannotTextANumber: a stranger with only an address cannot
// make the server text a number of his choice (SMS pumping, toll fraud):
// a reset names no number, an unverified number gets no reset code, and
// adding a number needs a session and its password.
func TestStrangerCannotTextANumber(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	e.addPhone(tok.AccessToken, pw, annPhone)
	// The reset request carries no number.
	e.call("POST", "/v1/password-resets/sms", map[string]string{"email": email, "phone": evePhone}, "").
		expect(t, 400, authapi.CodeInvalidRequest)
	e.call("POST", "/v1/password-resets/sms", map[string]string{"email": evePhone}, "").
		expect(t, 422, authapi.CodeInvalidEmail)
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: evePhone, Password: pw}, "").expect(t, 401, authapi.CodeUnauthorized)
	e.resetBySMS(email).ok(t, 202, nil)
	if got := e.texts(evePhone); len(got) != 0 {
		t.Fatalf("the stranger's number got %d text messages", len(got))
	}
	if got := e.texts(annPhone); len(got) != 2 {
		t.Fatalf("the owner's number got %d text messages, want 2", len(got))
	}
	// A number typed but never verified gets no reset code: the code goes
	// by mail.
	other, otherPW := e.account()
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: evePhone, Password: otherPW}, e.signIn(other, otherPW).AccessToken).ok(t, 202, nil)
	n := e.mails(other)
	e.resetBySMS(other).ok(t, 202, nil)
	e.mailCode(other, "reset", n)
	if got := e.texts(evePhone); len(got) != 1 {
		t.Fatalf("the unverified number got %d text messages, want its code only", len(got))
	}
}

// TestTextCaps: a number gets at most SMSPerDay text messages a day from
// every account together, however many resets or additions ask; an
// address's resets by SMS share its mail limits.
func TestTextCaps(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.SMSPerDay = 3 })
	email, pw := e.account()
	tok := e.signIn(email, pw)
	e.addPhone(tok.AccessToken, pw, annPhone)
	for range 4 {
		e.resetBySMS(email).ok(t, 202, nil)
	}
	// Other accounts asking to add the number add nothing to its day.
	other, otherPW := e.account()
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: annPhone, Password: otherPW}, e.signIn(other, otherPW).AccessToken).ok(t, 202, nil)
	if got := e.texts(annPhone); len(got) != 3 {
		t.Fatalf("the number got %d text messages in a day, want 3", len(got))
	}
	e.clock.Advance(24 * time.Hour)
	e.resetBySMS(email).ok(t, 202, nil)
	if got := e.texts(annPhone); len(got) != 4 {
		t.Fatalf("a day later the number got %d text messages, want 4", len(got))
	}

	limited := newEnv(t, func(c *server.Config) { c.RateMail = server.Rate{PerMinute: 1, Burst: 3} })
	email, pw = limited.account() // a mail of the burst
	tok = limited.signIn(email, pw)
	limited.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: annPhone, Password: pw}, tok.AccessToken).ok(t, 202, nil)
	limited.resetBySMS(email).ok(t, 202, nil)
	limited.resetBySMS(email).expect(t, 429, authapi.CodeRateLimited)
	limited.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: annPhone, Password: pw}, tok.AccessToken).
		expect(t, 429, authapi.CodeRateLimited)
	limited.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").expect(t, 429, authapi.CodeRateLimited)
}

// TestPhonesOffWithoutSMS: a server without an SMS sender answers its
// phone endpoints 404.
func TestPhonesOffWithoutSMS(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.SMS = nil })
	email, pw := e.account()
	tok := e.signIn(email, pw)
	e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: annPhone, Password: pw}, tok.AccessToken).expect(t, 404, authapi.CodeNotFound)
	e.call("POST", "/v1/me/phone/verify", authapi.CodeRequest{Code: "123456"}, tok.AccessToken).expect(t, 404, authapi.CodeNotFound)
	e.resetBySMS(email).expect(t, 404, authapi.CodeNotFound)
}

// TestNewPhoneSettles: a thief with the password adds his number; the
// owner resets her password by mail. Until the number has been the
// account's for a week, the thief's reset by SMS sends its code to her
// mailbox, not to his phone; after that week (when the notice of the
// number, with its "this wasn't me" link, has long reached her) it goes
// by SMS.
func TestNewPhoneSettles(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.PhoneSettle = 0 }) // the default, a week
	email, pw := e.account()
	tok := e.signIn(email, pw)
	e.addPhone(tok.AccessToken, pw, annPhone)
	texts, mails := len(e.texts(annPhone)), e.mails(email)
	e.resetBySMS(email).ok(t, 202, nil)
	e.mailCode(email, "reset", mails)
	if n := len(e.texts(annPhone)); n != texts {
		t.Fatalf("a number added a moment ago got the reset code (%d texts, %d before)", n, texts)
	}
	e.clock.Advance(server.DefaultConfig().PhoneSettle - time.Minute)
	mails = e.mails(email)
	e.resetBySMS(email).ok(t, 202, nil)
	e.mailCode(email, "reset", mails)
	if n := len(e.texts(annPhone)); n != texts {
		t.Fatalf("a number added less than a week ago got the reset code")
	}
	e.clock.Advance(time.Minute)
	e.resetBySMS(email).ok(t, 202, nil)
	e.textCode(annPhone, texts)
}
