package screens

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/wallet"
)

// Home's parts for the wallet's fingerprint, the backup drills and the
// security checks.

// fingerprintRow shows a wallet's fingerprint, selectable, or nothing when
// it is not known.
func fingerprintRow(fp wallet.Fingerprint) []fyne.CanvasObject {
	if fp.IsZero() {
		return nil
	}
	label := widget.NewLabel(lang.L("wallet.fingerprint"))
	label.Importance = widget.LowImportance
	value := widget.NewLabelWithStyle(fp.String(), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	value.Selectable = true
	return []fyne.CanvasObject{container.NewHBox(label, value)}
}

// drillReminder asks to check the backup when a drill is due.
func drillReminder(s *Shell, d app.DrillStatus) []fyne.CanvasObject {
	if !d.Due {
		return nil
	}
	ask := paragraph(lang.L("home.drill_due"))
	ask.Importance = widget.WarningImportance
	start := newIconButton(lang.L("home.drill_start"), theme.ConfirmIcon(), func() { s.Push(newBackupDrill(s)) })
	start.Importance = widget.HighImportance
	return []fyne.CanvasObject{ask, start}
}

// daysSince is the whole days from t to now.
func daysSince(t, now time.Time) int { return max(0, int(now.Sub(t)/(24*time.Hour))) }

// drillText says when the recovery phrase was last checked: by a drill,
// else when the wallet was saved (after the backup quiz, or typed in by a
// restore); "today" within the first day.
func drillText(d app.DrillStatus, now time.Time) string {
	last := d.Checked
	if last.IsZero() {
		last = d.Since
	}
	if days := daysSince(last, now); days > 0 {
		return plural("home.drill_checked", days)
	}
	return lang.L("home.drill_checked_today")
}

// codesLastUsed says when a recovery code was last used, "" when none was.
func codesLastUsed(me *app.Me) string {
	if me.RecoveryCodeLastUsed == nil {
		return ""
	}
	return lang.LocalizeKey("home.codes_last_used", "", map[string]any{"When": clock(*me.RecoveryCodeLastUsed)})
}
