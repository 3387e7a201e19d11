package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sesame/app"
	"sesame/keystore"
	"sesame/recovery"
)

const day = 24 * time.Hour

// due checks the drill state at the fixture's clock.
func (f *fixture) due(want bool) app.DrillStatus {
	f.t.Helper()
	s, err := f.app.BackupDrill()
	if err != nil || s.Due != want {
		f.t.Fatalf("drill due = %v (%+v, %v), want %v", s.Due, s, err, want)
	}
	return s
}

// drill runs a drill with the wallet password pw and answers from phrase,
// with the word at wrongPos (0 for none) mistyped.
func (f *fixture) drill(pw, phrase string, wrongPos int) error {
	f.t.Helper()
	d, err := f.app.StartDrill(context.Background(), pw)
	if err != nil {
		f.t.Fatal(err)
	}
	defer d.Forget()
	words := strings.Fields(phrase)
	var answers []string
	for _, p := range d.Positions {
		w := words[p-1]
		if p == wrongPos {
			w = "zoo"
		}
		answers = append(answers, " "+strings.ToUpper(w)+" ")
	}
	return d.Check(answers)
}

// The schedule: a week after saving, then a month, 3 months, and every 6
// months after a passed drill; a missed drill says which position and
// does not count; a wrong password is refused before any word.
func TestBackupDrillSchedule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.app.BackupDrill(); !errors.Is(err, app.ErrNoWallet) {
		t.Fatalf("no wallet: %v", err)
	}
	start := f.clock
	f.restore(phraseB, "wallet pw 1")
	s := f.due(false)
	if !slices.Equal(s.Schedule, app.DefaultDrillSchedule) || !s.Checked.IsZero() || !s.Next.Equal(start.AddDate(0, 0, 7)) {
		t.Fatalf("after saving: %+v", s)
	}
	f.clock = start.Add(7 * day)
	f.due(true)

	if _, err := f.app.StartDrill(context.Background(), "wallet pX 1"); !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
		t.Fatalf("wrong password: %v", err)
	}
	d, err := f.app.StartDrill(context.Background(), "wallet pw 1")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Positions) != 3 || !slices.IsSorted(d.Positions) || d.Positions[0] < 1 || d.Positions[2] > 12 {
		t.Fatalf("positions %v", d.Positions)
	}
	words := strings.Fields(phraseB)
	answers := []string{words[d.Positions[0]-1], "zoo", words[d.Positions[2]-1]}
	var qe *recovery.QuizError
	err = d.Check(answers)
	if !errors.As(err, &qe) || !slices.Equal(qe.Wrong, []int{d.Positions[1]}) || app.ErrorCode(err) != "quiz_wrong" {
		t.Fatalf("a miss: %v", err)
	}
	if strings.Contains(err.Error(), words[d.Positions[1]-1]) {
		t.Fatalf("the miss names the word: %v", err)
	}
	if got := d.Phrase(); strings.Join(got.Words, " ") != phraseB {
		t.Fatalf("the phrase shown again: %v", got.Words)
	}
	f.due(true) // a miss does not count

	answers[1] = words[d.Positions[1]-1]
	if err := d.Check(answers); err != nil {
		t.Fatal(err)
	}
	d.Forget()
	if err := d.Check(answers); !errors.Is(err, app.ErrStepOrder) {
		t.Fatalf("a forgotten drill: %v", err)
	}
	s = f.due(false)
	if !s.Checked.Equal(f.clock) || !s.Next.Equal(f.clock.AddDate(0, 0, 30)) {
		t.Fatalf("after the first drill: %+v", s)
	}
	for _, days := range []int{30, 91, 182, 182} {
		f.clock = f.clock.AddDate(0, 0, days).Add(-time.Minute)
		f.due(false)
		f.clock = f.clock.Add(time.Minute)
		f.due(true)
		if err := f.drill("wallet pw 1", phraseB, 0); err != nil {
			t.Fatal(err)
		}
	}
	// The record survives a restart and lives beside the vault, in clear
	// but without a word of the phrase or the password.
	_, f.app = f.newApp()
	if s := f.due(false); !s.Checked.Equal(f.clock) {
		t.Fatalf("after a restart: %+v", s)
	}
	b, err := os.ReadFile(filepath.Join(f.dataDir, "wallet.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range append(words, "wallet pw 1") {
		if strings.Contains(string(b), w) {
			t.Fatalf("the metadata holds %q:\n%s", w, b)
		}
	}
}

func TestBackupDrillScheduleChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	start := f.clock
	f.restore(phraseA, "wallet pw 1")
	if err := f.app.SetDrillSchedule([]int{0}); !errors.Is(err, app.ErrDrillSchedule) {
		t.Fatalf("0 days: %v", err)
	}
	if err := f.app.SetDrillSchedule([]int{3, 60}); err != nil {
		t.Fatal(err)
	}
	if s := f.due(false); !s.Next.Equal(start.AddDate(0, 0, 3)) || !slices.Equal(s.Schedule, []int{3, 60}) {
		t.Fatalf("own schedule: %+v", s)
	}
	if err := f.app.SetDrillSchedule(nil); err != nil {
		t.Fatal(err)
	}
	f.clock = start.AddDate(2, 0, 0)
	if s := f.due(false); len(s.Schedule) != 0 || !s.Next.IsZero() {
		t.Fatalf("drills off: %+v", s)
	}
	// A vault from before drills counts from its creation.
	if err := os.Remove(filepath.Join(f.dataDir, "wallet.meta.json")); err != nil {
		t.Fatal(err)
	}
	f.due(true)
	// A new wallet starts its own schedule, keeping the user's choice.
	if err := f.app.SetDrillSchedule([]int{10}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.RestoreWallet(context.Background(), mnemonicOf(t, phraseB), "", "wallet pw 2", "wallet pw 2", true); err != nil {
		t.Fatal(err)
	}
	if s := f.due(false); !slices.Equal(s.Schedule, []int{10}) || !s.Next.Equal(f.clock.AddDate(0, 0, 10)) {
		t.Fatalf("new wallet: %+v", s)
	}
}
