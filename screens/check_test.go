package screens

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// runCheck opens "Can't sign in?" on the connection check and waits until
// the check has finished.
func (f *fixture) runCheck() {
	f.t.Helper()
	f.shell.Push(newCantSignIn(f.shell, true))
	f.waitTop("cantsignin.title")
	f.waitCheck()
}

// waitCheck waits until the check on screen has finished.
func (f *fixture) waitCheck() {
	f.t.Helper()
	f.waitFor("the end of the check", func() bool {
		return f.hasButton("check.copy_report") && !f.button("check.copy_report").Disabled()
	})
}

// blocked is the summary of a check blocked by the step titled titleKey.
func blocked(titleKey string, data map[string]any) string {
	return lang.LocalizeKey("check.blocked", "", map[string]any{"Reason": lang.LocalizeKey(titleKey, "", data)})
}

// connectTo switches the window's app to server, as settings do, and
// waits for the first screen.
func (f *fixture) connectTo(server string) {
	f.t.Helper()
	f.shell.Connect(f.local(f.appAt(server, "")))
	f.waitFor("the first screen", func() bool { return f.shell.Top() != tr("app.name") })
}

// TestCheckLocalServer checks the fixture's own server: plain HTTP on
// loopback skips the certificate, nothing blocks, and "Run again" runs it
// again without doubling the rows.
func TestCheckLocalServer(t *testing.T) {
	f := newFixture(t)
	f.runCheck()
	for _, key := range []string{"check.clear", "diag.cause.loopback", "diag.cause.plain_http_loopback",
		"diag.ok.dns", "diag.ok.tcp", "diag.ok.portal", "diag.ok.status", "diag.ok.version", "diag.ok.clock",
		"diag.ok.keychain", "diag.ok.latency", "check.report_about"} {
		if !f.shows(tr(key)) {
			t.Errorf("no %q on the check:\n%s", tr(key), f.texts())
		}
	}
	// The fix of a skipped step is not shown, nor a download.
	if f.shows(tr("diag.fix.plain_http_loopback")) || f.hasButton("action.download") {
		t.Errorf("a skipped step shows its fix, or a download is offered:\n%s", f.texts())
	}
	if !f.shows(lang.LocalizeKey("diag.figure.version", "", map[string]any{"version": "1.0.0", "min_version": "0.1.0", "latest_version": "0.1.0"})) {
		t.Errorf("no version figure:\n%s", f.texts())
	}
	f.tap("check.run_again")
	f.waitCheck()
	if n := strings.Count(f.texts(), tr("diag.step.latency")); n != 1 {
		t.Errorf("after Run again, the latency step shows %d times", n)
	}
	if !f.shows(tr("check.clear")) {
		t.Errorf("no summary after Run again:\n%s", f.texts())
	}
}

// TestCheckClosedPort checks a server that does not listen: the connection
// step is the problem with its fix, the steps after it are not run, and
// signing in is blocked.
func TestCheckClosedPort(t *testing.T) {
	f := newFixture(t)
	f.connectTo("http://127.0.0.1:1")
	f.runCheck()
	want := []string{blocked("diag.cause.connection_refused", nil), tr("diag.fix.connection_refused"),
		"127.0.0.1:1", tr("diag.cause.not_run"), tr("diag.ok.keychain"), tr("diag.cause.loopback")}
	for _, s := range want {
		if !f.shows(s) {
			t.Errorf("no %q on the check:\n%s", s, f.texts())
		}
	}
	if f.shows(tr("check.clear")) || f.hasButton("action.download") {
		t.Errorf("a blocked check says nothing blocks, or offers a download:\n%s", f.texts())
	}
	f.golden("cantsignin/check_closed_port.xml")
	// Esc leaves the check for the screen under it.
	f.esc()
	if f.shell.Top() == tr("cantsignin.title") {
		t.Error("Esc did not leave the check")
	}
}

// TestCheckClosedPortChinese is the golden of a finished check in 简体中文,
// on values that do not change: a closed port on 127.0.0.1.
func TestCheckClosedPortChinese(t *testing.T) {
	f := newFixture(t)
	f.setLanguage("zh_Hans")
	f.connectTo("http://127.0.0.1:1")
	f.runCheck()
	if !f.shows(blocked("diag.cause.connection_refused", nil)) {
		t.Fatalf("no blocked summary:\n%s", f.texts())
	}
	f.golden("cantsignin/check_closed_port_zh.xml")
}

// TestCheckMaintenance shows the operator's message and the end of the
// maintenance on the status row, and blocks signing in.
func TestCheckMaintenance(t *testing.T) {
	f := newFixture(t)
	until := f.srv.Clock.Now().Add(90 * 60e9)
	f.maintenance(store.Maintenance{On: true, Message: "Moving to a new data centre", Until: &until})
	f.runCheck()
	want := []string{blocked("diag.cause.maintenance", nil), tr("diag.fix.maintenance"),
		lang.LocalizeKey("diag.note.message", "", map[string]any{"message": "Moving to a new data centre"}),
		lang.LocalizeKey("diag.note.until", "", map[string]any{"until_time": until.Local().Format("2006-01-02 15:04 MST")})}
	for _, s := range want {
		if !f.shows(s) {
			t.Errorf("no %q on the check:\n%s", s, f.texts())
		}
	}
}

