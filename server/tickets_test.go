package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"sesame/authapi"
	"sesame/server"
	"sesame/server/store"
)

var ticketNumber = regexp.MustCompile(`^SR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

// supportRequest is a request that holds no secret.
var supportRequest = authapi.SupportRequest{Topic: authapi.TopicLocked,
	Description: "I cannot sign in since yesterday: the app says my account is locked.", Report: "Sesame connection report\nApp version: 1.0.0\n"}

// supportToken proves the address with a mailed support code and returns
// the support token.
func (e *env) supportToken(email string) string {
	e.t.Helper()
	// Counted once the background is done: a confirmation ("Sesame support
	// received…") still on its way would be taken for the code's mail.
	n := len(e.mailbox(email))
	e.call("POST", "/v1/support-requests/code", authapi.EmailRequest{Email: email}, "").ok(e.t, 202, nil)
	code, m := e.mailCode(email, "support", n)
	if !strings.Contains(m.Text, "never ask") {
		e.t.Fatalf("the code mail does not warn:\n%s", m.Text)
	}
	var acc authapi.SupportAccess
	e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(e.t, 200, &acc)
	if acc.ExpiresIn != 1800 || acc.SupportToken == "" {
		e.t.Fatalf("support access %+v", acc)
	}
	return secret(acc.SupportToken)
}

// withToken is the header of a support token.
func withToken(token string) []string { return []string{authapi.HeaderSupportToken, token} }

// tickets lists the tickets of a session (access) or a support token.
func (e *env) tickets(access, token string) []authapi.SupportTicket {
	e.t.Helper()
	var list authapi.SupportTicketList
	if token != "" {
		e.call("GET", "/v1/support-requests", nil, "", withToken(token)...).ok(e.t, 200, &list)
	} else {
		e.call("GET", "/v1/me/support-requests", nil, access).ok(e.t, 200, &list)
	}
	return list.Tickets
}

// TestSupportSignedIn: a signed-in user files a request tied to her
// account, gets its number and staff phrase, also by mail, and lists it.
func TestSupportSignedIn(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	var tk authapi.SupportTicket
	e.call("POST", "/v1/me/support-requests", supportRequest, tok.AccessToken).ok(t, 201, &tk)
	if !ticketNumber.MatchString(tk.Number) || len(strings.Fields(tk.StaffPhrase)) != 3 || tk.Status != authapi.TicketOpen ||
		tk.Topic != supportRequest.Topic || tk.Description != supportRequest.Description || len(tk.Replies) != 0 {
		t.Fatalf("ticket %+v", tk)
	}
	m := e.waitMail(email, "Sesame support received your request "+tk.Number)
	if !strings.Contains(m.Text, tk.Number) || !strings.Contains(m.Text, "«"+tk.StaffPhrase+"»") || !strings.Contains(m.Text, "recovery phrase") {
		t.Fatalf("the confirmation:\n%s", m.Text)
	}
	if list := e.tickets(tok.AccessToken, ""); len(list) != 1 || list[0].Number != tk.Number {
		t.Fatalf("tickets %+v", list)
	}
	st, err := e.store.Ticket(t.Context(), tk.Number)
	if err != nil || st.AccountID == "" || st.Email != email || !st.SignedIn || st.Report != supportRequest.Report {
		t.Fatalf("stored %+v, %v", st, err)
	}
	// Another account sees none of it.
	other, opw := e.account()
	if list := e.tickets(e.signIn(other, opw).AccessToken, ""); len(list) != 0 {
		t.Fatalf("another account's tickets: %+v", list)
	}
	e.call("GET", "/v1/me/support-requests", nil, "").expect(t, 401, authapi.CodeUnauthorized)
}

// TestSupportPurgesClosed: the server's purge deletes the text, report
// and replies of a ticket closed Config.TicketRetention (90 days) ago, and
// its owner no longer sees it; an open ticket and one closed later keep
// theirs.
func TestSupportPurgesClosed(t *testing.T) {
	e := newEnv(t, func(cfg *server.Config) { cfg.PurgeEvery = 10 * time.Millisecond })
	ctx := t.Context()
	email, pw := e.account()
	file := func() string {
		var tk authapi.SupportTicket
		e.call("POST", "/v1/me/support-requests", supportRequest, e.signIn(email, pw).AccessToken).ok(t, 201, &tk)
		return tk.Number
	}
	closeTicket := func(number string) {
		_, err := e.store.AnswerTicket(ctx, number, "Unlocked: sign in again.", store.AuditEntry{At: e.clock.Now(), Operator: "root",
			Action: store.ActionTicketClose})
		if err != nil {
			t.Fatal(err)
		}
	}
	open, old := file(), file()
	closeTicket(old)
	e.clock.Advance(60 * 24 * time.Hour)
	recent := file()
	closeTicket(recent)
	e.clock.Advance(30*24*time.Hour + time.Minute)

	deadline := time.Now().Add(10 * time.Second)
	tk, err := e.store.Ticket(ctx, old)
	for err == nil && tk.PurgedAt.IsZero() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		tk, err = e.store.Ticket(ctx, old)
	}
	if err != nil || tk.PurgedAt.IsZero() || tk.Description != "" || tk.Report != "" || len(tk.Replies) != 0 ||
		tk.Status != authapi.TicketClosed || tk.CreatedAt.IsZero() {
		t.Fatalf("the ticket closed 90 days ago: %+v (%v)", tk, err)
	}
	for _, number := range []string{open, recent} {
		if tk, err := e.store.Ticket(ctx, number); err != nil || tk.Description != supportRequest.Description ||
			tk.Report != supportRequest.Report || !tk.PurgedAt.IsZero() {
			t.Fatalf("%s was purged: %+v (%v)", number, tk, err)
		}
	}
	list := e.tickets(e.signIn(email, pw).AccessToken, "")
	if len(list) != 2 || list[0].Number != recent || list[1].Number != open {
		t.Fatalf("the owner's tickets: %+v", list)
	}
}

// TestSupportRefusesSecrets: a description or report that holds a recovery
// phrase, a recovery code or a mailed code is refused with 400
// secret_in_request naming it, and nothing is stored.
func TestSupportRefusesSecrets(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	for _, tc := range []struct {
		field, text string
		want        authapi.SecretKind
	}{
		{"description", "here is my phrase: legal winner thank year wave sausage worth useful legal winner thank yellow", authapi.SecretRecoveryPhrase},
		{"description", "我的助记词：的 一 是 在 不 了 有 和 人 这 中 大", authapi.SecretRecoveryPhrase},
		{"description", "the recovery code K7Q2-9XMD-4TRA failed", authapi.SecretRecoveryCode},
		{"description", "验证码 123456 不对", authapi.SecretCode},
		{"report", "the code 654321 did not work", authapi.SecretCode},
		{"description", "my phrase: leg\u0430l winner th\u0430nk ye\u0430r w\u0430ve \u0455\u0430usage w\u03bfrth", authapi.SecretRecoveryPhrase},
		{"description", "code 1\u03322\u03323\u03324\u03325\u03326\u0332", authapi.SecretCode},
		{"description", "my recovery code kxqm-hntr-vbwp fails", authapi.SecretRecoveryCode},
	} {
		req := supportRequest
		if tc.field == "report" {
			req.Report = tc.text
		} else {
			req.Description = tc.text
		}
		p := e.call("POST", "/v1/me/support-requests", req, tok.AccessToken).expect(t, 400, authapi.CodeSecretInRequest)
		if p.Field != tc.field || p.Secret != tc.want || strings.Contains(string(e.call("GET", "/v1/status", nil, "").body), tc.text) {
			t.Errorf("%q: %+v", tc.text, p)
		}
	}
	for _, bad := range []authapi.SupportRequest{
		{Topic: "refund", Description: "x"},
		{Topic: authapi.TopicOther, Description: "  "},
		{Topic: authapi.TopicOther, Description: strings.Repeat("a", authapi.MaxSupportDescription+1)},
		{Topic: authapi.TopicOther, Description: "x", Report: strings.Repeat("a", authapi.MaxSupportReport+1)},
	} {
		e.call("POST", "/v1/me/support-requests", bad, tok.AccessToken).expect(t, 400, authapi.CodeInvalidRequest)
	}
	if list := e.tickets(tok.AccessToken, ""); len(list) != 0 {
		t.Fatalf("refused requests were stored: %+v", list)
	}
}

// TestSupportLockedOut: a user locked out by wrong passwords (or
// suspended) proves her address with a mailed code, files a request tied
// to her account, and follows it: the operator's reply shows in the list.
func TestSupportLockedOut(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	e.lockWith(email, "")
	a, err := e.store.AccountByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetSuspended(t.Context(), a.ID, true); err != nil {
		t.Fatal(err)
	}
	token := e.supportToken(email)
	var tk authapi.SupportTicket
	e.call("POST", "/v1/support-requests", supportRequest, "", withToken(token)...).ok(t, 201, &tk)
	if !ticketNumber.MatchString(tk.Number) {
		t.Fatalf("ticket %+v", tk)
	}
	if st, _ := e.store.Ticket(t.Context(), tk.Number); st.AccountID != a.ID || st.SignedIn {
		t.Fatalf("stored %+v", st)
	}
	if _, err := e.store.AnswerTicket(t.Context(), tk.Number, "Your account is unlocked.",
		store.AuditEntry{At: e.clock.Now(), Operator: "root", Action: store.ActionTicketReply}); err != nil {
		t.Fatal(err)
	}
	list := e.tickets("", token)
	if len(list) != 1 || list[0].Status != authapi.TicketAnswered || len(list[0].Replies) != 1 || list[0].Replies[0].Text != "Your account is unlocked." {
		t.Fatalf("tickets %+v", list)
	}
	// The token ends after 30 minutes.
	e.clock.Advance(31 * time.Minute)
	e.call("GET", "/v1/support-requests", nil, "", withToken(token)...).expect(t, 410, authapi.CodeSupportTokenExpired)
}

// TestSupportStranger: one who knows only the address can file nothing
// and read nothing: no token, a forged one or another purpose's code is
// refused; the code step answers an unknown address as a known one, and
// mails nothing to it.
func TestSupportStranger(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	for _, token := range []string{"", "AAAAAAAAAAE.AAAA", "not a token", e.supportToken(email) + "x"} {
		e.call("POST", "/v1/support-requests", supportRequest, "", withToken(token)...).expect(t, 410, authapi.CodeSupportTokenExpired)
		e.call("GET", "/v1/support-requests", nil, "", withToken(token)...).expect(t, 410, authapi.CodeSupportTokenExpired)
	}
	// A reset code does not open the support requests.
	reset := e.startReset(email)
	e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: reset}, "").
		expect(t, 410, authapi.CodeCodeExpired)

	// A known and an unknown address answer alike, step by step.
	unknown := "nobody@example.org"
	answers := func(addr string) []string {
		var out []string
		a := e.call("POST", "/v1/support-requests/code", authapi.EmailRequest{Email: addr}, "")
		out = append(out, fmt.Sprint(a.status, string(a.body)))
		for range e.cfg.CodeAttempts + 1 {
			a := e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: addr, Code: "000000"}, "")
			p, _ := authapi.ParseProblem(a.status, a.header.Get("Content-Type"), a.body)
			out = append(out, fmt.Sprint(a.status, p.Code, p.AttemptsLeft != nil && *p.AttemptsLeft > 0))
		}
		return out
	}
	other, _ := e.account()
	if k, u := answers(other), answers(unknown); fmt.Sprint(k) != fmt.Sprint(u) {
		t.Fatalf("known %v, unknown %v", k, u)
	}
	if n := e.mails(unknown); n != 0 {
		t.Fatalf("%d mails to an address with no account", n)
	}
}

// TestSupportStrangerSpendsBudget: a stranger's wrong codes spend the
// address's budget; the owner's known device still gets a 6-digit code and
// gets in with it (a new computer gets a long code:
// TestLongCodeAfterTheBudget).
func TestSupportStrangerSpendsBudget(t *testing.T) {
	e := newEnv(t, func(cfg *server.Config) { cfg.CodeBudget = store.CodeBudget{Misses: 3, Window: time.Hour} })
	email, pw := e.account()
	dev := e.device(email, pw, "laptop")
	e.call("POST", "/v1/support-requests/code", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	for range 3 {
		e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: "000000"}, "").
			expect(t, 400, authapi.CodeInvalidCode)
	}
	n := e.mails(email)
	e.call("POST", "/v1/support-requests/code", authapi.EmailRequest{Email: email, DeviceToken: dev.DeviceToken}, "").ok(t, 202, nil)
	code, _ := e.mailCode(email, "support", n)
	e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").
		expect(t, 410, authapi.CodeCodeExpired)
	var acc authapi.SupportAccess
	e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: code, DeviceToken: dev.DeviceToken}, "").
		ok(t, 200, &acc)
}

// TestSupportCapped: an account has at most MaxOpenTickets open requests
// and files at most TicketsPerDay a day.
func TestSupportCapped(t *testing.T) {
	e := newEnv(t, func(cfg *server.Config) { cfg.MaxOpenTickets, cfg.TicketsPerDay = 2, 4 })
	email, pw := e.account()
	tok := e.signIn(email, pw)
	n := e.mails(email)
	var first authapi.SupportTicket
	e.call("POST", "/v1/me/support-requests", supportRequest, tok.AccessToken).ok(t, 201, &first)
	e.call("POST", "/v1/me/support-requests", supportRequest, tok.AccessToken).ok(t, 201, nil)
	e.call("POST", "/v1/me/support-requests", supportRequest, tok.AccessToken).expect(t, 409, authapi.CodeSupportLimit)
	if _, err := e.store.AnswerTicket(t.Context(), first.Number, "", store.AuditEntry{At: e.clock.Now(), Operator: "root", Action: store.ActionTicketClose}); err != nil {
		t.Fatal(err)
	}
	e.call("POST", "/v1/me/support-requests", supportRequest, tok.AccessToken).ok(t, 201, nil)
	// The day's requests (the refused one too) are spent, whatever is
	// closed.
	for _, tk := range e.tickets(tok.AccessToken, "") {
		if _, err := e.store.AnswerTicket(t.Context(), tk.Number, "", store.AuditEntry{At: e.clock.Now(), Operator: "root", Action: store.ActionTicketClose}); err != nil {
			t.Fatal(err)
		}
	}
	p := e.call("POST", "/v1/me/support-requests", supportRequest, tok.AccessToken).expect(t, 429, authapi.CodeRateLimited)
	if p.RetryAfterSeconds == nil {
		t.Fatal("no Retry-After")
	}
	// The locked-out way counts against the same caps.
	e.call("POST", "/v1/support-requests", supportRequest, "", withToken(e.supportToken(email))...).expect(t, 429, authapi.CodeRateLimited)
	e.waitMails(email, n+3+1) // three confirmations and the code
}

// TestSupportInChinese: an account whose mails are in Chinese gets a staff
// phrase of four Chinese characters, and the confirmation and the staff's
// reply in Chinese.
func TestSupportInChinese(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	e.call("PUT", "/v1/me/language", authapi.LanguageRequest{Language: "zh-Hans"}, tok.AccessToken).ok(t, 204, nil)
	var tk authapi.SupportTicket
	e.call("POST", "/v1/me/support-requests", supportRequest, tok.AccessToken).ok(t, 201, &tk)
	if r := []rune(tk.StaffPhrase); len(r) != 4 || !unicode.Is(unicode.Han, r[0]) {
		t.Fatalf("staff phrase %q", tk.StaffPhrase)
	}
	m := e.waitMail(email, "Sesame 客服已收到您的请求 "+tk.Number)
	if !strings.Contains(m.Text, "«"+tk.StaffPhrase+"»") || !strings.Contains(m.Text, "助记词") {
		t.Fatalf("the confirmation:\n%s", m.Text)
	}
	a, err := e.store.AccountByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.store.Ticket(t.Context(), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	reply := server.TicketReplyMail(a, st, "您的账户已解锁。")
	if reply.To != email || reply.Subject != "Sesame 客服已回复您的请求 "+tk.Number || !strings.Contains(reply.Text, "您的账户已解锁。") ||
		!strings.Contains(reply.HTML, "您的账户已解锁。") {
		t.Fatalf("the reply mail: %+v", reply)
	}
}

// TestSupportMailsShareTheDailyCap: a stranger who asks for support codes
// floods no mailbox: they count with the reset codes against the
// address's daily cap of code mails, past which only long codes go, at
// most store.KeptCodes a day, then nothing.
func TestSupportMailsShareTheDailyCap(t *testing.T) {
	// The registration's code is the first of the three.
	e := newEnv(t, func(cfg *server.Config) { cfg.MailsPerDay = 3 })
	email, _ := e.account()
	n := e.mails(email)
	e.startReset(email)
	e.supportToken(email)
	e.call("POST", "/v1/support-requests/code", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	for range store.KeptCodes {
		e.clock.Advance(time.Minute)
		e.call("POST", "/v1/support-requests/code", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	}
	if got := len(e.waitMails(email, n+2+store.KeptCodes)); got != n+2+store.KeptCodes {
		t.Fatalf("%d code mails, want 2 and %d long", got-n, store.KeptCodes)
	}
}
