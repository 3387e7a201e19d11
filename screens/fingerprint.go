package screens

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// doneFingerprint shows the saved wallet's fingerprint, to write next to
// the words.
func doneFingerprint(s *Shell) fyne.CanvasObject {
	box := container.NewVBox()
	if fp, ok := s.App.UnlockedFingerprint(); ok {
		box.Objects = append(fingerprintRow(fp), paragraph(lang.L("wallet_setup.fingerprint_help")))
	}
	return box
}

// restoreFingerprint shows the restored wallet's fingerprint in the
// preview, against the wallet it replaces, the one without the
// passphrase, and one the user wrote down.
func restoreFingerprint(p app.RestorePreview) fyne.CanvasObject {
	box := container.NewVBox(fingerprintRow(p.Fingerprint)...)
	warn := func(text string) {
		l := paragraph(text)
		l.Importance = widget.WarningImportance
		box.Add(l)
	}
	if !p.WithoutPassphrase.IsZero() {
		box.Add(paragraph(lang.LocalizeKey("wallet_restore.passphrase_fingerprint", "", map[string]any{"Fingerprint": p.WithoutPassphrase.String()})))
	}
	switch {
	case p.Replaces.IsZero():
	case p.Replaces == p.Fingerprint:
		box.Add(paragraph(lang.L("wallet_restore.same_wallet")))
	default:
		warn(lang.LocalizeKey("wallet_restore.other_wallet", "", map[string]any{"Fingerprint": p.Replaces.String()}))
	}
	if n := len(p.ImportedHere); n > 0 {
		warn(plural("wallet_restore.imported_lost", n))
	}
	typed := newEntry()
	typed.SetPlaceHolder("73c5da0a")
	// The verdict and, below it, what to do: two paragraphs, as a failure
	// shows them, since sentences join differently by language.
	verdict, fix := paragraph(""), paragraph("")
	verdict.Hide()
	fix.Hide()
	typed.OnChanged = func(text string) {
		err := app.CompareFingerprint(strings.TrimSpace(text), p.Fingerprint, !p.WithoutPassphrase.IsZero())
		fix.Hide()
		switch code := app.ErrorCode(err); {
		case strings.TrimSpace(text) == "":
			verdict.Hide()
			return
		case err == nil:
			verdict.SetText(lang.L("wallet_restore.fingerprint_matches"))
			verdict.Importance = widget.SuccessImportance
		default:
			verdict.SetText(lang.L("error." + string(code)))
			verdict.Importance = widget.MediumImportance
			if code == app.CodeFingerprintMismatch {
				verdict.Importance = widget.DangerImportance
			}
			fix.SetText(lang.L("remedy." + string(code)))
			fix.Show()
		}
		verdict.Show()
		verdict.Refresh()
	}
	box.Add(labelled(fieldRow{lang.L("wallet_restore.compare"), typed}))
	box.Add(verdict)
	box.Add(fix)
	return box
}
