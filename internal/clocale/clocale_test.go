package clocale

import "testing"

var cases = []struct {
	env  map[string]string
	want string // $LANGUAGE after apply
}{
	{map[string]string{"LANG": "C.UTF-8"}, "en"},
	{map[string]string{"LANG": "C.utf8"}, "en"},
	{map[string]string{"LC_ALL": "POSIX.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"},
	{map[string]string{"LC_MESSAGES": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"},
	{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "zh_CN"}, "zh_CN"},
	{map[string]string{"LANG": "C"}, ""},
	{map[string]string{"LANG": "zh_CN.UTF-8"}, ""},
	{map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, ""},
	{map[string]string{"LANG": "Ca_ES.UTF-8"}, ""},
	{map[string]string{}, ""},
}

func TestApply(t *testing.T) {
	for _, c := range cases {
		env := map[string]string{}
		for k, v := range c.env {
			env[k] = v
		}
		apply(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		if env["LANGUAGE"] != c.want {
			t.Errorf("%v: LANGUAGE %q, want %q", c.env, env["LANGUAGE"], c.want)
		}
	}
}

func TestMessages(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "zh_CN.UTF-8"}, "zh_CN.UTF-8"},
		{map[string]string{"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh_CN.UTF-8"},
		{map[string]string{"LC_MESSAGES": "zh_CN.GB18030", "LANG": "en_US.UTF-8"}, "zh_CN.GB18030"},
		{map[string]string{"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh_CN"},
		{map[string]string{"LANGUAGE": ":zh_TW", "LANG": "en_US.UTF-8"}, "zh_TW"},
		// gettext ignores $LANGUAGE under the plain C locale.
		{map[string]string{"LANGUAGE": "zh_CN", "LANG": "C"}, "C"},
		{map[string]string{}, ""},
	} {
		if got := Messages(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %q, want %q", c.env, got, c.want)
		}
	}
}
