package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sesame/app"
	"sesame/authapi"
	"sesame/check"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/recovery"
	"sesame/server/store"
)

// reportOf returns the JSON report of d, parsed.
func reportOf(t testing.TB, d check.Diagnosis, lastErrors []app.Code, account string) map[string]any {
	t.Helper()
	b, err := app.ReportJSON(d, lastErrors, account)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out
}

// figureReport returns what the JSON report keeps of the server's message
// figure.
func figureReport(t testing.TB, figure string) string {
	t.Helper()
	d := check.Diagnosis{Server: "https://auth.sesame.example", AppVersion: diagVersion,
		Steps: []check.Step{{ID: check.StepStatus, Verdict: check.VerdictWarning, Cause: check.CauseDegraded, Detail: map[string]string{"message": figure}}}}
	steps := reportOf(t, d, nil, "")["steps"].([]any)
	f, _ := steps[0].(map[string]any)["detail"].(map[string]any)["message"].(string)
	return f
}

// redactCases are free text and what a report keeps of it. They drive
// TestRedact and seed FuzzRedact.
var redactCases = []struct{ in, want string }{
	{"code 493817", "code [redacted]"},
	{"codes 12345 and 1234567890", "codes 12345 and [redacted]"},
	{"totp JBSWY3DPEHPK3PXP", "totp [redacted]"},
	{"token rt_Yk3q9-ZZx0aaB1c2d3e4", "token [redacted]"},
	{"recovery K7Q2-9XMD-4TRA", "recovery [redacted]"},
	{"recovery k7q2-9xmd-4tra.", "recovery [redacted]."},
	{"K7Q2 9XMD 4TRA", "[redacted]"},
	{"K7Q29XMD4TRA", "[redacted]"},
	{"KQXMDTRAWXYZ", "[redacted]"},
	{"abandon ability able about", "[redacted]"},
	{"Typed: abandon, ability, able. Thanks", "Typed: [redacted] Thanks"},
	{"Zoo Zone zero", "[redacted]"},
	{"的 一 是 在", "[redacted]"},
	{"的一是在不了", "[redacted]"},
	{"ábaco abdomen abeja", "[redacted]"},
	{"Mail delivery is failing", "Mail delivery is failing"},
	{"maintenance until 2031-05-01 22:00 UTC", "maintenance until 2031-05-01 22:00 UTC"},
	{"HTTP 200 text/html; charset=utf-8, redirect to http://portal.example", "HTTP 200 text/html; charset=utf-8, redirect to http://portal.example"},
	{"TLS 1.3, issued by Sesame test CA, valid until 2031-05-01", "TLS 1.3, issued by Sesame test CA, valid until 2031-05-01"},
	{"linux/amd64, Debian GNU/Linux 12 (bookworm), kernel 6.1.0-28-amd64", "linux/amd64, Debian GNU/Linux 12 (bookworm), kernel 6.1.0-28-amd64"},
	{"+2m0s", "+2m0s"},
	{"<1 ms (127.0.0.1:8080)", "<1 ms (127.0.0.1:8080)"},
	{"[::1]:8080", "[::1]:8080"},
	{"tab\there\x00 and\nnewline", "tab here and newline"},
	{"", ""},
}

func TestRedact(t *testing.T) {
	for _, tc := range redactCases {
		if got := figureReport(t, tc.in); got != tc.want {
			t.Errorf("%q: report keeps %q, want %q", tc.in, got, tc.want)
		}
	}
}

var (
	sixDigits = regexp.MustCompile(`[0-9]{6,}`)
	longToken = regexp.MustCompile(`[A-Za-z0-9_\-]{16,}`)
)

