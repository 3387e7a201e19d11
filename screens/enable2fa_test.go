package screens

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/internal/testserver"
	"sesame/server"
)

// enrolSignIn registers email and signs the fixture's app in with it.
func enrolSignIn(f *fixture, email string) {
	f.t.Helper()
	f.register(email)
	if _, err := f.app.SignIn(context.Background(), email, testPassword, false); err != nil {
		f.t.Fatal(err)
	}
}

// enrolPassword types the account password into the first step of turning
// two-factor on, and continues.
func enrolPassword(f *fixture) {
	f.t.Helper()
	f.typeIn("security.account_password", testPassword)
	f.tap("enable2fa.continue")
}

// trHead is the text of a template key up to its first field.
func trHead(key string) string {
	return strings.Split(tr(key), "<no value>")[0]
}

var groupedKeyRE = regexp.MustCompile(`^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$`)

// enrolKey waits for the key shown in groups and returns it without spaces.
func enrolKey(f *fixture) string {
	f.t.Helper()
	var key string
	f.waitFor("the two-factor key", func() bool {
		for _, o := range f.objects() {
			if l, ok := o.(*widget.Label); ok && l.TextStyle.Monospace && groupedKeyRE.MatchString(l.Text) {
				if l.Selectable {
					f.t.Fatal("the key can be selected: a copy would bypass the clearing")
				}
				key = strings.ReplaceAll(l.Text, " ", "")
				return true
			}
		}
		return false
	})
	return key
}

// enrolQR finds the QR code's image, or nil.
func enrolQR(f *fixture) *canvas.Image {
	img, _ := find(f, func(img *canvas.Image) bool {
		return img.Resource != nil && img.Resource.Name() == "two-factor-qr.png"
	})
	return img
}

var recoveryCodeRE = regexp.MustCompile(`^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$`)

// enrolShownCodes are the recovery codes on screen.
func enrolShownCodes(f *fixture) []string {
	var codes []string
	for _, o := range f.objects() {
		if l, ok := o.(*widget.Label); ok && l.TextStyle.Monospace && recoveryCodeRE.MatchString(l.Text) {
			if l.Selectable {
				f.t.Fatalf("code %s can be selected: a copy would bypass the clearing", l.Text)
			}
			codes = append(codes, l.Text)
		}
	}
	return codes
}

