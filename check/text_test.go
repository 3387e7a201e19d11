package check_test

import (
	"strings"
	"testing"

	"sesame/check"
)

// TestTextEveryStepAndCause renders every step with each of its causes, as
// each verdict, with all the details its Def declares, in every shipped
// language: each has a name, a title and, for a warning or a problem, a
// fix, and no template lacks a value.
func TestTextEveryStepAndCause(t *testing.T) {
	for _, lang := range check.Languages {
		tr, err := check.Translations(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, def := range check.Steps {
			full := map[string]string{"until": "2031-05-01T22:00:00Z", "message": "Back soon", "retry_after": "30"}
			for _, k := range def.Details {
				if _, ok := full[k]; !ok {
					full[k] = "1"
				}
			}
			for _, c := range append([]check.Cause{"", check.CauseNotRun, check.CauseCanceled, check.CauseTimeout}, def.Causes...) {
				for _, v := range []check.Verdict{check.VerdictOK, check.VerdictWarning, check.VerdictProblem, check.VerdictSkipped} {
					text := check.Step{ID: def.ID, Verdict: v, Cause: c, Detail: full}.Text(tr)
					all := text.Name + text.Title + text.Figure + text.Fix + strings.Join(text.Notes, "")
					if text.Name == string(def.ID) || text.Title == "" || strings.Contains(all, "<no value>") {
						t.Errorf("%s %s:%s:%s: %+v", lang, def.ID, v, c, text)
					}
					if c != "" && (v == check.VerdictWarning || v == check.VerdictProblem) && text.Fix == "" {
						t.Errorf("%s %s:%s:%s: no fix", lang, def.ID, v, c)
					}
				}
			}
		}
	}
}

// TestTextChinese: the Chinese texts are Chinese.
func TestTextChinese(t *testing.T) {
	tr, err := check.Translations("zh-Hans")
	if err != nil {
		t.Fatal(err)
	}
	text := check.Step{ID: check.StepClock, Verdict: check.VerdictProblem, Cause: check.CauseClockTimeZone,
		Detail: map[string]string{"offset": "-8h0m40s", "hours": "-8"}}.Text(tr)
	if text.Name != "时钟" || !strings.Contains(text.Title, "-8 小时") || !strings.Contains(text.Fix, "时区") || text.Figure != "-8h0m40s" {
		t.Errorf("%+v", text)
	}
}
