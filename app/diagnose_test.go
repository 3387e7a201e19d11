package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/app"
	"sesame/check"
	"sesame/internal/clocale"
	"sesame/internal/testserver"
	"sesame/keystore"
)

// diagVersion is the app version the checks run as; the reference server's
// default minimum and latest versions equal it.
const diagVersion = "0.1.0"

// diagDoctorOutput pins the schema of `sesame doctor --json`.
type diagDoctorOutput struct {
	Server     string    `json:"server"`
	AppVersion string    `json:"app_version"`
	OS         string    `json:"os"`
	Started    time.Time `json:"started"`
	Blocking   bool      `json:"blocking"`
	Steps      []struct {
		ID      string            `json:"id"`
		Verdict string            `json:"verdict"`
		Cause   string            `json:"cause"`
		Detail  map[string]string `json:"detail"`
		Title   string            `json:"title"`
		Figure  string            `json:"figure"`
		Notes   []string          `json:"notes"`
		Fix     string            `json:"fix"`
	} `json:"steps"`
}

// diagDoctor runs `sesame doctor` with args, in the environment's locale
// as main reads it, and returns its exit status and output.
func diagDoctor(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = app.Doctor(context.Background(), args, &out, &errb, diagVersion, "", clocale.Messages(os.Getenv))
	return code, out.String(), errb.String()
}

// english sets an English locale for Doctor.
func english(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "en_US.UTF-8")
}

// portalPage answers every request with a web page.
var portalPage = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte("<html>Sign in to the Wi-Fi</html>"))
})

func TestDoctorText(t *testing.T) {
	keystore.MockInit()
	english(t)
	h, _ := testserver.Behind(t, nil, nil)
	healthy := testserver.Serve(t, h).URL
	code, out, _ := diagDoctor(t, "--server", healthy)
	if code != 0 || !strings.HasPrefix(out, "Sesame 0.1.0 connection check of "+healthy+"\n") ||
		!strings.Contains(out, "✓ Network        The server is on this computer") ||
		!strings.Contains(out, "- Certificate    Plain HTTP on this computer") || !strings.Contains(out, "\nNothing blocks signing in.\n") {
		t.Errorf("healthy: %d\n%s", code, out)
	}
	if n := strings.Count(out, "\n"); n != 1+len(check.Steps)+1 {
		t.Errorf("%d lines:\n%s", n, out)
	}

	wrong := testserver.Serve(t, portalPage).URL
	code, out, _ = diagDoctor(t, "--server", wrong)
	if code != 1 || !strings.Contains(out, "✗ Answer         Another server answers at this address — HTTP 200 text/html\n") ||
		!strings.Contains(out, "\n    Check the server address, port and scheme") ||
		!strings.Contains(out, "Signing in is blocked. Cause: Another server answers at this address") {
		t.Errorf("a page on loopback: %d\n%s", code, out)
	}

	// The server comes from $SESAME_SERVER, else from main's default.
	t.Setenv("SESAME_SERVER", wrong)
	if code, out, _ := diagDoctor(t, "--json"); code != 1 || !strings.Contains(out, string(check.CauseWrongServer)) {
		t.Errorf("from $SESAME_SERVER: %d %s", code, out)
	}
	t.Setenv("SESAME_SERVER", "")
	var buf bytes.Buffer
	if code := app.Doctor(context.Background(), []string{"--json"}, &buf, io.Discard, diagVersion, healthy, "en"); code != 0 {
		t.Errorf("default server: %d %s", code, buf.String())
	}

	// The report for support, in English only; as JSON with --json.
	code, out, _ = diagDoctor(t, "--server", healthy, "--report")
	if code != 0 || !strings.HasPrefix(out, "Sesame connection report\n") || !strings.Contains(out, "Blocks signing in: no\n") ||
		strings.Count(out, "Sesame connection report") != 1 || strings.Contains(out, "✓") {
		t.Errorf("the report: %d\n%s", code, out)
	}
	var data app.ReportData
	code, out, _ = diagDoctor(t, "--server", healthy, "--report", "--json")
	if err := json.Unmarshal([]byte(out), &data); err != nil || code != 0 || len(data.Steps) != len(check.Steps) || data.AppVersion != diagVersion {
		t.Errorf("the report as JSON: %d %v\n%s", code, err, out)
	}
}

