package screens

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"sesame/app"
	"sesame/assets"
)

// keyCall matches a translation key written as a literal in a call.
var keyCall = regexp.MustCompile(`(?:lang\.L|lang\.LocalizeKey|lang\.LocalizePluralKey|plural|lang\.X|lang\.XN)\("([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// TestEveryKeyTranslated finds every key the screens name, literal or from
// the tables of remedies, strengths and reasons, in both translations.
func TestEveryKeyTranslated(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, name := range files {
		if matched, _ := filepath.Match("*_test.go", name); matched {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyCall.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]] = true
		}
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d keys: the pattern matches nothing", len(keys))
	}
	for _, k := range remedyLabels {
		keys[k] = true
	}
	for _, r := range append(activityResults, "other") {
		keys["security.activity.result."+r] = true
	}
	for _, k := range spamHints {
		keys[k] = true
	}
	for _, k := range strengthKeys {
		keys[k] = true
	}
	for _, r := range []app.Reason{app.ReasonTooShort, app.ReasonTooLong, app.ReasonCommon, app.ReasonContainsMail, app.ReasonControlChars, "other"} {
		keys["reason."+string(r)] = true
	}
	for _, file := range []string{"en.json", "zh_Hans.json"} {
		m := translationFile(t, file)
		for k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s has no %q", file, k)
			}
		}
	}
}

// translationFile is a shipped translation file's content, key by key.
func translationFile(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
