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
