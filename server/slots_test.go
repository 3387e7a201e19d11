package server_test

import (
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server"
)

// The attacks on the code slots of known devices (see startCode).

// TestDevicesDoNotMultiplyTexts: against toll fraud, an account that
// signs in again and again gets a known device each time, and each asks
// for reset codes by SMS to the account's number; together they get no
// more texts a day than one device, besides the number's share of the
// requests without a device token.
func TestDevicesDoNotMultiplyTexts(t *testing.T) {
	e := newEnv(t, productionCaps)
	email, pw := e.account()
	tok := e.device(email, pw, "pump 0")
	e.addPhone(tok.AccessToken, pw, annPhone)
	texts := len(e.texts(annPhone))
	perDay := server.DefaultConfig().SMSPerDay
	for i := range 3 {
		dev := e.device(email, pw, "pump").DeviceToken
		for range perDay {
			e.clock.Advance(time.Minute)
			e.call("POST", "/v1/password-resets/sms", authapi.EmailRequest{Email: email, DeviceToken: dev}, "").ok(t, 202, nil)
		}
		server.WaitBackground(e.srv)
		if got := len(e.texts(annPhone)) - texts; got != perDay {
			t.Fatalf("after %d devices' requests the number got %d texts, want %d", i+1, got, perDay)
		}
	}
}

// TestDeviceTokensEndWithThePasswordChange: a thief who signed in with
// the password made known devices (as many as he liked, each with its own
// budget of wrong codes and its own slot of codes). When the owner
// changes her password, his device tokens are nobody's: once the
// address's budget of wrong codes is spent, his guesses at her reset
// codes stop, while the device she changed it on keeps its own budget.
func TestDeviceTokensEndWithThePasswordChange(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	owner := e.device(email, pw, "laptop")
	thief := e.device(email, pw, "thief").DeviceToken
	e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw, NewPassword: secret(pw + " changed")},
		owner.AccessToken).ok(t, 204, nil)
	const reset, verify = "/v1/password-resets", "/v1/password-resets/verify"
	for range 2 {
		e.call("POST", reset, authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
		for range server.DefaultConfig().CodeAttempts {
			e.useCode(verify, email, "000000", "").expect(t, 400, authapi.CodeInvalidCode)
		}
	}
	code := e.askCode(reset, "reset", email, thief)
	e.useCode(verify, email, wrongCode(code), thief).expect(t, 410, authapi.CodeCodeExpired)
	code = e.askCode(reset, "reset", email, owner.DeviceToken)
	e.useCode(verify, email, code, owner.DeviceToken).ok(t, 200, nil)
}

// TestStrangersTokensDoNotMultiplyCodes: a stranger who sends made-up
// device tokens, or the device token of his own account, with another
// address's code requests and guesses gets no slot and no budget of his
// own: his requests push codes out of the shared slot (no more than
// store.KeptCodes stay live) and his misses spend the address's budget.
func TestStrangersTokensDoNotMultiplyCodes(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	other, otherPW := e.account()
	tokens := []string{"made-up", secret("another made-up token"), e.device(other, otherPW, "stranger").DeviceToken}
	const reset, verify = "/v1/password-resets", "/v1/password-resets/verify"
	code := e.askCode(reset, "reset", email, "")
	for _, tok := range tokens {
		e.askCode(reset, "reset", email, tok)
	}
	e.useCode(verify, email, code, "").expect(t, 400, authapi.CodeInvalidCode)
	for i := range server.DefaultConfig().CodeBudget.Misses - 1 {
		e.askCode(reset, "reset", email, tokens[i%len(tokens)])
		e.useCode(verify, email, "000000", tokens[i%len(tokens)]).expect(t, 400, authapi.CodeInvalidCode)
	}
	for _, tok := range append(tokens, "") {
		e.useCode(verify, email, "000000", tok).expect(t, 410, authapi.CodeCodeExpired)
	}
}
