package screens

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"sesame/server/store"
)

// TestRegisterFlow creates an account: the button waits for a valid form,
// then the mailed code activates the account and signs in, remembered.
func TestRegisterFlow(t *testing.T) {
	f := newFixture(t)
	const email = "new@example.org"
	f.shell.Push(newCreateAccount(f.shell, ""))
	if f.shell.Top() != tr("register.title") || !f.button("register.submit").Disabled() {
		t.Fatalf("empty form: top %q, create enabled", f.shell.Top())
	}
	f.typeIn("field.email_placeholder", email)
	f.typeIn("field.new_password", "short")
	f.typeIn("field.repeat_password", "short")
	if !f.button("register.submit").Disabled() || !f.shows(reasonText("too_short")) {
		t.Fatalf("weak password: %q", f.texts())
	}
	f.entry("field.new_password").SetText(testPassword)
	if !f.button("register.submit").Disabled() {
		t.Fatal("create is enabled with a mismatched confirmation")
	}
	f.entry("field.repeat_password").SetText(testPassword)
	f.entry("field.email_placeholder").SetText("no address")
	if !f.button("register.submit").Disabled() {
		t.Fatal("create is enabled with an invalid address")
	}
	f.entry("field.email_placeholder").SetText(email)
	test.Tap(f.check("signin.remember"))
	f.tap("register.submit")
	f.waitFor("the activation step", func() bool { return f.hasButton("verify.submit") })
	if f.shell.Top() != tr("verify.title") || !f.shows(email) || !f.shows(tr("mailcode.spam")) {
		t.Fatalf("verify step: %q", f.texts())
	}
	f.typeCode(f.code(email, "confirm", 0))
	f.waitFor("home, signed in", func() bool {
		return f.app.Account() == email && f.shell.Top() == tr("home.title") && !f.shell.back.Visible()
	})
	if got := f.app.RememberedAccount(t.Context()); got != email {
		t.Fatalf("remembered %q, want %q", got, email)
	}
}

// TestRegisterContainsEmail refuses a password holding the address, and
// follows a change of the address.
func TestRegisterContainsEmail(t *testing.T) {
	f := newFixture(t)
	f.shell.Push(newCreateAccount(f.shell, "carol.whitfield@example.org"))
	f.typeIn("field.new_password", "carol.whitfield@example.org!")
	f.typeIn("field.repeat_password", "carol.whitfield@example.org!")
	if !f.shows(reasonText("contains_email")) || !f.button("register.submit").Disabled() {
		t.Fatalf("password with the address: %q", f.texts())
	}
	f.entry("field.email_placeholder").SetText("dora.mills@example.org")
	if f.shows(reasonText("contains_email")) || f.button("register.submit").Disabled() {
		t.Fatalf("after changing the address: %q", f.texts())
	}
}

// TestRegisterExisting creates an account with the address of a verified
// one: the server answers as for a new address (a wrong code included)
// and mails the owner, and the app stays signed out.
func TestRegisterExisting(t *testing.T) {
	f := newFixture(t)
	const email = "taken@example.org"
	f.register(email)
	before := f.mails(email)
	f.shell.Push(newCreateAccount(f.shell, email))
	f.typeIn("field.new_password", "yet another phrase 3")
	f.typeIn("field.repeat_password", "yet another phrase 3")
	f.tap("register.submit")
	f.waitFor("the activation step", func() bool { return f.hasButton("verify.submit") })
	f.code(email, "tried", before)
	f.typeCode("123456")
	f.waitText(tr("error.invalid_code"))
	if !f.shows(plural("hint.attempts_left", 4)) || f.app.Account() != "" {
		t.Fatalf("existing account: %q", f.texts())
	}
	f.esc()
	if f.shell.Top() != tr("signin.title") {
		t.Fatalf("Esc from the activation goes to %q", f.shell.Top())
	}
}

// TestRegisterMaintenance shows the operator's message, never the
// server's own words.
func TestRegisterMaintenance(t *testing.T) {
	f := newFixture(t)
	until := time.Now().Add(time.Hour)
	f.maintenance(store.Maintenance{On: true, Message: "Back after the upgrade", Until: &until})
	f.shell.Push(newCreateAccount(f.shell, "late@example.org"))
	f.typeIn("field.new_password", testPassword)
	f.typeIn("field.repeat_password", testPassword)
	f.tap("register.submit")
	f.waitText(tr("error.maintenance"))
	f.waitText("Back after the upgrade")
	if f.shows("The server is in maintenance") || f.shell.Top() != tr("register.title") {
		t.Fatalf("maintenance: %q", f.texts())
	}
	f.esc()
	if f.shell.Top() != tr("signin.title") {
		t.Fatalf("Esc from create account goes to %q", f.shell.Top())
	}
}

// TestRegisterGolden renders the form in English and Chinese.
func TestRegisterGolden(t *testing.T) {
	f := newFixture(t)
	f.shell.Push(newCreateAccount(f.shell, ""))
	f.golden("register/empty.xml")
	f.typeIn("field.email_placeholder", "golden@example.org")
	f.typeIn("field.new_password", "golden")
	f.golden("register/weak.xml")
	f.entry("field.new_password").SetText(testPassword)
	f.typeIn("field.repeat_password", testPassword)
	if f.button("register.submit").Disabled() {
		t.Fatal("create is disabled with a valid form")
	}
	f.golden("register/valid.xml")

	f.setLanguage("zh_Hans")
	f.shell.Reset(newCreateAccount(f.shell, ""))
	f.golden("register/empty_zh.xml")
	f.typeIn("field.email_placeholder", "golden@example.org")
	f.typeIn("field.new_password", "golden")
	if !strings.Contains(f.texts(), reasonText("too_short")) {
		t.Fatalf("no reason in Chinese: %q", f.texts())
	}
	f.golden("register/weak_zh.xml")
}
