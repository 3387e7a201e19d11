package screens

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/recovery"
)

// newBackupDrill is the backup drill: the wallet password (which unlocks
// the wallet), then the words at 3 random positions typed from the paper.
func newBackupDrill(s *Shell) *view {
	v := newView(lang.L("drill.title"))
	pw := newPasswordEntry(lang.L("unlock.password"))
	var f *form
	f = newForm(s, v, lang.L("drill.start"), func() bool { return pw.Text != "" }, func() {
		password, a := pw.Text, s.App
		var d *app.Drill
		f.run(func(ctx context.Context) error {
			var err error
			d, err = a.StartDrill(ctx, password)
			return err
		}, func() {
			pw.SetText("")
			// Replaced, so that Done and Back lead to where the drill began.
			s.Replace(drillWords(s, d))
		}, nil)
	})
	f.watch(pw)
	v.content = container.NewVBox(paragraph(lang.L("drill.intro")), pw.framed(), f.actions(), widget.NewSeparator(), drillScheduleChoice(s))
	v.focus = pw
	closeAlso(v, func() { pw.SetText("") })
	return v
}

// drillWords asks the words at the drill's positions. A miss names the
// positions and offers to show the phrase again.
func drillWords(s *Shell, d *app.Drill) *view {
	v := newView(lang.L("drill.title"))
	// The restore's word fields: completions, and pinyin for a Chinese list.
	list := d.Language()
	bar := newSuggestionBar(1)
	fields := make([]*wordField, len(d.Positions))
	var rows []fieldRow
	for i, p := range d.Positions {
		// The label names the word; a placeholder would say it again.
		fields[i] = newWordField(0, func() recovery.Language { return list }, bar)
		rows = append(rows, fieldRow{lang.LocalizeKey("drill.word", "", map[string]any{"N": strconv.Itoa(p)}), fields[i].obj})
	}
	missed := paragraph("")
	missed.Importance = widget.DangerImportance
	again := newIconButton(lang.L("drill.show_phrase"), theme.VisibilityIcon(), func() { s.Push(drillPhrase(d.Phrase())) })
	miss := container.NewVBox(missed, again)
	miss.Hide()
	var step, done *fyne.Container
	var f *form
	f = newForm(s, v, lang.L("drill.check"), func() bool {
		for _, w := range fields {
			if w.Word() == "" {
				return false
			}
		}
		return true
	}, func() {
		answers := make([]string, len(fields))
		for i, w := range fields {
			answers[i] = w.Word()
		}
		miss.Hide()
		f.run(func(context.Context) error { return d.Check(answers) }, func() {
			d.Forget()
			step.Hide()
			done.Show()
		}, func(err error) bool {
			var qe *recovery.QuizError
			if !errors.As(err, &qe) {
				return false
			}
			var at []string
			for i, p := range d.Positions {
				for _, w := range qe.Wrong {
					if w == p {
						fields[i].Clear()
						if at == nil {
							// The keyboard goes to the first word to type again.
							s.Win.Canvas().Focus(fields[i].entry)
						}
						at = append(at, strconv.Itoa(p))
					}
				}
			}
			missed.SetText(lang.LocalizeKey("drill.missed", "", map[string]any{"Positions": strings.Join(at, ", ")}))
			miss.Show()
			return true
		})
	})
	watchWordFields(s, f, fields)
	step = container.NewVBox(paragraph(lang.L("drill.words_intro")), labelled(rows...), bar.obj, f.actions(), miss)
	done = securityDone(s, lang.L("drill.done"))
	done.Hide()
	v.content = container.NewVBox(step, done)
	v.focus = fields[0].entry
	closeAlso(v, func() {
		d.Forget()
		for _, w := range fields {
			w.Clear()
		}
	})
	return v
}

// drillPhrase shows the phrase again, numbered, after a miss.
func drillPhrase(m recovery.Mnemonic) *view {
	v := newView(lang.L("drill.phrase_title"))
	grid, cells := wordGrid(len(m.Words))
	for i, w := range m.Words {
		cells[i].SetText(w)
	}
	v.content = container.NewVBox(paragraph(lang.L("drill.phrase_help")), grid)
	closeAlso(v, func() {
		for _, l := range cells {
			l.SetText("")
		}
		clear(m.Words)
	})
	return v
}

// drillSchedules are the schedules the user can choose, by their text's
// key; an empty one turns the drills off.
var drillSchedules = []struct {
	key  string
	days []int
}{
	{"drill.schedule_default", app.DefaultDrillSchedule},
	{"drill.schedule_monthly", []int{30}},
	{"drill.schedule_quarterly", []int{91}},
	{"drill.schedule_half_yearly", []int{182}},
	{"drill.schedule_off", nil},
}

// drillScheduleChoice chooses when home asks for a drill; a choice is
// saved at once (beside the vault, no password needed).
func drillScheduleChoice(s *Shell) fyne.CanvasObject {
	var names []string
	for _, d := range drillSchedules {
		names = append(names, lang.L(d.key))
	}
	choice := widget.NewSelect(names, nil)
	if st, err := s.App.BackupDrill(); err == nil {
		for _, d := range drillSchedules {
			if slices.Equal(d.days, st.Schedule) {
				choice.SetSelected(lang.L(d.key))
			}
		}
	}
	fail := paragraph("")
	fail.Importance = widget.DangerImportance
	fail.Hide()
	choice.OnChanged = func(name string) {
		i := slices.Index(names, name)
		if err := s.App.SetDrillSchedule(drillSchedules[i].days); err != nil {
			fail.SetText(lang.L("error." + string(app.ErrorCode(err))))
			fail.Show()
			return
		}
		fail.Hide()
	}
	return container.NewVBox(heading(lang.L("drill.schedule")), choice, fail)
}
