package screens

import (
	"context"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// connCheck is the live list of the connection check: a progress bar while
// it runs, then a summary and the download button when the app is too old,
// a row per step as it finishes, "Run again" and "Copy report".
type connCheck struct {
	s *Shell
	v *view

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
	diag        *app.Diagnosis
	account     string
	downloadURL string
}

// newConnCheck builds the check's widgets for view v; Start runs it.
func newConnCheck(s *Shell, v *view) *connCheck {
	c := &connCheck{s: s, v: v}
	intro := paragraph(lang.LocalizeKey("check.intro", "", map[string]any{"Host": s.Host()}))
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
	c.copy = newIconButton(lang.L("check.copy_report"), theme.ContentCopyIcon(), c.copyReport)
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
	cfg := app.DiagnoseConfig{Server: c.s.App.Server(), Version: c.s.Opts.Version}
	a := c.s.App
	var (
		d       app.Diagnosis
		account string
	)
	c.s.Go(c.v, func(ctx context.Context) error {
		d = app.Diagnose(ctx, cfg, func(st app.Step) {
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
func (c *connCheck) finish(d app.Diagnosis, account string) {
	c.diag, c.account = &d, account
	warned := false
	var blocking *app.Step
	for i, st := range d.Steps {
		if st.Verdict == app.VerdictWarning || st.Verdict == app.VerdictProblem {
			warned = true
		}
		if blocking == nil && st.Blocks() {
			blocking = &d.Steps[i]
		}
	}
	switch {
	case blocking != nil:
		c.summary.SetText(lang.LocalizeKey("check.blocked", "", map[string]any{"Reason": stepTitle(*blocking)}))
		c.summary.Importance = widget.DangerImportance
	case warned:
		c.summary.SetText(lang.L("check.clear_warnings"))
		c.summary.Importance = widget.WarningImportance
	default:
		c.summary.SetText(lang.L("check.clear"))
		c.summary.Importance = widget.SuccessImportance
	}
	c.summary.Show()
	c.summary.Refresh()
	c.downloadURL = ""
	if st, ok := d.Step(app.StepVersion); ok && (st.Cause == app.CauseClientOutdated || st.Cause == app.CauseUpdateAvailable) {
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
	fyne.CurrentApp().Clipboard().SetContent(app.Report(*c.diag, c.s.LastErrors(), c.account))
	c.copied.Show()
}

// stepRow is one step: its verdict's icon, its name and figure, its title,
// the server's words and waits, and the fix under a problem or a warning.
func stepRow(st app.Step) fyne.CanvasObject {
	nameKey := "diag.step." + string(st.ID)
	name := &widget.TextSegment{Text: lang.L(nameKey), Style: widget.RichTextStyleStrong}
	name.Style.Inline = false
	text := newWrapRich(name)
	if fig := stepFigure(st); fig != "" {
		name.Style.Inline = true
		text.Segments = append(text.Segments, &widget.TextSegment{Text: "   " + fig,
			Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameText,
				TextStyle: fyne.TextStyle{Monospace: true}}})
	}
	para := func(s string, color fyne.ThemeColorName) {
		text.Segments = append(text.Segments, &widget.TextSegment{Text: s,
			Style: widget.RichTextStyle{ColorName: color, SizeName: theme.SizeNameText}})
	}
	para(stepTitle(st), theme.ColorNameForeground)
	for _, extra := range stepExtras(st) {
		para(extra, theme.ColorNameForeground)
	}
	if _, fixKey := st.Keys(); fixKey != "" && (st.Verdict == app.VerdictProblem || st.Verdict == app.VerdictWarning) {
		para(lang.LocalizeKey(fixKey, "", stepData(st)), verdictColors[st.Verdict])
	}
	icon := widget.NewIcon(verdictIcon(st.Verdict))
	// The icon sits beside the first line of the text.
	pad := theme.InnerPadding()
	iconBox := container.New(layout.NewCustomPaddedLayout(pad, 0, pad/2, pad/2), icon)
	return container.NewBorder(nil, nil, container.NewVBox(iconBox), nil, text)
}

var verdictColors = map[app.Verdict]fyne.ThemeColorName{
	app.VerdictWarning: theme.ColorNameWarning,
	app.VerdictProblem: theme.ColorNameError,
}

// verdictIcon marks a step's verdict.
func verdictIcon(v app.Verdict) fyne.Resource {
	switch v {
	case app.VerdictOK:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case app.VerdictWarning:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case app.VerdictProblem:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return theme.NewDisabledResource(theme.ContentRemoveIcon())
}

// stepData holds a step's Detail for its texts' templates, plus the day of
// a certificate's dates.
func stepData(st app.Step) map[string]any {
	data := map[string]any{}
	for k, v := range st.Detail {
		data[k] = v
	}
	for _, k := range []string{"not_after", "not_before"} {
		if t, err := time.Parse(time.RFC3339, st.Detail[k]); err == nil {
			data["day"] = t.UTC().Format("2006-01-02")
		}
	}
	return data
}

// stepTitle is the step's title in the user's language; a cause without
// a text of its own gets a generic one (the report names its code).
func stepTitle(st app.Step) string {
	if st.ID == app.StepNetwork && st.Cause == "" && st.Figure == "loopback" {
		return lang.L("check.ok.network_loopback")
	}
	fallback := lang.L("check.step_problem")
	if st.Cause == "" {
		fallback = lang.L("check.step_passed")
	}
	title, _ := st.Keys()
	return lang.LocalizeKey(title, fallback, stepData(st))
}

// stepFigure is what the step measured, in the user's language: figures
// that are only numbers and addresses are shown as they are, those in
// words are rebuilt from Detail, and those the title says already are
// left out.
func stepFigure(st app.Step) string {
	data := stepData(st)
	d := st.Detail
	switch st.ID {
	case app.StepNetwork:
		if st.Figure == "loopback" {
			return ""
		}
	case app.StepTLS:
		switch st.Cause {
		case "":
			if d["issuer"] == "" {
				return ""
			}
			return lang.LocalizeKey("check.figure.tls", "", data)
		case app.CauseTLSUnknownAuthority, app.CauseTLSWrongHost:
			if st.Cause == app.CauseTLSWrongHost && d["names"] != "" {
				return lang.LocalizeKey("check.figure.names", "", data)
			}
			if d["issuer"] != "" {
				return lang.LocalizeKey("check.figure.issuer", "", data)
			}
		case app.CauseTLSExpired:
			return lang.LocalizeKey("check.figure.expired", "", data)
		case app.CauseTLSNotYetValid:
			return lang.LocalizeKey("check.figure.not_before", "", data)
		case app.CauseTimeout:
			return limitFigure(st)
		}
		return ""
	case app.StepPortal:
		switch st.Cause {
		case app.CauseCaptivePortal:
			fig := "HTTP " + d["status"]
			if d["content_type"] != "" {
				fig += " " + d["content_type"]
			}
			if d["location"] != "" {
				fig += " → " + d["location"]
			}
			return fig
		case app.CauseInsecureRedirect:
			return lang.LocalizeKey("check.figure.redirect", "", data)
		case app.CauseTimeout:
			return limitFigure(st)
		}
		return ""
	case app.StepStatus:
		switch st.Cause {
		case app.CauseServerError:
			return "HTTP " + d["status"]
		case app.CauseStatusUnknown:
			return st.Figure
		}
		return ""
	case app.StepVersion:
		switch {
		case d["version"] == "" || d["min_version"] == "":
			return d["version"]
		case d["latest_version"] == "":
			return lang.LocalizeKey("check.figure.version_min", "", data)
		}
		return lang.LocalizeKey("check.figure.version", "", data)
	case app.StepKeychain:
		return ""
	case app.StepLatency, app.StepDNS:
		if st.Cause == app.CauseTimeout {
			return limitFigure(st)
		}
	}
	if st.Verdict == app.VerdictSkipped {
		return ""
	}
	return st.Figure
}

func limitFigure(st app.Step) string {
	if st.Detail["limit"] == "" {
		return ""
	}
	return lang.LocalizeKey("check.figure.limit", "", stepData(st))
}

// stepExtras are the server's own words and the waits it asks for.
func stepExtras(st app.Step) []string {
	d := st.Detail
	var out []string
	if d["message"] != "" {
		out = append(out, lang.LocalizeKey("hint.operator_message", "", map[string]any{"Message": d["message"]}))
	}
	if t, err := time.Parse(time.RFC3339, d["until"]); err == nil {
		out = append(out, lang.LocalizeKey("hint.maintenance_until", "", map[string]any{"Until": clock(t)}))
	}
	if n, err := strconv.Atoi(d["retry_after"]); err == nil && n > 0 && st.Cause != app.CauseMaintenance {
		out = append(out, lang.LocalizeKey("check.retry_after", "", map[string]any{"Left": duration(time.Duration(n) * time.Second)}))
	}
	return out
}
