package app_test

import (
	"context"
	"testing"

	"sesame/app"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/mail"
)

var providerCases = []struct {
	email string
	want  app.MailProvider
}{
	{"a@qq.com", app.ProviderQQ},
	{"a@foxmail.com", app.ProviderQQ},
	{"a@163.com", app.ProviderNetEase},
	{"a@126.com", app.ProviderNetEase},
	{"a@yeah.net", app.ProviderNetEase},
	{"a@gmail.com", app.ProviderGmail},
	{"A@GoogleMail.COM", app.ProviderGmail},
	{"a@outlook.com", app.ProviderOutlook},
	{"a@hotmail.com", app.ProviderOutlook},
	{"a@live.com", app.ProviderOutlook},
	{"a@msn.com", app.ProviderOutlook},
	{"a@gmail.com.", app.ProviderGmail},
	{`"x@qq.com"@example.org`, app.ProviderOther},
	{"a@mail.qq.com.example", app.ProviderOther},
	{"a@notgmail.com", app.ProviderOther},
	{"a@example.org", app.ProviderOther},
	{"no address", app.ProviderOther},
	{"", app.ProviderOther},
}

func TestMailProviderOf(t *testing.T) {
	for _, c := range providerCases {
		if got := app.MailProviderOf(c.email); got != c.want {
			t.Errorf("%q: %q, want %q", c.email, got, c.want)
		}
	}
}

// TestMailSubjectsMatchTheServer keeps the subjects the screens tell the
// user to search for equal to those of the server's mails.
func TestMailSubjectsMatchTheServer(t *testing.T) {
	subjects := map[string]mail.Kind{"mail.subject.verify": mail.KindVerify, "mail.subject.reset": mail.KindReset}
	// Each translation file against the server's mails of its language.
	for file, language := range map[string]string{"en.json": "en", "zh_Hans.json": "zh-Hans"} {
		texts := loadTranslationTexts(t, file)
		for key, kind := range subjects {
			want := mail.Compose(kind, "a@example.org", mail.Data{Code: "123456", ValidMinutes: 10, Language: language}).Subject
			if got := texts[key]; len(got) != 1 || got[0] != want {
				t.Errorf("%s %s = %q, the server's %v mail in %s says %q", file, key, got, kind, language, want)
			}
		}
	}
}

// TestMailedNamesTheSender: a flow that mailed a code knows the sender the
// server announces, and none when it announces none.
func TestMailedNamesTheSender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := serveFixture(t, testserver.New(t, func(c *server.Config) { c.MailFrom = "no-reply@sesame.example" }).Handler)
	reg, err := f.app.Register(ctx, "carol@example.org", password, password)
	if err != nil || reg.From != "no-reply@sesame.example" {
		t.Fatalf("registration: %q %v", reg.From, err)
	}
	pending := f.app.PendingRegistration("carol@example.org", password)
	if pending.From != "" {
		t.Fatalf("nothing sent, yet from %q", pending.From)
	}
	if err := pending.Resend(ctx); err != nil || pending.From != "no-reply@sesame.example" {
		t.Fatalf("resend: %q %v", pending.From, err)
	}
	r, err := f.app.StartPasswordReset(ctx, "carol@example.org")
	if err != nil || r.From != "no-reply@sesame.example" {
		t.Fatalf("reset: %q %v", r.From, err)
	}

	r, err = newFixture(t).app.StartPasswordReset(ctx, "carol@example.org")
	if err != nil || r.From != "" {
		t.Fatalf("a server with no sender: %q %v", r.From, err)
	}
}
