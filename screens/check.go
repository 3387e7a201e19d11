package screens

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	diag "sesame/check"
)

// connCheck is the live list of the connection check: a progress bar while
// it runs, then a summary and the download button when the app is too old,
// a row per step as it finishes, "Run again" and "Copy report".
type connCheck struct {
	s *Shell
	v *view
	// a is the app whose server is checked.
	a *app.App

	obj      fyne.CanvasObject
	rows     *fyne.Container
	bar      *widget.ProgressBarInfinite
	summary  *wrapLabel
	download *button
	again    *button
	copy     *button
	copied   *wrapLabel

	// run counts the checks started; rows of an older run are dropped.
	run     int
	running bool
	// diag and account are the last finished check, for the report.
	diag        *diag.Diagnosis
	account     string
	downloadURL string
}

// newConnCheck builds the check of a's server for view v; Start runs it.
func newConnCheck(s *Shell, v *view, a *app.App) *connCheck {
	c := &connCheck{s: s, v: v, a: a}
	intro := paragraph(lang.LocalizeKey("check.intro", "", map[string]any{"Host": hostName(a.Server())}))
	c.rows = container.NewVBox()
	c.bar = widget.NewProgressBarInfinite()
	c.bar.Stop()
	c.bar.Hide()
	c.summary = paragraph("")
	c.summary.TextStyle.Bold = true
	c.summary.Hide()
	c.download = newIconButton(lang.L("action.download"), theme.DownloadIcon(), func() {
		if c.downloadURL != "" {
			s.OpenURL(c.downloadURL)
		}
	})
	c.download.Importance = widget.HighImportance
	c.download.Hide()
	c.again = newIconButton(lang.L("check.run_again"), theme.ViewRefreshIcon(), c.Start)
	c.copy = newCopyButton(lang.L("check.copy_report"), c.copyReport)
	c.copy.Disable()
	c.copied = paragraph(lang.L("check.copied"))
	c.copied.Importance = widget.SuccessImportance
	c.copied.Hide()
	about := paragraph(lang.L("check.report_about"))
	about.SizeName = theme.SizeNameCaptionText
	c.obj = container.NewVBox(intro, c.bar, c.summary, c.download, c.rows,
		container.NewGridWithColumns(2, c.again, c.copy), about, c.copied)
	closeAlso(v, c.bar.Stop)
	return c
}

// Object is the check's list, summary and buttons.
func (c *connCheck) Object() fyne.CanvasObject { return c.obj }

// Start runs the check off the UI thread; its rows appear as its steps
// finish. It does nothing while a check runs.
func (c *connCheck) Start() {
	if c.running {
		return
	}
	c.run++
	run := c.run
	c.running = true
	c.diag = nil
	c.rows.Objects = nil
	c.rows.Refresh()
	c.summary.Hide()
	c.download.Hide()
	c.copied.Hide()
	c.again.Disable()
	c.copy.Disable()
	c.bar.Show()
	c.bar.Start()
	a, version := c.a, c.s.Opts.Version
	var (
		d       diag.Diagnosis
		account string
	)
	c.s.Go(c.v, func(ctx context.Context) error {
		d = diag.Run(ctx, a.CheckConfig(ctx, version), func(st diag.Step) {
			uiDo(func() {
				if ctx.Err() != nil || c.run != run {
					return
				}
				c.rows.Add(stepRow(st))
			})
		})
		// The report names the account, masked: the signed-in one, else
		// the one remembered on this computer (a keychain call).
		account = a.Account()
		if account == "" {
			account = a.RememberedAccount(ctx)
		}
		return nil
	}, func(error) { c.finish(d, account) })
}

// finish shows the summary of a finished check.
func (c *connCheck) finish(d diag.Diagnosis, account string) {
	c.diag, c.account = &d, account
	c.summary.SetText(app.Summary(d, diagText))
	switch {
	case d.Blocking():
		c.summary.Importance = widget.DangerImportance
	case slices.ContainsFunc(d.Steps, func(st diag.Step) bool { return st.Verdict != diag.VerdictOK && st.Verdict != diag.VerdictSkipped }):
		c.summary.Importance = widget.WarningImportance
	default:
		c.summary.Importance = widget.SuccessImportance
	}
	c.summary.Show()
	c.summary.Refresh()
	c.downloadURL = ""
	if st, ok := d.Step(diag.StepVersion); ok && (st.Cause == diag.CauseClientOutdated || st.Cause == diag.CauseUpdateAvailable) {
		c.downloadURL = st.Detail["download_url"]
	}
	if c.downloadURL != "" {
		c.download.Show()
	}
	c.bar.Stop()
	c.bar.Hide()
	c.running = false
	c.again.Enable()
	c.copy.Enable()
}

// copyReport puts the redacted report of the last check on the clipboard.
func (c *connCheck) copyReport() {
	if c.diag == nil {
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(app.Report(*c.diag, c.s.LastErrors(), c.account, diagText))
	c.copied.Show()
}

// diagText is the connection check's texts in the app's language.
func diagText(key string, data map[string]any) string { return lang.LocalizeKey(key, "", data) }

// stepRow is one step: its verdict's icon, its name and figure, its title,
// the server's words and waits, and the fix under a problem or a warning.
func stepRow(st diag.Step) fyne.CanvasObject {
	t := st.Text(diagText)
	name := &widget.TextSegment{Text: t.Name, Style: widget.RichTextStyleStrong}
	name.Style.Inline = false
	text := newWrapRich(name)
	if t.Figure != "" {
		name.Style.Inline = true
		text.Segments = append(text.Segments, &widget.TextSegment{Text: "   " + t.Figure,
			Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameText,
				TextStyle: fyne.TextStyle{Monospace: true}}})
	}
	para := func(s string, color fyne.ThemeColorName) {
		text.Segments = append(text.Segments, &widget.TextSegment{Text: s,
			Style: widget.RichTextStyle{ColorName: color, SizeName: theme.SizeNameText}})
	}
	para(t.Title, theme.ColorNameForeground)
	for _, note := range t.Notes {
		para(note, theme.ColorNameForeground)
	}
	if t.Fix != "" {
		para(t.Fix, verdictColors[st.Verdict])
	}
	icon := widget.NewIcon(verdictIcon(st.Verdict))
	// The icon sits beside the first line of the text.
	pad := theme.InnerPadding()
	iconBox := container.New(layout.NewCustomPaddedLayout(pad, 0, pad/2, pad/2), icon)
	return container.NewBorder(nil, nil, container.NewVBox(iconBox), nil, text)
}

var verdictColors = map[diag.Verdict]fyne.ThemeColorName{
	diag.VerdictWarning: theme.ColorNameWarning,
	diag.VerdictProblem: theme.ColorNameError,
}

// verdictIcon marks a step's verdict.
func verdictIcon(v diag.Verdict) fyne.Resource {
	switch v {
	case diag.VerdictOK:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case diag.VerdictWarning:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case diag.VerdictProblem:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return theme.NewDisabledResource(theme.ContentRemoveIcon())
}
