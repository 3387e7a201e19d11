package mail

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"sesame/authapi"
)

// phraseLine is how the text part of a mail in lang starts before the
// phrase, for lang's folder or the default's.
func phraseLine(lang string) string {
	if lang == "zh-Hans" {
		return "您的防钓鱼短语："
	}
	return "Your anti-phishing phrase: "
}

// TestTemplateFiles checks that every language folder has every kind in
// both formats and its common words, so that a translator who adds a
// folder learns what it lacks.
func TestTemplateFiles(t *testing.T) {
	if got, want := Languages(), []string{"en", "zh-Hans"}; !slices.Equal(got, want) {
		t.Errorf("Languages() = %v, want %v", got, want)
	}
	dirs, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		need := []string{"common.txt"}
		for _, k := range Kinds() {
			need = append(need, k.String()+".txt", k.String()+".html")
		}
		for _, f := range need {
			if _, err := fs.Stat(templateFS, path.Join("templates", d.Name(), f)); err != nil {
				t.Errorf("language %s lacks %s", d.Name(), f)
			}
		}
	}
	if len(Kinds()) != int(KindSupportReply) {
		t.Errorf("Kinds() = %v", Kinds())
	}
}

// hasHan reports whether s has a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// remote finds what would load or link anything from elsewhere.
var remote = regexp.MustCompile(`(?i)<img|<script|<link|<iframe|<form|src=|url\(|https?:|href=`)

// TestComposeEveryLanguage renders every kind in every language and checks
// that both parts name the code, the expiry and the phrase first where
// the kind has them, and nothing else of the caller's.
func TestComposeEveryLanguage(t *testing.T) {
	const code, minutes, phrase = "482913", 15, "blue <b>ostrich</b> & 蓝"
	for _, lang := range Languages() {
		for _, k := range Kinds() {
			t.Run(lang+"/"+k.String(), func(t *testing.T) {
				m := Compose(k, "alice@example.com", Data{Language: lang, Code: code, ValidMinutes: minutes, Phrase: phrase})
				if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
					t.Errorf("subject %q", m.Subject)
				}
				if zh := lang == "zh-Hans"; zh != hasHan(m.Subject) || zh != strings.Contains(m.Text, "您") {
					t.Errorf("not in %s: %s\n%s", lang, m.Subject, m.Text)
				}
				first, _, _ := strings.Cut(m.Text, "\n")
				if want := phraseLine(lang) + "«" + phrase + "»"; first != want {
					t.Errorf("first line %q, want %q", first, want)
				}
				// The phrase, escaped, is the HTML body's first paragraph.
				body := m.HTML[strings.Index(m.HTML, "<body"):]
				p := strings.Index(body, "<p")
				if p < 0 || !strings.HasPrefix(body[strings.Index(body[p:], ">")+p+1:], phraseLine(lang)+"«blue &lt;b&gt;ostrich&lt;/b&gt; &amp; 蓝»</p>") {
					t.Errorf("HTML does not start with the escaped phrase:\n%s", m.HTML)
				}
				if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) || !strings.Contains(m.HTML, "<title>"+m.Subject+"</title>") {
					t.Errorf("HTML head:\n%s", m.HTML)
				}
				if remote.MatchString(m.HTML) {
					t.Errorf("HTML loads or links something: %s", remote.FindString(m.HTML))
				}
				for _, part := range []string{m.Text, m.HTML} {
					if codeKinds[k] != strings.Contains(part, code) || codeKinds[k] != strings.Contains(part, strconv.Itoa(minutes)) {
						t.Errorf("code or expiry present = %v:\n%s", !codeKinds[k], part)
					}
					for _, bad := range []string{"<no value>", "{{", "ZgotmplZ", "%!"} {
						if strings.Contains(part, bad) {
							t.Errorf("part has %q:\n%s", bad, part)
						}
					}
				}
				if !strings.HasSuffix(m.Text, "\n— Sesame\n") {
					t.Errorf("text does not end with the signature:\n%s", m.Text)
				}
			})
		}
	}
}

// TestComposeLanguageFallback sends an unknown or empty language in the
// default's.
func TestComposeLanguageFallback(t *testing.T) {
	want := Compose(KindReset, "a@example.com", Data{Language: authapi.DefaultLanguage, Code: "123456"})
	for _, lang := range []string{"", "fr", "zh-Hant", "../en"} {
		if got := Compose(KindReset, "a@example.com", Data{Language: lang, Code: "123456"}); got != want {
			t.Errorf("language %q: %+v", lang, got)
		}
	}
}

// TestComposeChineseExact pins one whole Chinese text part.
func TestComposeChineseExact(t *testing.T) {
	m := Compose(KindReset, "alice@example.com", Data{Language: "zh-Hans", Code: "000731", ValidMinutes: 10, Phrase: "蓝色鸵鸟"})
	want := `您的防钓鱼短语：«蓝色鸵鸟»

您好：

这是您重置 Sesame 密码的验证码：

    000731

此验证码将在 10 分钟后失效。Sesame 客服绝不会向您索要此验证码，请勿告诉任何人。

如果您没有申请重置密码，请忽略此邮件：您的密码保持不变。

— Sesame
`
	if m.Subject != "重置您的 Sesame 密码" || m.Text != want {
		t.Errorf("subject %q, text =\n%s\nwant\n%s", m.Subject, m.Text, want)
	}
}