func FuzzRedact(f *testing.F) {
	for _, tc := range redactCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := figureReport(t, in)
		if sixDigits.MatchString(got) || longToken.MatchString(got) || len(got) > 300 {
			t.Fatalf("%q kept as %q", in, got)
		}
		if again := figureReport(t, got); again != got {
			t.Fatalf("not stable: %q, then %q", got, again)
		}
	})
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"alice@example.org":         "a***e@e***.org",
		" Alice@Example.ORG ":       "a***e@e***.org",
		"al@example.org":            "a***@e***.org",
		"a@b.co":                    "a***@b***.co",
		"bob.smith@mail.example.uk": "b***h@m***.uk",
		"张伟@例子.中国":                  "张***@例***.中国",
		"not an email":              "",
		"a sturdy password 7":       "",
		"":                          "",
	} {
		if got := app.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestErrorCodeRecoveryRefused: a refused recovery code has a code of its
// own, before the server's invalid_two_factor_code.
func TestErrorCodeRecoveryRefused(t *testing.T) {
	err := fmt.Errorf("x: %w: %w", app.ErrRecoveryCodeRefused, authapi.ErrInvalidTwoFactorCode)
	if got := app.ErrorCode(err); got != "recovery_code_refused" {
		t.Fatalf("ErrorCode = %q", got)
	}
}

func TestErrorCode(t *testing.T) {
	cases := []struct {
		err  error
		code app.Code
	}{
		{nil, ""},
		{fmt.Errorf("signing in: %w", authapi.ErrInvalidCredentials), "invalid_credentials"},
		{&authapi.Problem{Status: 423, Code: authapi.CodeAccountLocked, Detail: "Locked."}, "account_locked"},
		{fmt.Errorf("x: %w: %w", app.ErrAttemptsLocked, &authapi.Problem{Status: 423, Code: authapi.CodeAccountLocked}), "attempts_locked"},
		{fmt.Errorf("x: %w: %w", app.ErrWrongPassword, authapi.ErrInvalidCredentials), "wrong_password"},
		{&authapi.Problem{Status: 400, Code: "a secret 493817"}, "api_problem"},
		{&authapi.TLSError{Reason: authapi.TLSWrongHost, Host: "h"}, app.Code(check.CauseTLSWrongHost)},
		{&authapi.TimeoutError{Host: "h"}, app.Code(check.CauseTimeout)},
		{&authapi.NotAPIError{Status: 200}, "not_api"},
		{&authapi.OfflineError{Host: "h"}, app.Code(check.CauseOffline)},
		{&authapi.OfflineError{Host: "127.0.0.1:8443"}, "local_unreachable"},
		{fmt.Errorf("signing in: %w", &authapi.TimeoutError{Host: "[::1]:80"}), "local_timeout"},
		{&keystore.UnavailableError{Reason: keystore.ReasonLocked, Op: "save"}, app.Code(check.CauseKeychainLocked)},
		{&keystore.UnavailableError{Reason: keystore.Reason(99), Op: "save"}, app.Code(check.CauseKeychainFailed)},
		{fmt.Errorf("remember me: %w", &keystore.TooLargeError{Op: "save", What: "secret", Size: 3000, Max: keystore.MaxSecretBytes}), "keychain_too_large"},
		{&recovery.ChecksumError{}, "phrase_checksum"},
		{app.ErrPasswordsDiffer, "passwords_differ"},
		{fmt.Errorf("%w: %w", app.ErrLocalServer, errors.New("port taken")), "local_server_failed"},
		{fmt.Errorf("%w: %w", app.ErrLocalServer, &keystore.UnavailableError{Reason: keystore.ReasonLocked, Op: "read"}), "local_server_keychain"},
		{context.Canceled, app.Code(check.CauseCanceled)},
		{errors.New("wrong password hunter2 for alice@example.org"), "other"},
	}
	var codes []app.Code
	for _, tc := range cases {
		got := app.ErrorCode(tc.err)
		if got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if got != "" {
			codes = append(codes, got)
		}
	}
	// A report keeps every code ErrorCode makes, and only those.
	kept := reportOf(t, check.Diagnosis{}, append(codes, "hunter2", "Invalid_Credentials"), "")
	if got := fmt.Sprint(kept["last_errors"]); got != fmt.Sprint(codes) || kept["dropped_errors"] != 2.0 {
		t.Errorf("last errors %s (dropped %v), want %v", got, kept["dropped_errors"], codes)
	}
}

// TestReportHasNoSecrets runs the check against a server whose maintenance
// message carries secrets (as a hostile or careless operator might), then
// hands the report everything else a user typed: the password, a code, a
// recovery code, a TOTP secret, a refresh token and a recovery phrase, as
// last errors, as the account and in the server address.
func TestReportHasNoSecrets(t *testing.T) {
	const (
		userPassword = "Tr0ub4dor&3 horse"
		code         = "493817"
		totpSecret   = "JBSWY3DPEHPK3PXPQ4AA"
		email        = "alice.liddell@example.org"
	)
	var raw [32]byte
	rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	recoveryCode := authapi.NewRecoveryCode()
	shown := recoveryCode[:4] + "-" + recoveryCode[4:8] + "-" + recoveryCode[8:]
	en, err := recovery.Generate(recovery.English, 12)
	if err != nil {
		t.Fatal(err)
	}
	zh, err := recovery.Generate(recovery.ChineseSimplified, 12)
	if err != nil {
		t.Fatal(err)
	}
	phrase, zhPhrase := en.String(), zh.String()

	h, ts := testserver.Behind(t, nil, nil)
	until := time.Now().Add(time.Hour)
	msg := "Back soon. Your code " + code + ", recovery " + shown + ", token " + token + ", phrase " + phrase
	if err := ts.Store.SetMaintenance(context.Background(), store.Maintenance{On: true, Message: msg, Until: &until}); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Serve(t, h).URL
	d := check.Run(context.Background(), check.Config{Server: srv, Version: diagVersion, Keychain: newMemKeychain()}, nil)
	if s, _ := d.Step(check.StepStatus); s.Cause != check.CauseMaintenance || !strings.Contains(s.Detail["message"], code) {
		t.Fatalf("the server's message did not reach the diagnosis: %+v", s)
	}
	d.OS += " " + zhPhrase
	d.Server = strings.Replace(srv, "http://", "http://alice:"+code+"@", 1) + "/?token=" + token

	lastErrors := []app.Code{"invalid_credentials", app.Code(userPassword), app.Code(code), app.Code(totpSecret), app.Code(token), app.Code(shown),
		app.Code(recoveryCode), app.Code(phrase), app.Code(zhPhrase), app.Code(email), "invalid_two_factor_code"}
	secrets := []string{userPassword, code, totpSecret, token, shown, recoveryCode, phrase, zhPhrase, email, "alice.liddell", "Tr0ub4dor"}
	for _, w := range [][]string{strings.Fields(phrase), strings.Fields(zhPhrase)} {
		for i := 0; i+3 <= len(w); i++ {
			secrets = append(secrets, strings.Join(w[i:i+3], " "))
		}
	}
	for _, account := range []string{email, userPassword, phrase} {
		js, err := app.ReportJSON(d, lastErrors, account)
		if err != nil {
			t.Fatal(err)
		}
		outs := []string{string(js)}
		for _, l := range check.Languages {
			outs = append(outs, app.Report(d, lastErrors, account, translations(t, l)))
		}
		for _, out := range outs {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("the report holds %q:\n%s", s, out)
				}
			}
			if account == email && !strings.Contains(out, "a***l@e***.org") {
				t.Errorf("no masked email:\n%s", out)
			}
			for _, keep := range []string{"invalid_credentials", "invalid_two_factor_code", "maintenance", "Back soon.", diagVersion, strings.TrimPrefix(srv, "http://")} {
				if !strings.Contains(out, keep) {
					t.Errorf("the report lost %q:\n%s", keep, out)
				}
			}
		}
	}
	text := app.Report(d, lastErrors, userPassword, translations(t, "en"))
	if !strings.Contains(text, "Account: none\n") || !strings.Contains(text, "Last errors: invalid_credentials, invalid_two_factor_code (unknown entries left out: 9)\n") {
		t.Errorf("report:\n%s", text)
	}
}

