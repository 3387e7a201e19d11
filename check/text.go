package check

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"sesame/assets"
	"sesame/authapi"
)

// Translate returns the translation of key filled with data, or "" when
// key has none.
type Translate func(key string, data map[string]any) string

// Text is a step in words.
type Text struct {
	Name   string   // the step's name
	Title  string   // what it found
	Figure string   // what it measured, or ""
	Notes  []string // the server's own words and the waits it asks for
	Fix    string   // what to do about a warning or a problem, or ""
}

// Text puts the step in words with tr: "diag.step.<id>"; "diag.ok.<id>"
// or "diag.cause.<cause>" (an unknown one reads "check.step_passed" or
// "check.step_problem"); "diag.figure.<id>"; "diag.note.*" for the
// server's words and waits; "diag.fix.<cause>" for a warning or a
// problem. Every text takes the step's Detail, plus "day" (a
// certificate's date) and "until_time" (the end of a maintenance, local
// time); a text that differs by platform reads Detail "platform".
func (s Step) Text(tr Translate) Text {
	data := s.data()
	t := Text{Name: tr("diag.step."+string(s.ID), data)}
	if t.Name == "" {
		t.Name = string(s.ID)
	}
	problem := s.Verdict == VerdictWarning || s.Verdict == VerdictProblem
	key, fallback := "diag.ok."+string(s.ID), "check.step_passed"
	if s.Cause != "" {
		key = "diag.cause." + string(s.Cause)
	}
	if problem {
		fallback = "check.step_problem"
	}
	if t.Title = tr(key, data); t.Title == "" {
		t.Title = tr(fallback, data)
	}
	if s.Verdict != VerdictSkipped {
		t.Figure = tr("diag.figure."+string(s.ID), data)
	}
	if s.Detail["message"] != "" {
		t.Notes = append(t.Notes, tr("diag.note.message", data))
	}
	if data["until_time"] != nil {
		t.Notes = append(t.Notes, tr("diag.note.until", data))
	}
	if n, err := strconv.Atoi(s.Detail["retry_after"]); err == nil && n > 0 && s.Cause != CauseMaintenance {
		t.Notes = append(t.Notes, tr("diag.note.retry_after", data))
	}
	if s.Cause != "" && problem {
		t.Fix = tr("diag.fix."+string(s.Cause), data)
	}
	return t
}

// data is the step's Detail for its texts, plus the values they show in
// another form.
func (s Step) data() map[string]any {
	data := map[string]any{}
	for k, v := range s.Detail {
		data[k] = v
	}
	for _, k := range []string{"not_after", "not_before"} {
		if t, err := time.Parse(time.RFC3339, s.Detail[k]); err == nil {
			data["day"] = t.UTC().Format("2006-01-02")
		}
	}
	if t, err := time.Parse(time.RFC3339, s.Detail["until"]); err == nil {
		data["until_time"] = t.Local().Format("2006-01-02 15:04 MST")
	}
	return data
}

// Languages are the tags of the shipped translations ("en", "zh-Hans"),
// English, the source, first.
var Languages = func() []string {
	out := []string{"en"}
	files, _ := assets.Translations.ReadDir(assets.TranslationsDir)
	for _, f := range files {
		if tag := strings.ReplaceAll(strings.TrimSuffix(f.Name(), ".json"), "_", "-"); tag != out[0] {
			out = append(out, tag)
		}
	}
	return out
}()

// Language returns the shipped language that best matches a locale name
// ("zh_CN.UTF-8", "zh-Hans", "en_GB"): English when none does.
func Language(locale string) string {
	locale, _, _ = strings.Cut(locale, ".")
	locale, _, _ = strings.Cut(locale, "@")
	return authapi.MatchLanguage(locale, Languages)
}

// Translations returns the shipped translations of language (one of
// Languages), English for a key it lacks, outside Fyne: for `sesame
// doctor`.
func Translations(language string) (Translate, error) {
	var files []map[string]json.RawMessage
	for _, l := range []string{language, Languages[0]} {
		b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + strings.ReplaceAll(l, "-", "_") + ".json")
		if err != nil {
			return nil, fmt.Errorf("reading the %s translations: %w", l, err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("reading the %s translations: %w", l, err)
		}
		files = append(files, m)
	}
	return func(key string, data map[string]any) string {
		for _, m := range files {
			var text string
			if json.Unmarshal(m[key], &text) != nil {
				continue
			}
			tmpl, err := template.New(key).Parse(text)
			if err != nil {
				continue
			}
			var b strings.Builder
			if tmpl.Execute(&b, data) == nil {
				return b.String()
			}
		}
		return ""
	}, nil
}
