package server_test

import (
	"strings"
	"testing"

	"sesame/authapi"
)

// TestMailLanguage follows an account's language: a registration's
// Accept-Language chooses its verify mail's and becomes the account's,
// every later mail to the account is in it whatever the request's, and
// PUT /v1/me/language changes it.
func TestMailLanguage(t *testing.T) {
	e := newEnv(t)
	const al = authapi.HeaderAcceptLanguage
	email, pw := "lan@example.org", secret("a long new password 1")

	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw}, "", al, "fr;q=0.9, zh-CN").ok(t, 202, nil)
	code, m := e.mailCode(email, "确认您的 Sesame 账户", 0)
	if !strings.Contains(m.Text, "此验证码将在") || !strings.Contains(m.HTML, `<html lang="zh-Hans">`) || !strings.Contains(m.HTML, code) {
		t.Fatalf("verify mail not in Chinese with an HTML part:\n%s\n%s", m.Text, m.HTML)
	}
	e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: pw}, "").ok(t, 204, nil)
	tok := e.signIn(email, pw)
	var me authapi.Me
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, &me)
	if me.Language != "zh-Hans" {
		t.Fatalf("me.language = %q, want zh-Hans", me.Language)
	}

	// The account's language, not the request's.
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw + "x"}, "", al, "en").ok(t, 202, nil)
	if mails := e.waitMails(email, 2); mails[0].Subject != "有人尝试用您的邮箱创建 Sesame 账户" {
		t.Fatalf("account-exists mail %q, want it in Chinese", mails[0].Subject)
	}
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "", al, "en").ok(t, 202, nil)
	e.mailCode(email, "重置您的 Sesame 密码", 0)

	// Switched to English: the next mails are English.
	e.call("PUT", "/v1/me/language", authapi.LanguageRequest{Language: "en"}, tok.AccessToken, al, "zh-CN").ok(t, 204, nil)
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, &me)
	if me.Language != "en" {
		t.Fatalf("me.language = %q after PUT en", me.Language)
	}
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "", al, "zh-CN").ok(t, 202, nil)
	_, m = e.mailCode(email, "Reset your Sesame password", 0)
	if !strings.Contains(m.Text, "It expires in") || !strings.Contains(m.HTML, `<html lang="en">`) {
		t.Fatalf("reset mail not in English:\n%s", m.Text)
	}

	for _, bad := range []string{"zh-Hant", "", "EN", "fr", "zh-hans"} {
		p := e.call("PUT", "/v1/me/language", authapi.LanguageRequest{Language: bad}, tok.AccessToken).
			expect(t, 400, authapi.CodeInvalidRequest)
		if p.Field != "language" {
			t.Errorf("%q: field %q, want language", bad, p.Field)
		}
	}
	e.call("PUT", "/v1/me/language", authapi.LanguageRequest{Language: "en"}, "").expect(t, 401, authapi.CodeUnauthorized)
}

// TestRegistrationLanguage checks which Accept-Language values choose
// Chinese for a registration's mail: Traditional Chinese has no
// translation and gets English.
func TestRegistrationLanguage(t *testing.T) {
	e := newEnv(t)
	for i, tc := range []struct{ header, subject string }{
		{"zh-Hans-CN", "确认您的 Sesame 账户"},
		{"zh-SG,en;q=0.5", "确认您的 Sesame 账户"},
		{"zh-TW", "Confirm your Sesame account"},
		{"zh-Hant, zh;q=0", "Confirm your Sesame account"},
		{"", "Confirm your Sesame account"},
	} {
		email := "reg" + string(rune('a'+i)) + "@example.org"
		e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: secret("a long new password 1")}, "",
			authapi.HeaderAcceptLanguage, tc.header).ok(t, 202, nil)
		if _, m := e.mailCode(email, tc.subject, 0); m.Subject != tc.subject {
			t.Errorf("%q: subject %q, want %q", tc.header, m.Subject, tc.subject)
		}
	}
}