// TestEnableTwoFactor turns two-factor on: the QR code and the grouped
// key, a wrong code, the right one, the 10 recovery codes with copy, save
// and the tick before Finish, then home; a second start is refused.
func TestEnableTwoFactor(t *testing.T) {
	f := newFixture(t)
	const email = "enrol@example.org"
	enrolSignIn(f, email)
	f.shell.Push(newEnableTwoFactor(f.shell))
	f.waitTop("enable2fa.title")
	if !f.button("enable2fa.continue").Disabled() {
		t.Fatal("Continue is enabled with no password")
	}
	enrolPassword(f)
	secret := enrolKey(f)
	if f.shows(tr("enable2fa.password_intro")) {
		t.Fatal("the password step is still shown beside the key")
	}
	qr := enrolQR(f)
	if qr == nil || qr.MinSize().Width < 150 || qr.FillMode != canvas.ImageFillContain {
		t.Fatalf("QR image %+v", qr)
	}
	if _, err := png.Decode(bytes.NewReader(qr.Resource.Content())); err != nil {
		t.Fatalf("the QR code is not a PNG: %v", err)
	}
	if want := lang.LocalizeKey("enable2fa.account", "", map[string]any{"Account": email, "Issuer": "Sesame"}); !f.shows(want) {
		t.Fatalf("no %q in\n%s", want, f.texts())
	}
	if f.shows(trHead("challenge.clock_ahead")) {
		t.Fatal("a clock warning with a right clock")
	}
	// Copy key: the key without spaces, cleared 30 s later.
	f.tapCopy("enable2fa.copy_key")
	cb := fyne.CurrentApp().Clipboard()
	if cb.Content() != secret || !f.shows(plural("enable2fa.key_copied", 30)) ||
		len(f.clearings) != 1 || f.clearings[0].d != 30*time.Second {
		t.Fatalf("clipboard %q, clearings %v", cb.Content(), f.clearings)
	}
	f.clearings[0].fn()
	if cb.Content() != "" {
		t.Fatalf("the clipboard kept the key: %q", cb.Content())
	}
	f.clearings = nil
	if !f.button("enable2fa.submit").Disabled() {
		t.Fatal("Turn on is enabled with no code")
	}
	f.typeCode("12345")
	if !f.button("enable2fa.submit").Disabled() {
		t.Fatal("Turn on is enabled with 5 digits")
	}
	f.codeEntry().SetText("")

	f.typeCode(wrongTOTP(t, secret))
	f.waitText(tr("error.invalid_two_factor_code"))
	if !f.shows(tr("remedy.invalid_two_factor_code")) || f.codeEntry().Text != "" {
		t.Fatalf("after a wrong code: field %q\n%s", f.codeEntry().Text, f.texts())
	}

	f.typeCode(totpCode(t, secret, time.Now()))
	f.waitTop("enable2fa.codes_title")
	codes := enrolShownCodes(f)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown: %v", len(codes), codes)
	}
	if f.shell.back.Visible() || !f.shell.settings.Disabled() {
		t.Fatal("the codes can be left with back or settings")
	}
	if me, err := f.app.Me(context.Background()); err != nil || !me.TwoFactorEnabled || me.RecoveryCodesLeft != 10 {
		t.Fatalf("me %+v %v", me, err)
	}

	// Copy, and the clearing 30 s later.
	f.tapCopy("recovery_codes.copy")
	if cb.Content() != strings.Join(codes, "\n") || !f.shows(plural("recovery_codes.copied", 30)) ||
		len(f.clearings) != 1 || f.clearings[0].d != 30*time.Second {
		t.Fatalf("clipboard %q, clearings %v", cb.Content(), f.clearings)
	}
	f.clearings[0].fn()
	if cb.Content() != "" {
		t.Fatalf("the clipboard kept %q", cb.Content())
	}
	f.tapCopy("recovery_codes.copy")
	cb.SetContent("something else")
	f.clearings[1].fn()
	if cb.Content() != "something else" {
		t.Fatalf("the clearing took what was copied after: %q", cb.Content())
	}

	// Save opens the file dialog.
	f.tap("recovery_codes.save")
	if top := f.win.Canvas().Overlays().Top(); top == nil {
		t.Fatal("no file dialog")
	} else {
		top.Hide()
		f.win.Canvas().Overlays().Remove(top)
	}

	if !f.button("enable2fa.finish").Disabled() {
		t.Fatal("Finish is enabled before the tick")
	}
	test.Tap(f.check("recovery_codes.saved_check"))
	if f.shell.settings.Disabled() {
		t.Fatal("settings stay disabled after the tick")
	}
	f.tap("enable2fa.finish")
	f.waitTop("home.title")

	f.shell.Push(newEnableTwoFactor(f.shell))
	enrolPassword(f)
	f.waitText(tr("error.two_factor_already_enabled"))
	if !f.shows(tr("remedy.two_factor_already_enabled")) || enrolQR(f) != nil {
		t.Fatalf("second start:\n%s", f.texts())
	}
}

// TestEnableTwoFactorNotPending: the pending key is gone on the server (it
// was turned on and off elsewhere); the screen offers to start again.
func TestEnableTwoFactorNotPending(t *testing.T) {
	f := newFixture(t)
	const email = "pending@example.org"
	enrolSignIn(f, email)
	f.shell.Push(newEnableTwoFactor(f.shell))
	enrolPassword(f)
	secret := enrolKey(f)
	ctx := context.Background()
	acct, err := f.srv.Store.AccountByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Store.SetPendingTOTP(ctx, acct.ID, ""); err != nil {
		t.Fatal(err)
	}
	f.typeCode(totpCode(t, secret, time.Now()))
	f.waitText(tr("error.two_factor_not_pending"))
	if !f.shows(tr("remedy.two_factor_not_pending")) {
		t.Fatalf("no remedy:\n%s", f.texts())
	}
	f.tap("enable2fa.restart")
	f.waitTop("enable2fa.title")
	enrolPassword(f)
	if again := enrolKey(f); again == secret {
		t.Fatal("the same key after starting again")
	}
}

