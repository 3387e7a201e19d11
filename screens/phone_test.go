package screens

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/server"
)

// text waits for a text message to number newer than the after first ones
// and returns its code.
func (f *fixture) text(number string, after int) string {
	f.t.Helper()
	var code string
	f.waitFor("a text message to "+number, func() bool {
		msgs, err := f.client.Mailbox(context.Background(), number)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(msgs) > after && msgs[0].SMS {
			code = codeRE.FindString(msgs[0].Text)
			return true
		}
		return false
	})
	return code
}

// TestSecurityPhone adds a phone number from the security centre (a number
// without its country code is refused in English), shows it masked, and
// removes it with the password.
func TestSecurityPhone(t *testing.T) {
	f := homeSignedIn(t, "phone@example.com")
	if !f.shows(tr("home.phone_none")) {
		t.Fatalf("home does not offer a phone number:\n%s", f.texts())
	}
	f.tap("home.phone_add")
	f.waitTop("security.phone.title")
	if !f.shows(tr("security.phone.not_second_factor")) {
		t.Fatal("the view does not say the number is no second factor")
	}
	f.typeIn("security.phone.placeholder", "138 0013 8000")
	f.typeIn("security.account_password", testPassword)
	if !f.button("security.phone.send").Disabled() || !f.shows(tr("error.phone_country")) {
		t.Fatalf("a number without its country code: enabled %v, texts\n%s", !f.button("security.phone.send").Disabled(), f.texts())
	}
	f.entry("security.phone.placeholder").SetText("+86 138 0013 8000")
	f.golden("phone/add.xml")
	f.tap("security.phone.send")
	f.waitFor("the code step", func() bool { return f.hasButton("security.phone.verify") })
	if !f.shows(lang.LocalizeKey("security.phone.sent", "", map[string]any{"Phone": "+86 138 0013 8000"})) {
		t.Fatalf("the code step does not name the number:\n%s", f.texts())
	}
	code := f.text("+8613800138000", 0)
	// A wrong code sends the user to the text message, not to the mail.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	f.typeCode(wrong)
	f.waitText(tr("error.invalid_code"))
	if !f.shows(tr("remedy.invalid_code_sms")) || f.shows(tr("remedy.invalid_code")) {
		t.Fatalf("a wrong texted code's fix:\n%s", f.texts())
	}
	f.typeCode(code)
	f.waitFor("the number added", func() bool { return f.shows(tr("security.phone.added")) })
	f.tap("security.done")
	homeLoaded(f)
	masked := lang.LocalizeKey("home.phone_set", "", map[string]any{"Phone": "+86 138 **** 8000"})
	f.waitText(masked)

	f.tap("home.phone_remove")
	f.waitTop("security.phone.remove_title")
	f.golden("phone/remove.xml")
	f.typeIn("security.account_password", "not my password")
	f.tap("security.phone.remove")
	f.waitText(tr("error.wrong_password"))
	f.typeIn("security.account_password", testPassword)
	f.tap("security.phone.remove")
	f.waitFor("the number removed", func() bool { return f.shows(tr("security.phone.removed")) })
	if me, err := f.app.Me(context.Background()); err != nil || me.Phone != "" {
		t.Fatalf("me after removal: %+v %v", me, err)
	}
}

// TestSecurityPhoneChinese: in Chinese a number without +86 is Chinese.
func TestSecurityPhoneChinese(t *testing.T) {
	f := homeSignedIn(t, "phone-zh@example.com")
	f.setLanguage("zh_Hans")
	f.app.SetLanguage("zh_Hans")
	f.shell.Push(newAddPhone(f.shell))
	f.waitTop("security.phone.title")
	f.typeIn("security.phone.placeholder", "138 0013 8000")
	f.typeIn("security.account_password", testPassword)
	f.golden("phone/add_zh.xml")
	f.tap("security.phone.send")
	f.waitFor("the code step", func() bool { return f.hasButton("security.phone.verify") })
	f.typeCode(f.text("+8613800138000", 0))
	f.waitFor("the number added", func() bool { return f.shows(tr("security.phone.added")) })
	f.shell.Push(newRemovePhone(f.shell, "+86 138 **** 8000"))
	f.golden("phone/remove_zh.xml")
}

