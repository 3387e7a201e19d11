package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"sesame/app"
	"sesame/authapi"
)

func TestSettingsRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := app.LoadSettings(dir)
	if err != nil || s != (app.Settings{}) {
		t.Fatalf("missing file: %+v %v", s, err)
	}
	want := app.Settings{Server: "https://auth.example.org", Language: "zh_Hans"}
	if err := app.SaveSettings(dir, want); err != nil {
		t.Fatal(err)
	}
	if got, err := app.LoadSettings(dir); err != nil || got != want {
		t.Fatalf("got %+v %v", got, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode %v %v", fi.Mode(), err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".settings-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestSettingsDamaged(t *testing.T) {
	dir := t.TempDir()
	for _, body := range []string{`{"server": "https://a`, `<html>`, `[1,2]`} {
		if err := os.WriteFile(filepath.Join(dir, app.SettingsFile), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := app.LoadSettings(dir)
		if !errors.Is(err, app.ErrBadSettings) || s != (app.Settings{}) {
			t.Errorf("%q: got %+v %v, want the defaults and ErrBadSettings", body, s, err)
		}
	}
}

func TestDataDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/srv/data")
	if d, _ := app.DataDir(); d != "/srv/data/sesame" {
		t.Fatalf("got %q", d)
	}
	t.Setenv("XDG_DATA_HOME", "relative")
	t.Setenv("HOME", "/home/ada")
	if d, _ := app.DataDir(); d != "/home/ada/.local/share/sesame" {
		t.Fatalf("a relative XDG_DATA_HOME must be ignored: got %q", d)
	}
}

// TestVersionMatchesFyneApp keeps the version the client sends equal to
// the packaged app's.
func TestVersionMatchesFyneApp(t *testing.T) {
	toml, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version = "([^"]+)"`).FindSubmatch(toml)
	if m == nil || string(m[1]) != authapi.DefaultClientVersion {
		t.Fatalf("FyneApp.toml Version %q, client version %q", m, authapi.DefaultClientVersion)
	}
}