// TestEnableTwoFactorRateLimited: too many codes in a row are refused with
// the wait.
func TestEnableTwoFactorRateLimited(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.RateAccount = server.Rate{PerMinute: 1, Burst: 2} })
	const email = "busy@example.org"
	enrolSignIn(f, email)
	f.shell.Push(newEnableTwoFactor(f.shell))
	enrolPassword(f)
	secret := enrolKey(f)
	wrong := wrongTOTP(t, secret)
	for range 2 {
		f.typeCode(wrong)
		f.waitText(tr("error.invalid_two_factor_code"))
	}
	f.typeCode(wrong)
	f.waitText(tr("error.rate_limited"))
	if !f.shows(strings.Split(plural("hint.retry_in", 12345), "12345")[0]) || !f.hasButton("action.retry_now") {
		t.Fatalf("no wait shown:\n%s", f.texts())
	}
	if f.codeEntry().Text != wrong {
		t.Fatal("the code to send again was cleared")
	}
}

// TestEnableTwoFactorClockWarning: a server whose clock is 2 minutes ahead
// gets the warning with the offset.
func TestEnableTwoFactorClockWarning(t *testing.T) {
	f := newFixture(t)
	const email = "clock@example.org"
	f.register(email)
	ahead := testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat))
		f.srv.Handler.ServeHTTP(w, r)
	}))
	a := f.appAt(ahead.URL, "")
	if _, err := a.SignIn(context.Background(), email, testPassword, false); err != nil {
		t.Fatal(err)
	}
	f.shell.App = a
	f.shell.Push(newEnableTwoFactor(f.shell))
	enrolPassword(f)
	enrolKey(f)
	f.waitText(trHead("challenge.clock_behind"))
	if !f.shows(offsetText(2*time.Minute)) && !f.shows(offsetText(2*time.Minute-time.Second)) {
		t.Fatalf("no offset of 2 minutes:\n%s", f.texts())
	}
}

// TestSaveRecoveryCodes writes the codes the way the save dialog does
// (for key files too), over a file Fyne created, and leaves it readable
// by its owner only.
func TestSaveRecoveryCodes(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), recoveryCodesFile)
	if err := os.WriteFile(path, []byte("an older and longer file content"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	const text = "AAAA-BBBB-CCCC\nDDDD-EEEE-FFFF\n"
	if err := writeChosenFile(w, []byte(text)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || string(data) != text {
		t.Fatalf("mode %v, content %q", fi.Mode().Perm(), data)
	}
	if err := writeChosenFile(&failingWriter{uri: storage.NewFileURI(filepath.Join(t.TempDir(), "gone", "x.txt"))}, []byte(text)); err == nil {
		t.Fatal("no error for a folder that does not exist")
	}
}

// failingWriter is a URIWriteCloser for a file that cannot be written.
type failingWriter struct{ uri fyne.URI }

func (w *failingWriter) URI() fyne.URI               { return w.uri }
func (w *failingWriter) Write(p []byte) (int, error) { return 0, os.ErrPermission }
func (w *failingWriter) Close() error                { return nil }

// enrolFixed is an enrolment with a fixed key, for the goldens.
func enrolFixed(t *testing.T) *app.Enrolment {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 21, 21))); err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	return &app.Enrolment{
		Secret: secret, GroupedSecret: app.Group(secret, 4),
		URI: "otpauth://totp/Sesame:golden@example.org?algorithm=SHA1&digits=6&issuer=Sesame&period=30&secret=" + secret,
		QR:  b.Bytes(),
	}
}

var enrolFixedCodes = []string{"AB12-CD34-EF56", "GH78-JK90-LM12", "NP34-QR56-ST78", "UV90-WX12-YZ34", "A1B2-C3D4-E5F6",
	"G7H8-J9K1-L2M3", "N4P5-Q6R7-S8T9", "U1V2-W3X4-Y5Z6", "7A8B-9C1D-2E3F", "4G5H-6J7K-8L9M"}

// TestEnableTwoFactorGoldens renders the password and key steps in
// English and Chinese and the recovery codes in English, with fixed keys
// and codes.
func TestEnableTwoFactorGoldens(t *testing.T) {
	f := newFixture(t)
	e := newEnrolment(f.shell)
	f.shell.Push(e.v)
	f.golden("enable2fa/password.xml")
	e.show(enrolFixed(t))
	f.golden("enable2fa/key.xml")

	f.shell.Reset(newEnrolmentCodes(f.shell, enrolFixedCodes))
	f.golden("enable2fa/codes.xml")

	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	e = newEnrolment(f.shell)
	f.shell.Push(e.v)
	f.golden("enable2fa/password_zh_Hans.xml")
	e.show(enrolFixed(t))
	if !f.shows("开启双重验证") {
		t.Fatalf("not in Chinese:\n%s", f.texts())
	}
	f.golden("enable2fa/key_zh_Hans.xml")
}
