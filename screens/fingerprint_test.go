package screens

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
)

// The restore preview names the restored wallet's fingerprint, says that
// it is not the wallet here, and compares it with the one written down;
// the saved wallet's fingerprint is shown to write next to the words.
func TestWalletRestoreFingerprint(t *testing.T) {
	f := newFixture(t)
	here, err := f.app.ParsePhrase("legal winner thank year wave sausage worth useful legal winner thank yellow")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.RestoreWallet(context.Background(), here, "", "wallet pw 1", "wallet pw 1", false); err != nil {
		t.Fatal(err)
	}
	f.app.LockWallet()
	r := openRestore(f)
	pasteInto(f, r, 1, "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	f.tap("wallet_restore.preview")
	f.waitText(tr("wallet_restore.preview_heading"))
	other := lang.LocalizeKey("wallet_restore.other_wallet", "", map[string]any{"Fingerprint": "b8688df1"})
	if !f.shows("73c5da0a") || !f.shows(other) {
		t.Fatalf("preview:\n%s", f.texts())
	}
	compare := must(f, "the fingerprint field", func(e *entry) bool { return e.PlaceHolder == "73c5da0a" })
	// The verdict and the remedy are paragraphs of their own: joined with
	// a space, Chinese sentences read "。 ".
	line := func(s string) bool { return strings.Contains("\n"+f.texts(), "\n"+s+"\n") }
	for _, c := range []struct{ typed, want, fix string }{
		{"73C5DA0A", tr("wallet_restore.fingerprint_matches"), ""},
		{"b8688df1", tr("error.fingerprint_mismatch"), tr("remedy.fingerprint_mismatch")},
		{"73c5", tr("error.fingerprint_invalid"), tr("remedy.fingerprint_invalid")},
	} {
		compare.SetText("")
		f.win.Canvas().Focus(compare)
		test.Type(compare, c.typed)
		if !line(c.want) || (c.fix != "" && !line(c.fix)) {
			t.Fatalf("typed %q: no line %q then %q:\n%s", c.typed, c.want, c.fix, f.texts())
		}
	}
	test.Tap(f.check("wallet_setup.overwrite_confirm"))
	f.tap("wallet_restore.continue")
	f.typeIn("field.new_password", "wallet pw 1234")
	f.typeIn("field.repeat_password", "wallet pw 1234")
	f.tap("wallet_restore.save")
	f.waitText(tr("wallet_restore.done_heading"))
	if !f.shows("73c5da0a") || !f.shows(tr("wallet_setup.fingerprint_help")) {
		t.Fatalf("done:\n%s", f.texts())
	}
}
