package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server"
	"sesame/server/store"
)

// The attacks of a stranger who knows only an address on its owner's
// codes: spending the address's daily cap of code mails or texts, and
// asking for new codes to spend the one the owner is typing.

// codeRoutes are the routes that mail a code to an address, and its check;
// subject names its mail.
var codeRoutes = []struct{ start, verify, subject string }{
	{"/v1/password-resets", "/v1/password-resets/verify", "reset"},
	{"/v1/support-requests/code", "/v1/support-requests/verify", "support"},
}

// productionCaps sets the production caps of code mails and texts, which
// the test servers lift.
func productionCaps(c *server.Config) {
	d := server.DefaultConfig()
	c.RateMail, c.MailsPerDay, c.SMSPerDay = d.RateMail, d.MailsPerDay, d.SMSPerDay
}

// strangerAsks asks path for a code of email n times, a minute apart, so
// that the address's rate limit lets each through (the stranger's client
// addresses are many), and waits for their mails.
func (e *env) strangerAsks(path, email string, n int) {
	e.t.Helper()
	for range n {
		e.clock.Advance(time.Minute)
		e.call("POST", path, authapi.EmailRequest{Email: email}, "").ok(e.t, 202, nil)
	}
	server.WaitBackground(e.srv)
}

// askCode asks path for a code of email with the device token dev ("" for
// none) and returns the code mailed.
func (e *env) askCode(path, subject, email, dev string) string {
	e.t.Helper()
	server.WaitBackground(e.srv)
	n := e.mails(email)
	e.call("POST", path, authapi.EmailRequest{Email: email, DeviceToken: dev}, "").ok(e.t, 202, nil)
	code, _ := e.mailCode(email, subject, n)
	return code
}

// useCode checks code at path with the device token dev.
func (e *env) useCode(path, email, code, dev string) answer {
	e.t.Helper()
	return e.call("POST", path, authapi.EmailCodeRequest{Email: email, Code: code, DeviceToken: dev}, "")
}

// TestStrangerCannotSpendTheOwnersCodeMails: a stranger asks for the
// codes of an address until its daily cap of code mails is spent; the
// owner's request from her known device still gets a working code.
func TestStrangerCannotSpendTheOwnersCodeMails(t *testing.T) {
	for _, r := range codeRoutes {
		t.Run(r.subject, func(t *testing.T) {
			e := newEnv(t, productionCaps)
			email, pw := e.account()
			dev := e.device(email, pw, "laptop").DeviceToken
			e.strangerAsks(r.start, email, server.DefaultConfig().MailsPerDay)
			code := e.askCode(r.start, r.subject, email, dev)
			e.useCode(r.verify, email, code, dev).ok(t, 200, nil)
		})
	}
}

// TestStrangerCannotReplaceTheOwnersCode: a stranger asks for new codes
// right after the owner. On a new computer her code still works after
// store.KeptCodes-1 of his requests (it goes after KeptCodes); from her
// known device it outlives any number of his requests and wrong codes.
func TestStrangerCannotReplaceTheOwnersCode(t *testing.T) {
	for _, r := range codeRoutes {
		t.Run(r.subject, func(t *testing.T) {
			e := newEnv(t, productionCaps)
			email, pw := e.account()
			code := e.askCode(r.start, r.subject, email, "")
			e.strangerAsks(r.start, email, store.KeptCodes-1)
			e.useCode(r.verify, email, code, "").ok(t, 200, nil)
			code = e.askCode(r.start, r.subject, email, "")
			e.strangerAsks(r.start, email, store.KeptCodes)
			e.useCode(r.verify, email, code, "").expect(t, 400, authapi.CodeInvalidCode)

			dev := e.device(email, pw, "laptop").DeviceToken
			code = e.askCode(r.start, r.subject, email, dev)
			e.strangerAsks(r.start, email, 5)
			for range server.DefaultConfig().CodeAttempts {
				e.useCode(r.verify, email, wrongCode(code), "")
			}
			e.useCode(r.verify, email, code, "").expect(t, 410, authapi.CodeCodeExpired)
			e.useCode(r.verify, email, code, dev).ok(t, 200, nil)
		})
	}
}

