package server_test

import (
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
// by SMS until the number's daily cap is spent, then more to replace the
// owner's; her request from her known device still gets a texted code
// that works.
func TestStrangerCannotSpendTheOwnersTexts(t *testing.T) {
	e := newEnv(t, productionCaps)
	email, pw := e.account()
	tok := e.device(email, pw, "laptop")
	e.addPhone(tok.AccessToken, pw, annPhone)
	const sms = "/v1/password-resets/sms"
	e.strangerAsks(sms, email, server.DefaultConfig().SMSPerDay)
	texts := len(e.texts(annPhone))
	e.call("POST", sms, authapi.EmailRequest{Email: email, DeviceToken: tok.DeviceToken}, "").ok(t, 202, nil)
	code, _ := e.textCode(annPhone, texts)
	e.strangerAsks(sms, email, store.KeptCodes)
	e.useCode("/v1/password-resets/verify", email, code, tok.DeviceToken).ok(t, 200, nil)
}