// TestPhoneCodeResend: the texted code's step counts down its expiry and
// the resend cooldown as a mailed code's; a resend texts a new code, which
// adds the number. A resend the server refuses as too many (429) waits
// out its Retry-After.
func TestPhoneCodeResend(t *testing.T) {
	f := homeSignedIn(t, "phone-resend@example.com", func(c *server.Config) { c.MailsPerDay = 3 })
	clock := f.useClock()
	const number = "+447400123456"
	change, err := f.app.AddPhone(context.Background(), "+44 7400 123456", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	f.text(number, 0)
	clock.freeze(change.SentAt)
	f.shell.Push(newPhoneCode(f.shell, change))
	f.waitTop("security.phone.title")
	left := func(key, d string) string { return lang.LocalizeKey(key, "", map[string]any{"Left": d}) }
	if !f.button("mailcode.resend").Disabled() || !f.shows(left("mailcode.resend_in", "1:00")) || !f.shows(left("mailcode.expires_in", "10:00")) {
		t.Fatalf("the code step has no countdowns, or offers resend at once:\n%s", f.texts())
	}
	f.golden("phone/check.xml")
	clock.freeze(change.SentAt.Add(61 * time.Second))
	f.srv.Clock.Advance(61 * time.Second)
	f.waitFor("resend enabled", func() bool { return !f.button("mailcode.resend").Disabled() })
	f.tap("mailcode.resend")
	f.waitFor("the resend", func() bool {
		_, busy := find(f, func(b *widget.ProgressBarInfinite) bool { return b.Running() })
		return !busy
	})
	if !f.shows(tr("mailcode.resent")) {
		t.Fatalf("after the resend:\n%s", f.texts())
	}
	second := f.text(number, 1)

	// The day's mails (the sign-up's and two texts) are spent: the
	// server's wait outlasts the cooldown.
	clock.freeze(change.SentAt.Add(61 * time.Second))
	f.srv.Clock.Advance(61 * time.Second)
	f.waitFor("resend enabled", func() bool { return !f.button("mailcode.resend").Disabled() })
	f.tap("mailcode.resend")
	f.waitText(tr("error.rate_limited"))
	if !f.button("mailcode.resend").Disabled() || f.shows(tr("mailcode.resend_now")) {
		t.Fatalf("a resend refused as too many is offered again at once:\n%s", f.texts())
	}
	// The wait is hours long: the box names when to try again, and does
	// not promise a retry by itself or count down seconds.
	later := strings.Split(lang.LocalizeKey("remedy.retry_later", "", map[string]any{"Until": "\x00"}), "\x00")[0]
	if !f.shows(later) || f.shows(tr("remedy.rate_limited")) || f.shows(strings.Split(plural("hint.retry_in", 12345), "12345")[0]) {
		t.Fatalf("a wait of hours:\n%s", f.texts())
	}
	f.typeCode(second)
	f.waitFor("the number added", func() bool { return f.shows(tr("security.phone.added")) })
}

// TestForgotBySMS: the reset mail does not arrive; the code sent by SMS
// to the account's phone instead opens the new password step.
func TestForgotBySMS(t *testing.T) {
	f := newFixture(t)
	clock := f.useClock()
	const email = "sms@example.org"
	f.register(email)
	_, owner := f.newApp()
	ctx := context.Background()
	if _, err := owner.SignIn(ctx, email, testPassword, false); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.AddPhone(ctx, "+44 7400 123456", testPassword); err != nil {
		t.Fatal(err)
	}
	if err := owner.VerifyPhone(ctx, f.text("+447400123456", 0)); err != nil {
		t.Fatal(err)
	}
	reset, err := f.app.StartPasswordReset(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	clock.freeze(reset.SentAt)
	f.shell.Push(newForgotCode(f.shell, reset))
	f.waitTop("forgot.title")
	// Under the resend cooldown, as resend.
	if !f.button("forgot.sms_send").Disabled() {
		t.Fatal("SMS is offered before the resend cooldown ended")
	}
	clock.freeze(reset.SentAt.Add(2 * time.Minute))
	f.waitFor("SMS offered", func() bool { return !f.button("forgot.sms_send").Disabled() })
	f.tap("forgot.sms_send")
	f.waitText(tr("forgot.sms_sent"))
	if !reset.BySMS {
		t.Fatal("the reset does not know its code went by SMS")
	}
	// The intro no longer says the code went by mail.
	if sms, mail := lang.LocalizeKey("forgot.code_sent_sms", "", map[string]any{"Email": email}),
		lang.LocalizeKey("forgot.code_sent", "", map[string]any{"Email": email}); !f.shows(sms) || f.shows(mail) {
		t.Fatalf("after the SMS:\n%s", f.texts())
	}
	f.typeCode(f.text("+447400123456", 1))
	f.waitFor("the new password step", func() bool { return f.hasButton("forgot.change") })
}

// TestMailboxShowsSMS shows a text message in the mailbox as one, to its
// number in the way of its country.
func TestMailboxShowsSMS(t *testing.T) {
	f := newFixture(t)
	msg := app.Mail{ID: "1", To: "+8613800138000", SMS: true,
		Text:   "【Sesame】您的重置密码验证码为 654321，10 分钟内有效。请勿告诉任何人，包括 Sesame 工作人员。",
		SentAt: time.Date(2026, 1, 15, 10, 30, 0, 0, time.Local)}
	f.win.SetContent(container.NewVScroll(mailCard(msg)))
	if !f.shows(tr("mailbox.sms")) || !f.shows("+86 138 0013 8000") || !strings.Contains(f.texts(), "654321") {
		t.Fatalf("the text message shows as:\n%s", f.texts())
	}
	f.golden("mailbox/sms.xml")
}