// TestDataHelpers renders the notices' fields through the templates'
// helpers, so that a new kind can rely on them.
func TestDataHelpers(t *testing.T) {
	at := mustTime(t, "2026-12-07T14:05:00+08:00")
	var b strings.Builder
	tpl := sets["en"][KindVerify].text
	c, err := tpl.Clone()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.New("x").Parse(`{{date .At}} {{.Device}} {{.IP}} {{.Link}} {{date .LockedUntil}} {{.Count}}`); err != nil {
		t.Fatal(err)
	}
	d := Data{At: at, Device: "Alice's\nlaptop", IP: "203.0.113.7", Link: "https://sesame.example/x", LockedUntil: at, Count: 3}
	d.Device = oneLine(d.Device)
	if err := c.ExecuteTemplate(&b, "x", view{Data: d}); err != nil {
		t.Fatal(err)
	}
	if want := "2026-12-07 06:05 UTC Alice's laptop 203.0.113.7 https://sesame.example/x 2026-12-07 06:05 UTC 3"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// noticeKinds are the security notices: each ends with the time, device,
// address and "this wasn't me" link of its data.
var noticeKinds = []Kind{KindCodesLocked, KindNewDevice, KindLocked, KindTwoFactorFailed, KindRecoveryCodeUsed}

// TestNoticeDetails renders every notice in every language with its
// details and checks that both parts carry them, escaped in the HTML, and
// what the kind adds: the lock's end, the recovery codes left.
func TestNoticeDetails(t *testing.T) {
	at := mustTime(t, "2026-12-07T14:05:00+08:00")
	until := at.Add(15 * time.Minute)
	const link = "https://sesame.example/wasnt-me?t=en.a-b_c.d&x=1"
	for _, lang := range Languages() {
		for _, k := range noticeKinds {
			t.Run(lang+"/"+k.String(), func(t *testing.T) {
				d := Data{Language: lang, At: at, Device: "Ann's <laptop>", IP: "2001:db8::7", Link: link, LockedUntil: until, Count: 7}
				m := Compose(k, "ann@example.com", d)
				wants := []string{"2026-12-07 06:05 UTC", "2001:db8::7"}
				if k == KindLocked {
					wants = append(wants, "2026-12-07 06:20 UTC")
				}
				if k == KindRecoveryCodeUsed {
					wants = append(wants, map[string]string{"en": "7 recovery codes are left", "zh-Hans": "您还剩 7 个恢复码"}[lang])
				}
				for _, w := range append(wants, "Ann's <laptop>", "\n"+link+"\n") {
					if !strings.Contains(m.Text, w) {
						t.Errorf("text lacks %q:\n%s", w, m.Text)
					}
				}
				for _, w := range append(wants, "Ann&#39;s &lt;laptop&gt;", `href="https://sesame.example/wasnt-me?t=en.a-b_c.d&amp;x=1"`) {
					if !strings.Contains(m.HTML, w) {
						t.Errorf("HTML lacks %q:\n%s", w, m.HTML)
					}
				}
				// Without a link or device, neither is mentioned.
				d.Link, d.Device = "", ""
				m = Compose(k, "ann@example.com", d)
				if strings.Contains(m.HTML, "<a ") || strings.Contains(m.Text, "http") {
					t.Errorf("a link without one:\n%s\n%s", m.Text, m.HTML)
				}
				if strings.Contains(m.Text, labelDevice(lang)) {
					t.Errorf("a device line without a device:\n%s", m.Text)
				}
			})
		}
	}
}

func labelDevice(lang string) string {
	if lang == "zh-Hans" {
		return "设备："
	}
	return "Device: "
}

// TestNoticeEnglishExact pins one whole notice's text part.
func TestNoticeEnglishExact(t *testing.T) {
	m := Compose(KindNewDevice, "ann@example.com", Data{Language: "en", Phrase: "blue ostrich",
		At: mustTime(t, "2026-12-07T06:05:00Z"), Device: "Ann's phone", IP: "203.0.113.7", Link: "https://sesame.example/wasnt-me?t=x"})
	want := `Your anti-phishing phrase: «blue ostrich»

Hello,

Your Sesame account was just signed in to from a device it had not seen before.

If it was you, there is nothing to do. If it was not you, someone knows your password.

Time: 2026-12-07 06:05 UTC
Device: Ann's phone
IP address: 203.0.113.7

Was this not you? The link below signs out every session, ends the trust of every device, removes the phone number and asks for a password reset before the next sign-in. It works once.
https://sesame.example/wasnt-me?t=x

— Sesame
`
	if m.Subject != "New sign-in to your Sesame account" || m.Text != want {
		t.Errorf("subject %q, text =\n%s\nwant\n%s", m.Subject, m.Text, want)
	}
}

// TestLongCodeMails: a reset or support mail with a long code says why it
// came and that the app takes it pasted, in every language, in both parts;
// a 6-digit code's mail does not.
func TestLongCodeMails(t *testing.T) {
	why := map[string]string{"en": "cannot be guessed", "zh-Hans": "长验证码无法被猜中"}
	hours := map[string]string{"en": "in 8 hours", "zh-Hans": "在 8 小时后"}
	const code = "K7QMW-2ZP9R-4TXAB-CDEFG"
	for _, lang := range Languages() {
		for _, k := range []Kind{KindReset, KindSupportCode} {
			m := Compose(k, "ana@example.org", Data{Language: lang, Code: code, Long: true, ValidMinutes: 480})
			for part, body := range map[string]string{"text": m.Text, "HTML": m.HTML} {
				if !strings.Contains(body, code) || !strings.Contains(body, why[lang]) || !strings.Contains(body, hours[lang]) {
					t.Errorf("%s %v %s part lacks the long code or why:\n%s", lang, k, part, body)
				}
			}
			m = Compose(k, "ana@example.org", Data{Language: lang, Code: "123456", ValidMinutes: 10})
			if strings.Contains(m.Text+m.HTML, why[lang]) {
				t.Errorf("%s %v with 6 digits tells of a long code", lang, k)
			}
		}
	}
}
