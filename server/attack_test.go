package server_test

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// TestSupportGuardBypasses: a support request cannot smuggle a secret past
// the guard by writing it in another form: zero-width characters or soft
// hyphens inside words and codes, a Spanish phrase without its accents, a
// code's digits on separate lines, spaced, dotted or in pairs, a recovery
// code's groups joined by new lines or other punctuation or its first
// letter capitalised, a Chinese phrase with some words in Traditional
// characters, Armenian and Latin look-alikes ("օ", "ɑ", "ı", "ø", small
// capitals), a code in Persian digits, a Japanese phrase in katakana, a
// Korean one without spaces.
func TestSupportGuardBypasses(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	for _, tc := range []struct {
		text string
		want authapi.SecretKind
	}{
		{"le\u200bgal win\u200bner th\u200bank ye\u200bar wa\u200bve sau\u200bsage wo\u200brth", authapi.SecretRecoveryPhrase},
		{"le\u00adgal win\u00adner th\u00adank ye\u00adar wa\u00adve sau\u00adsage wo\u00adrth", authapi.SecretRecoveryPhrase},
		{"le\u034fgal winner thank year wave sausage worth", authapi.SecretRecoveryPhrase},
		{"abaco abdomen abeja abierto abogado abono aborto", authapi.SecretRecoveryPhrase},
		{"the code 123\u200b456", authapi.SecretCode},
		{"co\u200bde 123456", authapi.SecretCode},
		{"the code:\n123\n456", authapi.SecretCode},
		{"code 1 2 3 4 5 6", authapi.SecretCode},
		{"code 123.456", authapi.SecretCode},
		{"K7Q2\u200b9XMD\u200b4TRA", authapi.SecretRecoveryCode},
		{"K7Q2\n9XMD\n4TRA", authapi.SecretRecoveryCode},
		{"K7Q2 / 9XMD / 4TRA", authapi.SecretRecoveryCode},
		{"K7Q2_9XMD_4TRA", authapi.SecretRecoveryCode},
		{"K7Q2\u22129XMD\u22124TRA", authapi.SecretRecoveryCode},
		{"legal\u3164winner\u3164thank\u3164year\u3164wave\u3164sausage\u3164worth", authapi.SecretRecoveryPhrase},
		{"压 專 透 街 惊 王 综 隊 吐 勻 坚 淡", authapi.SecretRecoveryPhrase},
		{"my code is 12 34 56", authapi.SecretCode},
		{"Kxqm-hntr-vbwp", authapi.SecretRecoveryCode},
		{"code \u06f1\u06f2\u06f3\u06f4\u06f5\u06f6", authapi.SecretCode},
		{"アイコクシン アイサツ アイダ アオゾラ アカチャン アキル アケガタ", authapi.SecretRecoveryPhrase},
		{"가격가끔가난가능가득가르침가뭄", authapi.SecretRecoveryPhrase},
		{"ʟᴇɢᴀʟ ᴡɪɴɴᴇʀ ᴛʜᴀɴᴋ ʏᴇᴀʀ ᴡᴀᴠᴇ ꜱᴀᴜꜱᴀɢᴇ ᴡᴏʀᴛʜ", authapi.SecretRecoveryPhrase},
		{"legal wi\u0578\u0578er t\u0570a\u0578k year wave sa\u057dsage w\u0585rt\u0570", authapi.SecretRecoveryPhrase},
		{"leg\u0251l w\u0131nner th\u0251nk ye\u0251r w\u0251ve s\u0251us\u0251ge w\u00f8rth", authapi.SecretRecoveryPhrase},
	} {
		req := supportRequest
		req.Description = "Please help. " + tc.text
		a := e.call("POST", "/v1/me/support-requests", req, tok.AccessToken)
		if a.status != 400 {
			t.Errorf("%q: status %d", tc.text, a.status)
			continue
		}
		if p := a.problem(t); p.Code != authapi.CodeSecretInRequest || p.Secret != tc.want {
			t.Errorf("%q: %s %s", tc.text, p.Code, p.Secret)
		}
	}
	if list := e.tickets(tok.AccessToken, ""); len(list) != 0 {
		t.Fatalf("%d requests with secrets were stored", len(list))
	}
}