// TestReportHasEveryStep: every step of the check reaches the report with
// its cause, every detail its check.Def declares and its English title.
func TestReportHasEveryStep(t *testing.T) {
	en := translations(t, "en")
	d := check.Diagnosis{Server: "https://auth.sesame.example", AppVersion: diagVersion}
	for _, def := range check.Steps {
		detail := map[string]string{}
		for _, k := range def.Details {
			detail[k] = "1"
		}
		d.Steps = append(d.Steps, check.Step{ID: def.ID, Verdict: check.VerdictWarning, Cause: def.Causes[0], Detail: detail})
	}
	lines := strings.Split(app.Report(d, nil, "", en), "\n")
	for _, s := range d.Steps {
		prefix := fmt.Sprintf("warning  %-9s %s", s.ID, s.Cause)
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
		if i < 0 {
			t.Errorf("no line %q in the report:\n%s", prefix, strings.Join(lines, "\n"))
			continue
		}
		for k := range s.Detail {
			if !strings.Contains(lines[i], " "+k+`="1"`) {
				t.Errorf("%s: the report lacks %s: %q", s.ID, k, lines[i])
			}
		}
		if title := s.Text(en).Title; !strings.HasSuffix(lines[i], " — "+title) {
			t.Errorf("%s: the report lacks the title %q: %q", s.ID, title, lines[i])
		}
	}
}

