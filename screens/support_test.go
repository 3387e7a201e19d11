package screens

import (
	"context"
	"strings"
	"testing"
	"time"

	diag "sesame/check"
	"sesame/server/store"
)

// fixedReport makes the report of the support form the same on every
// run, for the goldens: the connection check itself is tested in check.
func fixedReport(t *testing.T) {
	prev := diagnose
	diagnose = func(context.Context, diag.Config, func(diag.Step)) diag.Diagnosis {
		return diag.Diagnosis{Server: "http://127.0.0.1", Started: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), AppVersion: "1.0.0", OS: "linux/amd64"}
	}
	t.Cleanup(func() { diagnose = prev })
}

// TestSupportLockedOut: from "Can't sign in?", a locked-out user proves
// her address with the mailed code, is refused a description that holds
// her recovery phrase with the reason, sends her request with the report
// she saw, gets its number and staff phrase, and reads the operator's
// reply under her requests.
func TestSupportLockedOut(t *testing.T) {
	fixedReport(t)
	f := newFixture(t)
	const email = "help@example.org"
	f.register(email)
	ctx := context.Background()
	for range 5 {
		f.app.SignIn(ctx, email, "a wrong password 1", false)
	}
	f.openTree()
	f.tap("cantsignin.choice.support")
	f.waitTop("support.title")
	if !f.shows(tr("support.staff_note")) {
		t.Fatalf("no statement of what staff ask:\n%s", f.texts())
	}
	f.golden("support/email.xml")
	f.typeIn("field.email_placeholder", email)
	n := f.mails(email)
	f.tap("support.send_code")
	f.waitFor("the code step", func() bool { return f.hasButton("mailcode.resend") })
	code := f.code(email, "support", n)
	f.typeCode(code)
	f.waitTop("support.requests.title")
	f.waitText(tr("support.requests.empty"))
	if f.hasButton("support.requests.refresh") {
		t.Fatal("with no request, the page offers to check for replies")
	}

	f.tap("support.requests.new")
	f.waitTop("support.form.title")
	f.waitText("Sesame connection report")
	settingsSelect(f, tr("support.topic.locked")).SetSelected(tr("support.topic.locked"))
	f.typeIn("support.description", "My phrase: legal winner thank year wave sausage worth useful legal winner thank yellow")
	f.golden("support/form.xml")
	f.tap("support.send")
	f.waitText(tr("support.secret.recovery_phrase"))
	if f.shell.Top() != tr("support.form.title") {
		t.Fatalf("a phrase was sent: %q", f.shell.Top())
	}
	desc := f.entry("support.description")
	desc.SetText("Locked out after a trip abroad.")
	f.tap("support.send")
	f.waitTop("support.sent.title")
	tickets, err := f.srv.Store.FindTickets(ctx, "", 10)
	if err != nil || len(tickets) != 1 || tickets[0].Email != email || !strings.Contains(tickets[0].Report, "Sesame connection report") {
		t.Fatalf("tickets %+v %v", tickets, err)
	}
	tk := tickets[0]
	if !f.shows(tk.Number) || !f.shows(tk.StaffPhrase) || !f.shows(tr("support.staff_note")) {
		t.Fatalf("the confirmation does not name the number and phrase:\n%s", f.texts())
	}

	if _, err := f.srv.Store.AnswerTicket(ctx, tk.Number, "Your account is unlocked.",
		store.AuditEntry{At: time.Now(), Operator: "root", Action: store.ActionTicketReply}); err != nil {
		t.Fatal(err)
	}
	f.tap("support.sent.requests")
	f.waitTop("support.requests.title")
	f.waitText("Your account is unlocked.")
	if !f.shows(tk.Number+" – "+tr("support.status.answered")) || !f.shows(tk.StaffPhrase) || !f.hasButton("support.requests.refresh") {
		t.Fatalf("the requests:\n%s", f.texts())
	}
}

// TestSupportSignedIn: signed in, the security centre leads to the
// requests at once, with no code.
func TestSupportSignedIn(t *testing.T) {
	fixedReport(t)
	f := newFixture(t)
	f.register("in@example.org")
	if _, err := f.app.SignIn(context.Background(), "in@example.org", testPassword, false); err != nil {
		t.Fatal(err)
	}
	f.shell.Push(newSupport(f.shell, ""))
	f.waitTop("support.requests.title")
	f.waitText(tr("support.requests.empty"))
	f.tap("support.requests.new")
	f.waitTop("support.form.title")
	f.waitText("Sesame connection report")
	settingsSelect(f, tr("support.topic.wallet")).SetSelected(tr("support.topic.wallet"))
	f.typeIn("support.description", "The wallet does not open.")
	f.tap("support.send")
	f.waitTop("support.sent.title")
}

// TestSupportChinese renders the first step and the form in Chinese.
func TestSupportChinese(t *testing.T) {
	fixedReport(t)
	f := newFixture(t)
	f.setLanguage("zh_Hans")
	f.shell.Push(newSupport(f.shell, "zh@example.org"))
	f.waitTop("support.title")
	f.golden("support/email_zh.xml")
	f.shell.Push(newSupportForm(f.shell, nil))
	f.waitTop("support.form.title")
	f.waitText("Sesame 连接报告")
	f.golden("support/form_zh.xml")
}