// TestSupportTokenEndsWithThePassword: a support token taken through a
// stolen mailbox stops working once the owner takes her account back:
// after a password reset, a password change or "this wasn't me"; and it
// opens no other account's requests.
func TestSupportTokenEndsWithThePassword(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, pw := e.account()
	list := func(token string) answer { return e.call("GET", "/v1/support-requests", nil, "", withToken(token)...) }

	stolen := e.supportToken(email)
	list(stolen).ok(t, 200, nil)
	pw2 := secret(pw + " reset")
	e.reset(email, pw2, nil)
	list(stolen).expect(t, 410, authapi.CodeSupportTokenExpired)
	e.call("POST", "/v1/support-requests", supportRequest, "", withToken(stolen)...).expect(t, 410, authapi.CodeSupportTokenExpired)

	stolen = e.supportToken(email)
	tok := e.signIn(email, pw2)
	e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw2, NewPassword: secret(pw2 + " changed")},
		tok.AccessToken).ok(t, 204, nil)
	list(stolen).expect(t, 410, authapi.CodeSupportTokenExpired)

	// "This wasn't me" ends them as it ends the sessions.
	stolen = e.supportToken(email)
	e.page("POST", e.link(email, "en")).shows(t, 200)
	list(stolen).expect(t, 410, authapi.CodeSupportTokenExpired)
	list(e.supportToken(email)).ok(t, 200, nil)

	// A token is the account's own: another's tickets stay closed to it.
	other, opw := e.account()
	var tk authapi.SupportTicket
	e.call("POST", "/v1/me/support-requests", supportRequest, e.signIn(other, opw).AccessToken).ok(t, 201, &tk)
	var mine authapi.SupportTicketList
	list(e.supportToken(email)).ok(t, 200, &mine)
	if len(mine.Tickets) != 0 {
		t.Fatalf("a support token lists another account's tickets: %+v", mine.Tickets)
	}
}

// TestSupportTokenNotForgedOnADevelopmentServer: a server without a TOTP
// key (Config.PlainTOTPSecrets) signs support tokens with no key that its
// source code gives away: one who held a token once cannot push its
// expiry a year on with the development key.
func TestSupportTokenNotForgedOnADevelopmentServer(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.TOTPKey, c.PlainTOTPSecrets = nil, true })
	email, _ := e.account()
	p, _, _ := strings.Cut(e.supportToken(email), ".")
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint64(payload, uint64(e.clock.Now().AddDate(1, 0, 0).Unix()))
	key, err := hkdf.Key(sha256.New, []byte("sesame development mailed codes!"), nil, "sesame support tokens v1", sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	forged := base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	e.clock.Advance(time.Hour)
	e.call("GET", "/v1/support-requests", nil, "", withToken(forged)...).expect(t, 410, authapi.CodeSupportTokenExpired)
}

// TestWasntMeRemovesTheThiefsPhone: a thief who phished the password signs
// in and binds his phone; the owner answers the new-device notice with
// "this wasn't me". The thief's phone must not stay a way back in: his
// reset by SMS is texted to no phone, its code goes to the owner's
// mailbox.
func TestWasntMeRemovesTheThiefsPhone(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, pw := e.account()
	thief := e.signIn(email, pw)
	e.addPhone(thief.AccessToken, pw, evePhone)
	e.page("POST", e.link(email, "en")).shows(t, 200)
	n, texts := e.mails(email), len(e.texts(evePhone))
	e.resetBySMS(email).ok(t, 202, nil)
	if got := len(e.texts(evePhone)); got != texts {
		t.Fatalf("after \"this wasn't me\", the thief's phone got the reset code (%d text messages, were %d)", got, texts)
	}
	e.mailCode(email, "reset", n)
}

// TestPhoneAddedNoticeTakesThePhoneBack: the notice of a phone number
// bound to the account is the owner's first word of a thief who knows her
// password: it goes for every number, even just after the owner's own,
// tells when, from which device and address, and its "this wasn't me"
// link removes the thief's phone in one step, before he can take a reset
// by SMS.
func TestPhoneAddedNoticeTakesThePhoneBack(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, pw := e.account()
	e.addPhone(e.signIn(email, pw).AccessToken, pw, annPhone)
	from := e.clock.Now()
	thief := e.signInAs(email, pw, "thief laptop", "")
	e.addPhone(thief.AccessToken, pw, evePhone)
	ms := e.withSubject(email, "A phone number was added to your Sesame account")
	if len(ms) != 2 {
		t.Fatalf("%d notices of an added phone number, want 2", len(ms))
	}
	m := ms[0]
	e.checkNotice(m, "en", "thief laptop", from, e.clock.Now())
	e.page("POST", linkRE.FindStringSubmatch(m.Text)[1]).shows(t, 200)
	texts := len(e.texts(evePhone))
	e.resetBySMS(email).ok(t, 202, nil)
	if got := len(e.texts(evePhone)); got != texts {
		t.Fatalf("the thief's phone got the reset code after the owner's link")
	}
}

// TestSupportRequestControlCharacters: a description or report with a NUL
// or another control character (but a line break or tab) is refused
// alike on every store; PostgreSQL cannot store a NUL, which made it a
// 500.
func TestSupportRequestControlCharacters(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	for _, bad := range []string{"my wallet\x00 is gone", "beep\x07", "escape \x1b[2J"} {
		req := supportRequest
		req.Description = bad
		if p := e.call("POST", "/v1/me/support-requests", req, tok.AccessToken).expect(t, 400, authapi.CodeInvalidRequest); p.Field != "description" {
			t.Errorf("%q: field %q", bad, p.Field)
		}
		req = supportRequest
		req.Report = bad
		if p := e.call("POST", "/v1/me/support-requests", req, tok.AccessToken).expect(t, 400, authapi.CodeInvalidRequest); p.Field != "report" {
			t.Errorf("%q: field %q", bad, p.Field)
		}
	}
	req := supportRequest
	req.Description = "Two lines\r\nand\ta tab."
	e.call("POST", "/v1/me/support-requests", req, tok.AccessToken).ok(t, 201, nil)
}

