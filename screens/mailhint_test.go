package screens

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/lang"

	"sesame/app"
	"sesame/server"
)

const testSender = "no-reply@sesame.example"

// TestMailHintGolden renders the code steps of a server that names its
// sender, for an address of each provider the app knows, in both
// languages.
func TestMailHintGolden(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.MailFrom = testSender })
	clock := f.useClock()
	ctx := context.Background()
	reset := func(email string) *app.PasswordReset {
		r, err := f.app.StartPasswordReset(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		clock.freeze(r.SentAt)
		return r
	}
	f.shell.Push(newForgotCode(f.shell, reset("golden@gmail.com")))
	f.golden("forgot/code_gmail.xml")
	reg, err := f.app.Register(ctx, "golden@outlook.com", testPassword, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	clock.freeze(reg.SentAt)
	f.shell.Replace(newVerifyEmail(f.shell, reg, false))
	f.golden("verify/sent_outlook.xml")

	f.setLanguage("zh_Hans")
	f.shell.Replace(newForgotCode(f.shell, reset("golden@qq.com")))
	f.golden("forgot/code_qq_zh.xml")
	reg, err = f.app.Register(ctx, "golden@163.com", testPassword, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	clock.freeze(reg.SentAt)
	f.shell.Replace(newVerifyEmail(f.shell, reg, false))
	f.golden("verify/sent_163_zh.xml")
}

// TestMailHintNamesSenderSubjectAndFolder: each step says the sender and
// the subject of its mail, and the folder of the address's provider.
func TestMailHintNamesSenderSubjectAndFolder(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.MailFrom = testSender })
	ctx := context.Background()
	for _, c := range []struct {
		email string
		hint  string
	}{
		{"a@foxmail.com", "mailcode.spam_qq"},
		{"a@yeah.net", "mailcode.spam_netease"},
		{"a@googlemail.com", "mailcode.spam_gmail"},
		{"a@live.com", "mailcode.spam_outlook"},
		{"a@example.org", "mailcode.spam"},
	} {
		for _, tag := range []string{"en", "zh_Hans"} {
			f.setLanguage(tag)
			r, err := f.app.StartPasswordReset(ctx, c.email)
			if err != nil {
				t.Fatal(err)
			}
			f.shell.Reset(newForgotCode(f.shell, r))
			f.waitText(tr(c.hint))
			f.waitText(sayFind("mail.subject.reset", testSender))

			f.shell.Reset(newVerifyEmail(f.shell, f.app.PendingRegistration(c.email, testPassword), false))
			f.waitText(tr(c.hint))
			f.waitText(sayFind("mail.subject.verify", ""))
		}
	}
	// The sender shows once a code was sent.
	f.tap("mailcode.resend")
	f.waitText(sayFind("mail.subject.verify", testSender))
}

// sayFind is the hint that names the subject of key, and the sender from
// when it is known.
func sayFind(key, from string) string {
	if from == "" {
		return lang.LocalizeKey("mailcode.find", "", map[string]any{"Subject": tr(key)})
	}
	return lang.LocalizeKey("mailcode.find_from", "", map[string]any{"Subject": tr(key), "From": from})
}