// TestCheckClientOutdated offers the download when the server needs a
// newer app, and opens its link.
func TestCheckClientOutdated(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.MinClientVersion, c.LatestClientVersion = "9.0.0", "9.0.0" })
	f.runCheck()
	want := []string{blocked("diag.cause.client_outdated", nil), tr("diag.fix.client_outdated"),
		lang.LocalizeKey("diag.figure.version", "", map[string]any{"version": "1.0.0", "min_version": "9.0.0", "latest_version": "9.0.0"})}
	for _, s := range want {
		if !f.shows(s) {
			t.Errorf("no %q on the check:\n%s", s, f.texts())
		}
	}
	f.tap("action.download")
	if len(f.opened) != 1 || f.opened[0] != f.srv.Config.DownloadURL {
		t.Fatalf("opened %q, want %q", f.opened, f.srv.Config.DownloadURL)
	}
}

// TestCheckUpdateAvailable warns of a newer version without blocking, and
// offers it.
func TestCheckUpdateAvailable(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.LatestClientVersion = "1.2.0" })
	f.runCheck()
	for _, s := range []string{tr("check.clear_warnings"), lang.LocalizeKey("diag.cause.update_available", "", map[string]any{"latest_version": "1.2.0"}),
		tr("diag.fix.update_available")} {
		if !f.shows(s) {
			t.Errorf("no %q on the check:\n%s", s, f.texts())
		}
	}
	f.tap("action.download")
	if len(f.opened) != 1 {
		t.Fatalf("opened %q", f.opened)
	}
}

// TestCheckReport copies the redacted report: the steps, the last error
// codes and the masked email, and none of the password typed into the
// sign-in form nor the mailed code typed before.
func TestCheckReport(t *testing.T) {
	f := newFixture(t)
	const email = "alice@example.org"
	const wrongPassword, wrongCode = "horse battery 481516", "902714"
	f.register(email)
	f.shell.Push(newSignIn(f.shell, nil))
	f.waitFor("the sign-in form", func() bool { return f.hasButton("signin.submit") })
	f.typeIn("field.email_placeholder", email)
	f.typeIn("signin.password", wrongPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.invalid_credentials"))
	ctx := context.Background()
	reset, err := f.app.StartPasswordReset(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := reset.Verify(ctx, wrongCode); err == nil {
		t.Fatal("a wrong code was taken")
	} else {
		f.shell.noteError(app.ErrorCode(err))
	}
	if _, err := f.app.SignIn(ctx, email, testPassword, false); err != nil {
		t.Fatal(err)
	}

	f.runCheck()
	if f.shows(tr("check.copied")) {
		t.Fatal("copied before Copy report")
	}
	f.tapCopy("check.copy_report")
	if !f.shows(tr("check.copied")) {
		t.Error("no word that the report was copied")
	}
	report := fyne.CurrentApp().Clipboard().Content()
	for _, s := range []string{"Sesame connection report", "App version: 1.0.0", "Blocks signing in: no",
		"ok       network", "skipped  tls       plain_http_loopback", "ok       latency",
		"Last errors: invalid_credentials, ", "Account: a***e@e***.org"} {
		if !strings.Contains(report, s) {
			t.Errorf("the report has no %q:\n%s", s, report)
		}
	}
	for _, secret := range []string{wrongPassword, "481516", wrongCode, testPassword, email} {
		if strings.Contains(report, secret) {
			t.Errorf("the report holds %q:\n%s", secret, report)
		}
	}
}

// TestCheckWrongServer names a web page that answers in the server's place
// on this computer, with what answered: no captive portal answers there.
func TestCheckWrongServer(t *testing.T) {
	f := newFixture(t)
	portal := testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>Accept the terms of the Wi-Fi</html>")
	}))
	f.connectTo(portal.URL)
	f.runCheck()
	for _, s := range []string{blocked("diag.cause.wrong_server", nil), tr("diag.fix.wrong_server"), "HTTP 200 text/html"} {
		if !f.shows(s) {
			t.Errorf("no %q on the check:\n%s", s, f.texts())
		}
	}
}

// TestCheckRateLimited warns of a server that asks to wait, with the wait,
// without blocking.
func TestCheckRateLimited(t *testing.T) {
	f := newFixture(t)
	busy := testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authapi.WriteProblem(w, &authapi.Problem{Status: http.StatusTooManyRequests, Code: authapi.CodeRateLimited, RetryAfterSeconds: authapi.Int(90)})
	}))
	f.connectTo(busy.URL)
	f.runCheck()
	for _, s := range []string{tr("check.clear_warnings"), tr("diag.cause.rate_limited"), tr("diag.fix.rate_limited"),
		lang.LocalizeKey("diag.note.retry_after", "", map[string]any{"retry_after": "90"})} {
		if !f.shows(s) {
			t.Errorf("no %q on the check:\n%s", s, f.texts())
		}
	}
}
