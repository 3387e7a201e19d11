package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"sesame/app"
)

// runPhrase runs `sesame phrase` with stdin and returns its exit status
// and what it printed on stdout and stderr.
func runPhrase(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := app.PhraseCommand(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// noWords fails when output holds a word of phrase.
func noWords(t *testing.T, output, phrase string) {
	t.Helper()
	for _, w := range strings.Fields(phrase) {
		if strings.Contains(strings.ToLower(output), strings.ToLower(w)) {
			t.Errorf("the output holds %q of the phrase:\n%s", w, output)
		}
	}
}

func TestPhraseCheckValid(t *testing.T) {
	code, out, errOut := runPhrase(t, phraseA+"\n", "check")
	if code != app.PhraseValid || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"12 words, English", "Fingerprint: 73c5da0a", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "m/84'/0'/0'/0/2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	noWords(t, out, phraseA)

	// Standard input without a final newline, a Windows line end, --count.
	code, out, _ = runPhrase(t, phraseB, "check", "--count", "1")
	if code != app.PhraseValid || !strings.Contains(out, "b8688df1") || strings.Count(out, "m/") != 2 {
		t.Fatalf("phrase B: exit %d\n%s", code, out)
	}
	noWords(t, out, phraseB)
}

func TestPhraseCheckJSON(t *testing.T) {
	code, out, _ := runPhrase(t, phraseA+"\r\nTREZOR\r\n", "check", "--passphrase", "--json")
	var r app.PhraseReport
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != app.PhraseValid {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if !r.Valid || r.Language != "en" || r.Words != 12 || !r.Passphrase || r.WithoutPassphrase != "73c5da0a" ||
		r.Fingerprint == "73c5da0a" || len(r.Fingerprint) != 8 || len(r.Addresses) != 6 || r.Problem != nil {
		t.Fatalf("report %+v", r)
	}
	noWords(t, out, phraseA+" TREZOR")
}

func TestPhraseCheckInvalid(t *testing.T) {
	english := englishTexts(t)
	cases := []struct {
		name, phrase string
		code         app.Code
		check        func(p *app.PhraseProblem) bool
		typed        string // must not be printed back
	}{
		{"typo", strings.Replace(phraseA, "abandon", "abandonn", 1), "phrase_unknown_word",
			func(p *app.PhraseProblem) bool {
				return p.Position == 1 && len(p.Suggestions) > 0 && p.Suggestions[0] == "abandon"
			}, "abandonn"},
		{"checksum", strings.Replace(phraseB, "worth", "north", 1), "phrase_checksum",
			func(p *app.PhraseProblem) bool {
				return p.FixCount > 0 && slices.Contains(p.Fixes, app.PhraseFix{Position: 7, Word: "worth"})
			}, ""},
		{"count", strings.TrimSuffix(phraseA, " about"), "phrase_word_count",
			func(p *app.PhraseProblem) bool { return p.WordCount == 11 }, ""},
		{"empty", "   ", "phrase_empty", func(p *app.PhraseProblem) bool { return true }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, _ := runPhrase(t, c.phrase+"\n", "check", "--json")
			var r app.PhraseReport
			if err := json.Unmarshal([]byte(out), &r); err != nil || code != app.PhraseInvalid {
				t.Fatalf("exit %d, %v\n%s", code, err, out)
			}
			p := r.Problem
			if r.Valid || p == nil || p.Code != c.code || !c.check(p) ||
				p.Message != english["error."+string(c.code)] || p.Remedy != english["remedy."+string(c.code)] || p.Message == "" {
				t.Fatalf("report %+v %+v", r, p)
			}
			code, text, _ := runPhrase(t, c.phrase+"\n", "check")
			if code != app.PhraseInvalid || !strings.Contains(text, p.Message) {
				t.Fatalf("text: exit %d\n%s", code, text)
			}
			for _, o := range []string{out, text} {
				if len(strings.Fields(c.phrase)) > 1 && strings.Contains(o, c.phrase) || c.typed != "" && strings.Contains(o, c.typed) {
					t.Errorf("the output echoes the phrase:\n%s", o)
				}
			}
		})
	}
}

func TestPhraseCheckUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"show"}, {"check", "--count", "0"}, {"check", "--nope"}} {
		if code, _, _ := runPhrase(t, phraseA+"\n", args...); code != app.PhraseUsage {
			t.Errorf("%q: exit %d, want %d", args, code, app.PhraseUsage)
		}
	}
	// A phrase given as arguments is refused, and not printed back.
	code, out, errOut := runPhrase(t, "", append([]string{"check"}, strings.Fields(phraseB)...)...)
	if code != app.PhraseUsage {
		t.Errorf("phrase as arguments: exit %d", code)
	}
	noWords(t, out+errOut, phraseB)
	if code, _, errOut := runPhrase(t, "", "check"); code != app.PhraseUsage || !strings.Contains(errOut, "no input") {
		t.Errorf("no input: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runPhrase(t, phraseA+"\n", "check", "--passphrase"); code != app.PhraseUsage || !strings.Contains(errOut, "passphrase") {
		t.Errorf("no passphrase line: exit %d, %q", code, errOut)
	}
}

// englishTexts is en.json's plain strings by key.
func englishTexts(t *testing.T) map[string]string {
	out := map[string]string{}
	for k, v := range loadTranslationTexts(t, "en.json") {
		if len(v) == 1 {
			out[k] = v[0]
		}
	}
	return out
}