// TestDoctorChinese: a Chinese locale, however it is named, gets the check
// in 简体中文; the JSON keeps its ids and causes.
func TestDoctorChinese(t *testing.T) {
	keystore.MockInit()
	srv := testserver.Serve(t, portalPage).URL
	for _, env := range []map[string]string{
		{"LANG": "zh_CN.UTF-8"},
		{"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"},
		{"LC_MESSAGES": "zh_CN.GB18030", "LANG": "C.UTF-8"},
		{"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"},
	} {
		for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
			t.Setenv(k, env[k])
		}
		code, out, _ := diagDoctor(t, "--server", srv)
		if code != 1 || !strings.HasPrefix(out, "Sesame 0.1.0 连接检查：") || !strings.Contains(out, "✓ 网络           服务器就在这台电脑上") ||
			!strings.Contains(out, "✗ 响应来源       在此地址作答的是另一个服务器 — HTTP 200 text/html\n") ||
			!strings.Contains(out, "目前无法登录。原因：在此地址作答的是另一个服务器") {
			t.Errorf("%v: %d\n%s", env, code, out)
		}
		code, js, _ := diagDoctor(t, "--server", srv, "--json")
		var got diagDoctorOutput
		if err := json.Unmarshal([]byte(js), &got); err != nil || code != 1 {
			t.Fatalf("%v: %d %v", env, code, err)
		}
		if p := got.Steps[4]; p.ID != "portal" || p.Verdict != "problem" || p.Cause != "wrong_server" || p.Title != "在此地址作答的是另一个服务器" {
			t.Errorf("%v: portal %+v", env, p)
		}
		// The report for support: in Chinese, then in English for staff.
		code, report, _ := diagDoctor(t, "--server", srv, "--report")
		if code != 1 || !strings.HasPrefix(report, "Sesame 连接报告\n") || !strings.Contains(report, "妨碍登录：是\n") ||
			!strings.Contains(report, "problem  portal    wrong_server") || !strings.Contains(report, "— 在此地址作答的是另一个服务器\n") ||
			!strings.Contains(report, "\nSesame connection report\n") || !strings.Contains(report, "— Another server answers at this address\n") {
			t.Errorf("%v: the report: %d\n%s", env, code, report)
		}
	}
}

// TestDoctorJSON pins the schema: stable ids, verdicts, causes and
// details, and the texts of the screen.
func TestDoctorJSON(t *testing.T) {
	keystore.MockInit()
	english(t)
	h, _ := testserver.Behind(t, nil, nil)
	srv := testserver.Serve(t, h).URL
	code, stdout, stderr := diagDoctor(t, "--server", srv, "--json")
	var out diagDoctorOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 {
		t.Fatalf("%d %v: %q (stderr %q)", code, err, stdout, stderr)
	}
	if out.AppVersion != diagVersion || out.OS == "" || out.Started.IsZero() || out.Server != srv || out.Blocking || len(out.Steps) != len(check.Steps) {
		t.Errorf("header %+v", out)
	}
	for i, s := range out.Steps {
		if s.ID != string(check.Steps[i].ID) || s.Title == "" {
			t.Errorf("step %d: %+v", i, s)
		}
	}
	if s := out.Steps[0]; s.Verdict != "ok" || s.Cause != "loopback" || s.Title != "The server is on this computer: no network needed" {
		t.Errorf("network %+v", s)
	}
	if s := out.Steps[1]; s.Detail["address"] != "127.0.0.1" || s.Figure != "127.0.0.1" {
		t.Errorf("dns %+v", s)
	}
}

func TestDoctorUsage(t *testing.T) {
	t.Setenv("SESAME_SERVER", "")
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--bogus"}, 2, "flag provided but not defined"},
		{[]string{"--server", "https://auth.sesame.example", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--server", "ftp://auth.sesame.example"}, 2, "server address must be"},
		{[]string{"--server", "http://auth.sesame.example"}, 2, "plain http"},
		{[]string{}, 2, "no server"},
		{[]string{"--help"}, 0, "usage: sesame doctor"},
	}
	for _, tc := range cases {
		code, out, errs := diagDoctor(t, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.err) || out != "" {
			t.Errorf("%q: %d %q %q", tc.args, code, out, errs)
		}
	}
}

// TestCheckConfigTwoFactor: the check knows whether the signed-in account
// uses two-factor, and not knowing counts when signed out.
func TestCheckConfigTwoFactor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if cfg := f.app.CheckConfig(ctx, diagVersion); cfg.TwoFactor != check.TwoFactorUnknown || cfg.Server != f.url || cfg.Version != diagVersion {
		t.Fatalf("signed out: %+v", cfg)
	}
	f.register("erin@example.org", false)
	if cfg := f.app.CheckConfig(ctx, diagVersion); cfg.TwoFactor != check.TwoFactorOff {
		t.Fatalf("without two-factor: %v", cfg.TwoFactor)
	}
	en, err := f.app.StartTwoFactor(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now())
	if _, err := f.app.ConfirmTwoFactor(ctx, code); err != nil {
		t.Fatal(err)
	}
	if cfg := f.app.CheckConfig(ctx, diagVersion); cfg.TwoFactor != check.TwoFactorOn {
		t.Fatalf("with two-factor: %v", cfg.TwoFactor)
	}
}

// TestDoctorClock: a clock off by whole hours blocks signing in when the
// account's two-factor is not known, as in a terminal: exit status 1.
func TestDoctorClock(t *testing.T) {
	keystore.MockInit()
	english(t)
	var ts *testserver.Server
	h, ts := testserver.Behind(t, nil, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", ts.Clock.Now().UTC().Format(http.TimeFormat))
			next.ServeHTTP(w, r)
		})
	})
	ts.Clock.Advance(2*time.Hour + 10*time.Second)
	code, out, _ := diagDoctor(t, "--server", testserver.Serve(t, h).URL)
	if code != 1 || !strings.Contains(out, "✗ Clock          This computer's clock is +2 h off the server's: likely a time zone or dual-boot clock problem") ||
		!strings.Contains(out, "timedatectl set-local-rtc 0") {
		t.Errorf("%d\n%s", code, out)
	}
}
