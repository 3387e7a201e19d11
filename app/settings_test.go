package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
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
	if d, _ := app.DataDir(); runtime.GOOS == "linux" && d != "/srv/data/sesame" {
		t.Fatalf("got %q", d)
	}
}

// The data folder of each system, from its environment and home folder.
func TestDataDirOn(t *testing.T) {
	abs := t.TempDir() // absolute on the system running the test
	home := func() (string, error) { return filepath.Join(abs, "home"), nil }
	noHome := func() (string, error) { return "", errors.New("$HOME is not defined") }
	for _, c := range []struct {
		goos string
		env  map[string]string
		home func() (string, error)
		want string // "" for ErrNoDataDir
	}{
		{"linux", map[string]string{"XDG_DATA_HOME": filepath.Join(abs, "xdg")}, home, filepath.Join(abs, "xdg", "sesame")},
		{"linux", map[string]string{"XDG_DATA_HOME": "relative"}, home, filepath.Join(abs, "home", ".local", "share", "sesame")},
		{"linux", nil, home, filepath.Join(abs, "home", ".local", "share", "sesame")},
		{"freebsd", nil, home, filepath.Join(abs, "home", ".local", "share", "sesame")},
		{"linux", nil, noHome, ""},
		{"windows", map[string]string{"LOCALAPPDATA": filepath.Join(abs, "Local"), "APPDATA": filepath.Join(abs, "Roaming"), "XDG_DATA_HOME": filepath.Join(abs, "xdg")}, home, filepath.Join(abs, "Local", "Sesame")},
		{"windows", map[string]string{"APPDATA": filepath.Join(abs, "Roaming")}, home, ""},
		{"darwin", map[string]string{"XDG_DATA_HOME": filepath.Join(abs, "xdg")}, home, filepath.Join(abs, "home", "Library", "Application Support", "Sesame")},
		{"darwin", nil, noHome, ""},
	} {
		got, err := app.DataDirOn(c.goos, func(k string) string { return c.env[k] }, c.home)
		if c.want == "" {
			if !errors.Is(err, app.ErrNoDataDir) {
				t.Errorf("%s %v: got %q %v, want ErrNoDataDir", c.goos, c.env, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %v: got %q %v, want %q", c.goos, c.env, got, err, c.want)
		}
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