// TestTwoFactorCheckIsNoGuessingOracle: a thief with a stolen access token
// guesses authenticator codes through the check. His guesses are the
// sign-in's: they lock the session's device for sign-in too, each further
// lock is longer (a handful of guesses per doubling wait, against a
// million codes that change every 30 seconds), and the owner's other
// device still signs in.
func TestTwoFactorCheckIsNoGuessingOracle(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	phone := e.device(email, pw, "phone")
	laptop := e.device(email, pw, "laptop")
	sec, _ := e.enableTwoFactor(laptop.AccessToken, pw)
	lock := func() time.Duration {
		wrong := wrongCode(e.totp(sec, 0))
		for range e.cfg.Lock.MaxFailures - 1 {
			e.call("POST", "/v1/me/two-factor/check", authapi.TOTPRequest{TOTPCode: wrong}, laptop.AccessToken).
				expect(t, 401, authapi.CodeInvalidTwoFactorCode)
		}
		p := e.call("POST", "/v1/me/two-factor/check", authapi.TOTPRequest{TOTPCode: wrong}, laptop.AccessToken).
			expect(t, 423, authapi.CodeAccountLocked)
		return p.LockedUntil.Sub(e.clock.Now())
	}
	first := lock()
	e.signInOn(email, pw, "laptop", laptop.DeviceToken).expect(t, 423, authapi.CodeAccountLocked)
	e.signInOn(email, pw, "phone", phone.DeviceToken).expect(t, 401, authapi.CodeTwoFactorRequired)
	e.clock.Advance(first + time.Second)
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: laptop.RefreshToken}, "").ok(t, 200, &laptop)
	secret(laptop.AccessToken)
	secret(laptop.RefreshToken)
	if second := lock(); second < 2*first-time.Second {
		t.Fatalf("the second lock lasts %v, the first %v", second, first)
	}
}

// TestSpentTextCapDoesNotStopTheReset: a stranger with an account of his
// own spends the day's text messages of the owner's number by asking to
// add it to his account; the owner's reset by SMS then comes by mail
// instead of not at all.
func TestSpentTextCapDoesNotStopTheReset(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.SMSPerDay = 3 })
	email, pw := e.account()
	e.addPhone(e.signIn(email, pw).AccessToken, pw, annPhone)
	eve, evePW := e.account()
	eveTok := e.signIn(eve, evePW)
	for range 2 {
		e.call("POST", "/v1/me/phone", authapi.PhoneRequest{Phone: annPhone, Password: evePW}, eveTok.AccessToken).ok(t, 202, nil)
	}
	texts, n := len(e.texts(annPhone)), e.mails(email)
	e.resetBySMS(email).ok(t, 202, nil)
	if got := len(e.texts(annPhone)); got != texts {
		t.Fatalf("the number got a text past its cap")
	}
	e.mailCode(email, "reset", n)
}

// TestNewEndpointsRefuseOversizedBodies: every endpoint of this round reads
// at most server.MaxBody, whoever sends it.
func TestNewEndpointsRefuseOversizedBodies(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	support := e.supportToken(email)
	big := `{"description":"` + strings.Repeat("a", server.MaxBody) + `"}`
	for _, c := range []struct{ method, path, access, support string }{
		{"POST", "/v1/support-requests/code", "", ""},
		{"POST", "/v1/support-requests/verify", "", ""},
		{"POST", "/v1/support-requests", "", support},
		{"POST", "/v1/me/support-requests", tok.AccessToken, ""},
		{"POST", "/v1/me/phone", tok.AccessToken, ""},
		{"POST", "/v1/me/phone/verify", tok.AccessToken, ""},
		{"DELETE", "/v1/me/phone", tok.AccessToken, ""},
		{"POST", "/v1/password-resets/sms", "", ""},
		{"POST", "/v1/me/two-factor/check", tok.AccessToken, ""},
	} {
		if a := e.call(c.method, c.path, big, c.access, withToken(c.support)...); a.status != 413 {
			t.Errorf("%s %s: status %d", c.method, c.path, a.status)
		}
	}
}

// TestSupportTokenEndsWithTheAccount: a support token of an account the
// operator deleted opens nothing, not even the account registered again
// at the same address.
func TestSupportTokenEndsWithTheAccount(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	token := e.supportToken(email)
	a, err := e.store.AccountByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Administer(t.Context(), store.AuditEntry{At: e.clock.Now(), Operator: "root", Action: store.ActionDelete, AccountID: a.ID}); err != nil {
		t.Fatal(err)
	}
	e.call("GET", "/v1/support-requests", nil, "", withToken(token)...).expect(t, 410, authapi.CodeSupportTokenExpired)
	pw := secret("a new account's password 7")
	n := e.mails(email)
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw}, "").ok(t, 202, nil)
	code, _ := e.mailCode(email, "confirm", n)
	e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: pw}, "").ok(t, 204, nil)
	e.call("POST", "/v1/support-requests", supportRequest, "", withToken(token)...).expect(t, 410, authapi.CodeSupportTokenExpired)
}
