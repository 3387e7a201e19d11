package assets

import (
	"regexp"
	"testing"
)

// termRule is a rule of wording: in file, no text matches banned, except
// the texts of the keys of only, which each match want.
type termRule struct {
	file, what string
	banned     *regexp.Regexp
	// only are the keys that name the thing, each of which must match want.
	only []string
	want *regexp.Regexp
}

// mailboxKeys name the window of the local server's mails.
var mailboxKeys = []string{"mailbox.title", "action.open_mailbox"}

// termRules pin the wording: 您 throughout; 邮箱 is the email address and
// the local server's window is the 收件箱 (Mailbox); the authenticator is
// "authenticator app", 身份验证器应用, besides the named products.
var termRules = []termRule{
	{file: "zh_Hans.json", what: "你 (use 您)", banned: regexp.MustCompile(`你`)},
	{file: "zh_Hans.json", what: "another word for the email address",
		banned: regexp.MustCompile(`电子邮箱|电子邮件地址|邮件地址|信箱|电邮`)},
	{file: "zh_Hans.json", what: "收件箱 other than the window and Outlook's 重点收件箱",
		banned: regexp.MustCompile(`(^|[^点])收件箱`), only: mailboxKeys, want: regexp.MustCompile(`^[^邮]*收件箱[^邮]*$`)},
	{file: "zh_Hans.json", what: "an authenticator not called 身份验证器应用",
		banned: regexp.MustCompile(`验证器|认证器|验证应用|令牌应用`)},
	{file: "en.json", what: "Mailbox outside the window's name",
		banned: regexp.MustCompile(`(?i)mailbox|inbox`), only: mailboxKeys, want: regexp.MustCompile(`Mailbox`)},
	{file: "en.json", what: "another word for email", banned: regexp.MustCompile(`(?i)e-mail|\bmail address`)},
	{file: "en.json", what: "an authenticator not called \"authenticator app\"",
		banned: regexp.MustCompile(`(?i)authenticator|authentication app|2FA app|TOTP app|code generator`)},
}

// termAllowed are the texts a banned pattern may match: the authenticator
// app by its name, products named by theirs, and Outlook's Focused Inbox.
var termAllowed = regexp.MustCompile(`(?i)authenticator app|Google Authenticator|Microsoft Authenticator|身份验证器应用|Focused Inbox`)

func TestTranslationTerms(t *testing.T) {
	files := map[string]map[string]message{}
	for _, name := range translationFiles {
		files[name] = loadTranslations(t, name)
	}
	for _, r := range termRules {
		for k, m := range files[r.file] {
			only := false
			for _, o := range r.only {
				only = only || o == k
			}
			for _, s := range m {
				if only {
					if !r.want.MatchString(s) {
						t.Errorf("%s: %q = %q: want %s", r.file, k, s, r.want)
					}
					continue
				}
				if loc := r.banned.FindStringIndex(termAllowed.ReplaceAllString(s, "")); loc != nil {
					t.Errorf("%s: %q has %s: %q", r.file, k, r.what, s)
				}
			}
		}
	}
}

// TestTranslationTermsCatch checks that each rule refuses the wording it
// is there for.
func TestTranslationTermsCatch(t *testing.T) {
	bad := map[string]string{
		"你 (use 您)":                                         "请检查你的邮箱。",
		"another word for the email address":                "请输入电子邮件地址。",
		"an authenticator not called 身份验证器应用":               "验证器中的验证码",
		"Mailbox outside the window's name":                 "Open the mailbox.",
		"an authenticator not called \"authenticator app\"": "Authenticator code",
		"收件箱 other than the window and Outlook's 重点收件箱":     "请查看收件箱。",
	}
	for _, r := range termRules {
		s, ok := bad[r.what]
		if !ok {
			continue
		}
		if !r.banned.MatchString(termAllowed.ReplaceAllString(s, "")) {
			t.Errorf("rule %q lets %q through", r.what, s)
		}
		delete(bad, r.what)
	}
	for what := range bad {
		t.Errorf("no rule %q", what)
	}
}
