package app_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"sesame/app"
	"sesame/authapi"
)

// TestDeviceNameInAppLanguage: an app given no device name names this
// computer in its language at sign-in, as the session list shows it.
func TestDeviceNameInAppLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("noor@example.org", false)
	host, err := os.Hostname()
	if err != nil || host == "" {
		t.Skip("no host name")
	}
	for _, c := range []struct{ tag, want string }{
		{"zh_Hans", app.HostDeviceName("zh-Hans", host)},
		{"en", app.HostDeviceName("en", host)},
	} {
		cl, err := authapi.NewClient(f.url)
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.New(app.Config{Client: cl, Keychain: f.kc, DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		a.SetLanguage(c.tag)
		if _, err := a.SignIn(ctx, "noor@example.org", password, false); err != nil {
			t.Fatal(err)
		}
		ss, err := a.Sessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var current string
		for _, s := range ss {
			if s.Current {
				current = s.DeviceName
			}
		}
		if current != c.want || !strings.Contains(current, host) {
			t.Errorf("%s: device %q, want %q", c.tag, current, c.want)
		}
	}
}

func TestHostDeviceName(t *testing.T) {
	long := strings.Repeat("h", 64)
	for _, c := range []struct{ language, host, want string }{
		{"en", "desk", "Sesame on desk"},
		{"zh-Hans", "desk", "desk 上的 Sesame"},
		{"en", "", "Sesame desktop"},
		{"zh-Hans", "", "Sesame 桌面版"},
		{"en", long, "Sesame on " + long[:54]},
		{"zh-Hans", long, long[:54] + " 上的 Sesame"},
	} {
		got := app.HostDeviceName(c.language, c.host)
		if got != c.want || authapi.ValidateDeviceName(got) != nil || utf8.RuneCountInString(got) > authapi.MaxDeviceNameLen {
			t.Errorf("%s %q: %q, want %q", c.language, c.host, got, c.want)
		}
	}
}
