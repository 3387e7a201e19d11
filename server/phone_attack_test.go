package server_test

import (
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"

	"sesame/authapi"
	"sesame/server"
)

// TestSMSCountriesReadFromTheNumber: the country allowlist goes by the
// number's own region, however it is written: a number of another
// country that shares the country code (+1 of Jamaica, Canada, Puerto
// Rico, the Bahamas; +44 of Guernsey), a premium-rate or non-geographic
// number and a number without its + are refused; an allowed number
// written with spaces, brackets, an extension or full-width digits is
// the one number it is.
func TestSMSCountriesReadFromTheNumber(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.SMSCountries = []string{"US", "GB"} })
	email, pw := e.account()
	tok := e.signIn(email, pw)
	add := func(number string) answer {
		return e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: number, Password: pw}, tok.AccessToken)
	}
	for _, region := range []string{"JM", "CA", "PR", "BS", "GG"} {
		n := phonenumbers.Format(phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE), phonenumbers.INTERNATIONAL)
		add(n).expect(t, 400, authapi.CodePhoneNotServed)
	}
	for _, number := range []string{"+1 900 555 0123", "+883 5100 0000 0000", "+882 1234 5678", "001 201 555 0123", "201 555 0123"} {
		add(number).expect(t, 400, authapi.CodeInvalidRequest)
	}
	for _, number := range []string{"+1 (201) 555-0123", "+1 201 555 0123 ext. 7", "+\uff11 201 555 0123"} {
		e.clock.Advance(time.Minute)
		add(number).ok(t, 202, nil)
	}
	if n := len(e.texts("+12015550123")); n != 3 {
		t.Fatalf("the number got %d texts, want 3", n)
	}
}

// TestThiefsPhoneGoesWithThePassword: a thief who knows the password
// adds and verifies his number. The owner takes her account back by a
// reset by mail, or by changing her password, without pressing the
// notice's "this wasn't me": a number the account has had for less than
// PhoneSettle goes with the old password, so that a week later the
// thief's reset by SMS is mailed to her, not texted to him; she is told
// that the number went. Her own settled number stays.
func TestThiefsPhoneGoesWithThePassword(t *testing.T) {
	for _, takeBack := range []string{"reset", "password change"} {
		t.Run(takeBack, func(t *testing.T) {
			e := newEnv(t, func(c *server.Config) { c.PhoneSettle = 0 }) // the default, a week
			email, pw := e.account()
			thief := e.signIn(email, pw)
			e.addPhone(thief.AccessToken, pw, evePhone)
			pw2 := secret(pw + " again")
			if takeBack == "reset" {
				e.reset(email, pw2, nil)
			} else {
				e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw, NewPassword: pw2},
					e.signIn(email, pw).AccessToken).ok(t, 204, nil)
			}
			e.notice(email, "The phone number of your Sesame account was removed")
			e.clock.Advance(server.DefaultConfig().PhoneSettle + time.Minute)
			texts, mails := len(e.texts(evePhone)), e.mails(email)
			e.resetBySMS(email).ok(t, 202, nil)
			e.mailCode(email, "reset", mails)
			if n := len(e.texts(evePhone)); n != texts {
				t.Fatalf("the thief's number got the reset code after the owner's %s", takeBack)
			}

			// Her number, settled, outlives her next change.
			tok := e.signIn(email, pw2)
			e.addPhone(tok.AccessToken, pw2, annPhone)
			e.clock.Advance(server.DefaultConfig().PhoneSettle + time.Minute)
			tok = e.signIn(email, pw2)
			e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw2, NewPassword: secret(pw2 + " again")},
				tok.AccessToken).ok(t, 204, nil)
			if me := e.me(tok.AccessToken); me.Phone == "" {
				t.Fatalf("her settled number went with a password change: %+v", me)
			}
		})
	}
}
