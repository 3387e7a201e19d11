package authapi

import (
	"slices"
	"testing"
)

var supported = []string{"en", "zh-Hans"}

// languageCases drives TestMatchLanguage and seeds FuzzMatchLanguage.
var languageCases = []struct{ header, want string }{
	{"", "en"},
	{"en", "en"},
	{"en-US,en;q=0.9", "en"},
	{"zh", "zh-Hans"},
	{"zh-CN", "zh-Hans"},
	{"zh_CN", "zh-Hans"},
	{"zh-sg", "zh-Hans"},
	{"zh-Hans", "zh-Hans"},
	{"zh-Hans-CN", "zh-Hans"},
	{"zh-TW", "en"},
	{"zh-HK", "en"},
	{"zh-Hant", "en"},
	{"zh-Hant-TW, zh-CN;q=0.5", "zh-Hans"},
	{"fr-FR, fr;q=0.9", "en"},
	{"fr, zh-CN;q=0.8, en;q=0.7", "zh-Hans"},
	{"en;q=0.5, zh-CN;q=0.6", "zh-Hans"},
	{"zh-CN;q=0.5, en;q=0.5", "zh-Hans"},
	{"zh-CN;q=0, en", "en"},
	{"zh-CN;q=0", "en"},
	{"zh-CN;q=abc", "en"},
	{"zh-CN;q=1.5", "en"},
	{"*", "en"},
	{"zhx", "en"},
	{"zh-", "en"},
	{" zh-CN ; q=0.9 ", "zh-Hans"},
}

func TestMatchLanguage(t *testing.T) {
	for _, tc := range languageCases {
		if got := MatchLanguage(tc.header, supported); got != tc.want {
			t.Errorf("MatchLanguage(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func FuzzMatchLanguage(f *testing.F) {
	for _, tc := range languageCases {
		f.Add(tc.header)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got := MatchLanguage(h, supported); !slices.Contains(supported, got) {
			t.Fatalf("MatchLanguage(%q) = %q", h, got)
		}
	})
}
