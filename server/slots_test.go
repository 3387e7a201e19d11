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
