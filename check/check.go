// Package check is the connection check of "Can't sign in?" and `sesame
// doctor`: [Run] runs the steps of [Steps] against an auth server and
// returns data only (a [Verdict], a [Cause] and details per step);
// [Step.Text] puts a step in words through the translation files, the
// same for the screen, the terminal and the support report.
//
// A step is described once, in [Steps]: its id, its run, what it needs
// from the steps before it, whether its problem blocks signing in, the
// causes it names and the details it reports. Its texts are the
// translations "diag.step.<id>", "diag.ok.<id>", "diag.figure.<id>",
// "diag.cause.<cause>" and "diag.fix.<cause>" (see [Step.Text]). Ids,
// verdicts, causes and detail keys are stable: scripts read them in
// `sesame doctor --json`.
package check

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Verdict is the outcome of one step.
type Verdict int

// The verdicts, from good to not run.
const (
	VerdictOK Verdict = iota
	VerdictWarning
	VerdictProblem
	VerdictSkipped
)

var verdictNames = [...]string{"ok", "warning", "problem", "skipped"}

func (v Verdict) String() string {
	if v >= 0 && int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// MarshalText writes the verdict's name, for JSON.
func (v Verdict) MarshalText() ([]byte, error) {
	if v < 0 || int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("check: no such verdict %d", int(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	i := slices.Index(verdictNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("check: no such verdict %q", b)
	}
	*v = Verdict(i)
	return nil
}

// StepID names a step; it is stable, for scripts.
type StepID string

// Cause names what a step found; it is stable, for scripts. A step that
// went well has none, or one that says how (CauseLoopback).
type Cause string

// Step is the result of one step: data only, never display text. Detail
// holds measurements and the server's own words by key (the keys of the
// step's [Def]), never a secret.
type Step struct {
	ID      StepID            `json:"id"`
	Verdict Verdict           `json:"verdict"`
	Cause   Cause             `json:"cause,omitempty"`
	Detail  map[string]string `json:"detail,omitempty"`
}

// Def describes a step once.
type Def struct {
	ID StepID
	// run does the step; it is called only when needs allows.
	run func(*run, context.Context) Step
	// needs reports whether the step can run after the steps before it.
	needs func(*run) bool
	// Blocks: a problem of this step stops signing in. A step that blocks
	// nothing reports warnings, never problems.
	Blocks bool
	// Causes are the causes the step names besides CauseNotRun,
	// CauseCanceled and CauseTimeout, which any step may.
	Causes []Cause
	// Details are the keys of Step.Detail the step sets.
	Details []string
}

// Blocks reports whether the step found a problem that stops signing in.
func (s Step) Blocks() bool {
	d, ok := Lookup(s.ID)
	return ok && d.Blocks && s.Verdict == VerdictProblem
}

// Lookup returns the description of step id.
func Lookup(id StepID) (Def, bool) {
	i := slices.IndexFunc(Steps, func(d Def) bool { return d.ID == id })
	if i < 0 {
		return Def{}, false
	}
	return Steps[i], true
}

// Causes lists every cause any step names, each once.
func Causes() []Cause {
	out := slices.Clone(anyStep)
	for _, d := range Steps {
		for _, c := range d.Causes {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// Diagnosis is the result of the connection check.
type Diagnosis struct {
	Server     string // the base URL checked
	Started    time.Time
	Steps      []Step // in the order of Steps
	AppVersion string
	OS         string // GOOS/GOARCH, the distribution and the kernel when known
}

// Blocking reports whether a step found a problem that stops signing in.
func (d Diagnosis) Blocking() bool {
	return slices.ContainsFunc(d.Steps, Step.Blocks)
}

// Step returns the step id of d.
func (d Diagnosis) Step(id StepID) (Step, bool) {
	i := slices.IndexFunc(d.Steps, func(s Step) bool { return s.ID == id })
	if i < 0 {
		return Step{}, false
	}
	return d.Steps[i], true
}