// translations are the shipped translations of language.
func translations(t testing.TB, language string) check.Translate {
	t.Helper()
	tr, err := check.Translations(language)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestReportLanguage: the report is in the user's language, its steps'
// words and data as in English; a Chinese one is followed by the same
// report in English for support staff, without the details, an English
// one is not. Neither is taken for a secret by the server's guard.
func TestReportLanguage(t *testing.T) {
	d := check.Diagnosis{Server: "https://auth.sesame.example", AppVersion: diagVersion, OS: "linux/amd64",
		Started: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), Steps: []check.Step{
			{ID: check.StepStatus, Verdict: check.VerdictProblem, Cause: check.CauseMaintenance, Detail: map[string]string{"message": "Back soon."}},
		}}
	errs := []app.Code{"invalid_credentials", "hunter2"}
	en, zh := translations(t, "en"), translations(t, "zh-Hans")
	english := app.Report(d, errs, "", en)
	if strings.Contains(english, en("report.english", nil)) || strings.Count(english, en("report.title", nil)) != 1 {
		t.Fatalf("the English report:\n%s", english)
	}
	chinese := app.Report(d, errs, "", zh)
	mine, staff, ok := strings.Cut(chinese, "\n"+zh("report.english", nil)+"\n\n")
	if !ok || staff != strings.Replace(english, ` message="Back soon."`, "", 1) {
		t.Fatalf("the Chinese report is not followed by the English one:\n%s", chinese)
	}
	for _, text := range []string{english, chinese} {
		if err := recovery.FindSecret(text); err != nil {
			t.Errorf("%v in\n%s", err, text)
		}
	}
	step, _ := d.Step(check.StepStatus)
	for _, want := range []string{"Sesame 连接报告\n", "应用版本：" + diagVersion + "\n", "妨碍登录：是\n",
		"problem  status    maintenance message=\"Back soon.\" — " + step.Text(zh).Title + "\n",
		"最近的错误：invalid_credentials " + zh("report.dropped", map[string]any{"Count": 1}) + "\n", "账户：无\n"} {
		if !strings.Contains(mine, want) {
			t.Errorf("the Chinese report lacks %q:\n%s", want, mine)
		}
	}
	if strings.Contains(mine, "connection report") || strings.Contains(mine, step.Text(en).Title) {
		t.Errorf("the Chinese report holds English:\n%s", mine)
	}
}

// TestReportFits: a report whose every detail is at its longest fits the
// size the server takes for a support request, in English and in Chinese
// (followed by English), its details cut and marked; a short one keeps
// them whole.
func TestReportFits(t *testing.T) {
	d := check.Diagnosis{Server: "https://auth.sesame.example", AppVersion: diagVersion}
	for _, def := range check.Steps {
		detail := map[string]string{}
		for _, k := range def.Details {
			detail[k] = strings.Repeat("down for a while ", 18)
		}
		d.Steps = append(d.Steps, check.Step{ID: def.ID, Verdict: check.VerdictWarning, Cause: def.Causes[0], Detail: detail})
	}
	errs := slices.Repeat([]app.Code{"invalid_credentials"}, 30)
	for _, language := range []string{"en", "zh-Hans"} {
		report := app.Report(d, errs, "someone@example.org", translations(t, language))
		if len(report) > authapi.MaxSupportReport || !strings.Contains(report, "…\"") || !utf8.ValidString(report) {
			t.Errorf("%s: a report of %d bytes (the limit is %d):\n%s", language, len(report), authapi.MaxSupportReport, report)
		}
	}
}
