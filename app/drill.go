package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"sesame/keystore"
	"sesame/recovery"
)

// Backup drills: on a schedule, home asks to check the paper backup. A
// drill unlocks the wallet with its password, then asks for the words at 3
// random positions, checked against the vault. The schedule is a list of
// intervals in days, each counted from the previous passed drill (the
// first from the wallet's saving); past its end the last one repeats.

// DefaultDrillSchedule is after 1 week, then 1, 3 and 6 months.
var DefaultDrillSchedule = []int{7, 30, 91, 182}

// MaxDrillInterval is the longest interval of a schedule, in days.
const MaxDrillInterval = 3650

// ErrDrillSchedule: a schedule interval is below 1 day or above
// MaxDrillInterval.
var ErrDrillSchedule = errors.New("a drill interval must be 1 day to 10 years")

// drillState is the drills' part of the wallet metadata: no secret.
type drillState struct {
	Since   time.Time `json:"since,omitzero"`   // the wallet was saved
	Checked time.Time `json:"checked,omitzero"` // the last passed drill
	Passed  int       `json:"passed,omitempty"` // drills passed
	// Schedule is the user's, in days; nil is DefaultDrillSchedule, and
	// Off turns drills off.
	Schedule []int `json:"schedule_days,omitempty"`
	Off      bool  `json:"off,omitempty"`
}

// DrillStatus is the state of the backup drills of the wallet here.
type DrillStatus struct {
	Schedule []int     // days; empty when drills are off
	Since    time.Time // the wallet was saved (or its vault made)
	Checked  time.Time // the last passed drill; zero: never
	Next     time.Time // the next drill is due; zero when off
	Due      bool
}

// BackupDrill reads the drills' state of the wallet here, without the
// password: ErrNoWallet when there is none.
func (a *App) BackupDrill() (DrillStatus, error) {
	found, _, err := a.vaultFiles()
	if err != nil {
		return DrillStatus{}, err
	}
	if found == "" {
		return DrillStatus{}, ErrNoWallet
	}
	m, err := readMeta(found)
	if err != nil {
		return DrillStatus{}, err
	}
	d := m.Drill
	if d.Since.IsZero() { // a vault saved before drills: its creation
		info, err := keystore.ReadInfo(found)
		if err != nil {
			return DrillStatus{}, err
		}
		d.Since = info.Created
	}
	s := DrillStatus{Since: d.Since, Checked: d.Checked}
	if d.Off {
		return s, nil
	}
	s.Schedule = slices.Clone(d.Schedule)
	if s.Schedule == nil {
		s.Schedule = slices.Clone(DefaultDrillSchedule)
	}
	from := d.Since
	if !d.Checked.IsZero() {
		from = d.Checked
	}
	days := s.Schedule[min(d.Passed, len(s.Schedule)-1)]
	s.Next = from.AddDate(0, 0, days)
	s.Due = !a.now().Before(s.Next)
	return s, nil
}

// SetDrillSchedule sets the intervals of the drills, in days; empty turns
// drills off.
func (a *App) SetDrillSchedule(days []int) error {
	for _, d := range days {
		if d < 1 || d > MaxDrillInterval {
			return ErrDrillSchedule
		}
	}
	found, _, err := a.vaultFiles()
	if err != nil {
		return err
	}
	if found == "" {
		return ErrNoWallet
	}
	return updateMeta(found, func(m *walletMeta) {
		m.Drill.Off = len(days) == 0
		m.Drill.Schedule = slices.Clone(days)
		if m.Drill.Off {
			m.Drill.Schedule = nil
		}
	})
}

// Drill is one backup drill: type the words at Positions from the paper.
type Drill struct {
	// Positions are 3 random 1-based positions, in phrase order.
	Positions []int

	a      *App
	mu     sync.Mutex
	phrase recovery.Mnemonic
	quiz   recovery.Quiz
}

// StartDrill unlocks the wallet with its password, which drills the
// password too, and picks the positions to ask. It is key derivation:
// call it off the UI thread.
func (a *App) StartDrill(ctx context.Context, password string) (*Drill, error) {
	_, m, err := a.unlock(ctx, password)
	if err != nil {
		return nil, err
	}
	q, err := recovery.NewQuiz(m, nil)
	if err != nil {
		return nil, err
	}
	d := &Drill{a: a, phrase: m, quiz: q}
	for _, question := range q.Questions {
		d.Positions = append(d.Positions, question.Position)
	}
	return d, nil
}

// Check compares the typed words, in the order of Positions, with the
// vault's phrase (in any case, spaces around ignored): nil, and the drill is recorded as passed; or a
// *recovery.QuizError naming each position missed.
func (d *Drill) Check(answers []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.phrase.Words == nil {
		return ErrStepOrder
	}
	typed := make([]string, len(answers))
	for i, w := range answers {
		typed[i] = strings.TrimSpace(w)
	}
	if err := d.quiz.Check(d.phrase, typed); err != nil {
		return err
	}
	return d.a.drillPassed()
}

// Phrase returns the phrase, to show it again after a miss.
func (d *Drill) Phrase() recovery.Mnemonic {
	d.mu.Lock()
	defer d.mu.Unlock()
	return recovery.Mnemonic{Language: d.phrase.Language, Words: slices.Clone(d.phrase.Words)}
}

// Language is the phrase's wordlist, which the typed words complete from.
func (d *Drill) Language() recovery.Language { return d.phrase.Language }

// Forget drops the phrase the drill holds.
func (d *Drill) Forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.phrase.Words)
	d.phrase = recovery.Mnemonic{}
}

// drillPassed records a passed drill in the unlocked wallet's metadata.
func (a *App) drillPassed() error {
	a.wallet.mu.Lock()
	file := a.wallet.file
	a.wallet.mu.Unlock()
	if file == "" {
		return ErrWalletLocked
	}
	now := a.now()
	if err := updateMeta(file, func(m *walletMeta) { m.Drill.Checked = now; m.Drill.Passed++ }); err != nil {
		return fmt.Errorf("recording the drill: %w", err)
	}
	return nil
}