// TestStrangerCannotSpendTheOwnersTexts: a stranger asks for reset codes
// by SMS right after the owner, then until the number's daily cap is
// spent, then more to replace the owner's. Her texted code outlives
// store.KeptCodes-1 of his requests, and her request from her known device
// still gets a texted code that works.
func TestStrangerCannotSpendTheOwnersTexts(t *testing.T) {
	e := newEnv(t, productionCaps)
	email, pw := e.account()
	tok := e.device(email, pw, "laptop")
	e.addPhone(tok.AccessToken, pw, annPhone)
	const sms = "/v1/password-resets/sms"
	texts := len(e.texts(annPhone))
	e.resetBySMS(email).ok(t, 202, nil)
	code, _ := e.textCode(annPhone, texts)
	e.strangerAsks(sms, email, store.KeptCodes-1)
	e.useCode("/v1/password-resets/verify", email, code, "").ok(t, 200, nil)

	e.strangerAsks(sms, email, server.DefaultConfig().SMSPerDay)
	texts = len(e.texts(annPhone))
	e.call("POST", sms, authapi.EmailRequest{Email: email, DeviceToken: tok.DeviceToken}, "").ok(t, 202, nil)
	code, _ = e.textCode(annPhone, texts)
	e.strangerAsks(sms, email, store.KeptCodes)
	e.useCode("/v1/password-resets/verify", email, code, tok.DeviceToken).ok(t, 200, nil)
}

// TestServerWideTextBudget: against toll fraud, the server texts at most
// SMSPerDayTotal messages a day to every number together, and only the
// numbers of SMSCountries; a reset code that may not be texted is mailed,
// and the metrics and the log say why, without the number.
func TestServerWideTextBudget(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.SMSPerDayTotal, c.SMSCountries = 3, []string{"cn"} })
	metrics := metricsOf(t, e)
	const other = "+8613912345678"
	var emails []string
	for _, number := range []string{annPhone, other} {
		email, pw := e.account()
		e.addPhone(e.signIn(email, pw).AccessToken, pw, number)
		emails = append(emails, email)
	}
	e.resetBySMS(emails[0]).ok(t, 202, nil)
	e.textCode(annPhone, 1)
	n := e.mails(emails[1])
	e.resetBySMS(emails[1]).ok(t, 202, nil)
	e.mailCode(emails[1], "reset", n)
	if got := len(e.texts(other)); got != 1 {
		t.Fatalf("%d texts past the server's total, want its verification only", got)
	}
	waitMetric(t, metrics, `sesame_sms_withheld_total{reason="total"}`, 1)

	// A number of another country cannot be added, and a verified one
	// (the countries changed since) gets its reset codes by mail.
	email, pw := e.account()
	tok := e.signIn(email, pw)
	p := e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: evePhone, Password: pw}, tok.AccessToken).
		expect(t, 400, authapi.CodePhoneNotServed)
	if p.Field != "phone" {
		t.Fatalf("field %q, want phone", p.Field)
	}
	ctx := context.Background()
	a, _ := e.store.AccountByEmail(ctx, email)
	if err := e.store.SetPendingPhone(ctx, a.ID, evePhone); err != nil {
		t.Fatal(err)
	}
	if err := e.store.ConfirmPhone(ctx, a.ID, evePhone, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	n = e.mails(email)
	e.resetBySMS(email).ok(t, 202, nil)
	e.mailCode(email, "reset", n)
	if got := len(e.texts(evePhone)); got != 0 {
		t.Fatalf("a number of another country got %d texts", got)
	}
	waitMetric(t, metrics, `sesame_sms_withheld_total{reason="country"}`, 1)
	out := logs.String()
	if !strings.Contains(out, `"reason":"total"`) || !strings.Contains(out, `"reason":"country"`) {
		t.Fatal("the log does not say why texts were withheld")
	}
	for _, number := range []string{other, evePhone, strings.TrimPrefix(other, "+")} {
		if strings.Contains(out, number) {
			t.Fatal("a phone number is in the log")
		}
	}
}

// TestSMSCountriesChecked: a server refuses to start with a country that
// is not one.
func TestSMSCountriesChecked(t *testing.T) {
	cfg := newEnv(t).cfg
	cfg.SMSCountries = []string{"CN", "XX"}
	if _, err := server.New(cfg); err == nil || !strings.Contains(err.Error(), "XX") {
		t.Fatalf("New with the country XX: %v", err)
	}
}
