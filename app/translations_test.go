package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"sesame/app"
	"sesame/assets"
	"sesame/authapi"
	"sesame/check"
	"sesame/keystore"
	"sesame/recovery"
)

// translationFiles are the shipped languages; en.json is the source.
var translationFiles = []string{"en.json", "zh_Hans.json"}

// Placeholder conventions: "error.*" and "remedy.*" take the figures the
// screens pass for a failure ({{.Host}}, {{.Until}}, …); "diag.*" take the
// keys of Step.Detail verbatim ({{.offset}}, {{.median_ms}}, …).
var (
	failureField = regexp.MustCompile(`^[A-Z][A-Za-z]*$`)
	detailField  = regexp.MustCompile(`^[a-z][a-z_]*$`)
)

// loadTranslationTexts returns a shipped file's texts by key, each message
// as its forms (one for a plain string, one per plural category).
func loadTranslationTexts(t *testing.T, name string) map[string][]string {
	t.Helper()
	data, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string][]string{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = []string{s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			t.Errorf("%s: %q is neither a string nor plural forms", name, k)
			continue
		}
		for _, f := range forms {
			out[k] = append(out[k], f)
		}
	}
	return out
}

// templateFields returns the sorted, distinct fields the forms use,
// wherever they stand: {{.Host}}, {{if .until}}, {{printf "%s" .code}}.
func templateFields(t *testing.T, name, key string, forms []string) []string {
	t.Helper()
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			out = append(out, n.Ident[0])
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	for _, f := range forms {
		tmpl, err := template.New(key).Parse(f)
		if err != nil {
			t.Errorf("%s: %q: %v", name, key, err)
			continue
		}
		walk(tmpl.Tree.Root)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// wantedTranslationKeys are the keys the screens look up for every error
// code, and the keys the connection check's texts ask for (check.Step.Text)
// for every step and cause, as a warning, with every detail its step
// declares.
func wantedTranslationKeys() []string {
	var want []string
	for _, c := range app.ErrorCodes() {
		want = append(want, "error."+string(c), "remedy."+string(c))
	}
	asked := func(key string, _ map[string]any) string {
		want = append(want, key)
		return "x"
	}
	for _, def := range check.Steps {
		detail := map[string]string{}
		for _, k := range def.Details {
			detail[k] = "1"
		}
		detail["until"], detail["message"] = "2031-05-01T22:00:00Z", "x"
		for _, c := range append([]check.Cause{""}, check.Causes()...) {
			check.Step{ID: def.ID, Verdict: check.VerdictWarning, Cause: c, Detail: detail}.Text(asked)
		}
	}
	slices.Sort(want)
	return slices.Compact(want)
}

// translationProblems returns what is wrong with the translations: every
// wanted key a file lacks, every key whose fields differ from en.json's,
// and every field that breaks the placeholder conventions.
func translationProblems(t *testing.T, files map[string]map[string][]string, want []string) []string {
	t.Helper()
	var out []string
	en := files[translationFiles[0]]
	for _, name := range translationFiles {
		var missing []string
		for _, k := range want {
			if _, ok := files[name][k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s lacks %d keys: %s", name, len(missing), strings.Join(missing, ", ")))
		}
		for _, k := range slices.Sorted(maps.Keys(files[name])) {
			got := templateFields(t, name, k, files[name][k])
			if e, ok := en[k]; ok && name != translationFiles[0] {
				if want := templateFields(t, translationFiles[0], k, e); !slices.Equal(got, want) {
					out = append(out, fmt.Sprintf("%q uses fields %v in %s but %v in %s", k, want, translationFiles[0], got, name))
				}
			}
			pattern, kind := failureField, "a failure's figure (CamelCase)"
			switch {
			case strings.HasPrefix(k, "diag."):
				pattern, kind = detailField, "a Step.Detail key (snake_case)"
			case !strings.HasPrefix(k, "error.") && !strings.HasPrefix(k, "remedy."):
				continue
			}
			for _, f := range got {
				if !pattern.MatchString(f) {
					out = append(out, fmt.Sprintf("%s: %q uses {{.%s}}, not %s", name, k, f, kind))
				}
			}
		}
	}
	return out
}

func TestTranslationsCoverCodesAndSteps(t *testing.T) {
	want := wantedTranslationKeys()
	if n := len(want); n < 2*len(authapi.Codes)+3*len(check.Steps)+2*len(check.Causes()) {
		t.Fatalf("only %d keys wanted", n)
	}
	files := map[string]map[string][]string{}
	for _, name := range translationFiles {
		files[name] = loadTranslationTexts(t, name)
	}
	for _, p := range translationProblems(t, files, want) {
		t.Error(p)
	}
}

// TestTranslationsCheckFails shows that the check finds a missing key, a
// field that differs between the languages and a field of the wrong
// convention, and that templateFields finds fields inside any action.
func TestTranslationsCheckFails(t *testing.T) {
	files := map[string]map[string][]string{
		"en.json": {
			"error.offline":       {"Cannot reach {{.Host}}."},
			"diag.cause.slow":     {"Slow ({{.MedianMS}} ms)"},
			"remedy.offline":      {"Check the network."},
			"diag.fix.timeout":    {"Try again."},
			"hint.retry_in":       {"In {{.Count}} second.", "In {{.Count}} seconds."},
			"signin.cant_sign_in": {"Can't sign in?"},
		},
		"zh_Hans.json": {
			"error.offline":       {"无法连接到 {{.host}}。"},
			"diag.cause.slow":     {"响应缓慢（{{.MedianMS}} 毫秒）"},
			"remedy.offline":      {"请检查网络。"},
			"hint.retry_in":       {"{{.Count}} 秒后重试。"},
			"signin.cant_sign_in": {"无法登录？"},
		},
	}
	got := translationProblems(t, files, []string{"error.offline", "remedy.offline", "diag.fix.timeout"})
	want := []string{
		`zh_Hans.json lacks 1 keys: diag.fix.timeout`,
		`"error.offline" uses fields [Host] in en.json but [host] in zh_Hans.json`,
		`en.json: "diag.cause.slow" uses {{.MedianMS}}, not a Step.Detail key (snake_case)`,
		`zh_Hans.json: "error.offline" uses {{.host}}, not a failure's figure (CamelCase)`,
		`zh_Hans.json: "diag.cause.slow" uses {{.MedianMS}}, not a Step.Detail key (snake_case)`,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := templateFields(t, "en", "k", []string{"{{if .until}}until {{.until}}{{end}} {{printf `%s` .code}}"}); !slices.Equal(got, []string{"code", "until"}) {
		t.Errorf("fields = %v, want [code until]", got)
	}
}

// TestErrorCodes checks that ErrorCodes is exactly what ErrorCode returns:
// each listed code comes back from a problem that carries it, and the
// errors of every kind ErrorCode names give a listed code.
func TestErrorCodes(t *testing.T) {
	codes := app.ErrorCodes()
	if !slices.IsSorted(codes) || len(slices.Compact(slices.Clone(codes))) != len(codes) {
		t.Fatalf("ErrorCodes is not sorted and distinct: %v", codes)
	}
	for _, c := range codes {
		if got := app.ErrorCode(&authapi.Problem{Status: 400, Code: authapi.Code(c)}); got != c {
			t.Errorf("a problem with code %q gives %q", c, got)
		}
	}

	errs := []error{
		context.Canceled, context.DeadlineExceeded, errors.New("anything else"),
		&authapi.Problem{Status: 400, Code: "not_a_code"},
		authapi.ErrOffline, authapi.ErrDNS, authapi.ErrTimeout, authapi.ErrNotAPI,
		authapi.ErrInsecureRedirect, authapi.ErrNetwork, authapi.ErrNoSession,
		authapi.ErrInvalidBaseURL, authapi.ErrPlainHTTP, authapi.ErrInvalidRecoveryCode,
		keystore.ErrNotFound, keystore.ErrWrongPasswordOrCorrupt, keystore.ErrEmptyPassword,
		recovery.ErrEmpty, recovery.ErrUnknownWord, recovery.ErrWordCount, recovery.ErrChecksum,
		recovery.ErrMixedLanguages, recovery.ErrQuizWrong,
		app.ErrNotSignedIn, app.ErrPasswordsDiffer, authapi.ErrChallengeExpired, app.ErrStepOrder,
		app.ErrNoWallet, app.ErrWalletExists, app.ErrWalletLocked, app.ErrQuizNotPassed,
	}
	for _, r := range []authapi.TLSReason{authapi.TLSUnknownAuthority, authapi.TLSExpired,
		authapi.TLSWrongHost, authapi.TLSOther, "unheard_of"} {
		errs = append(errs, &authapi.TLSError{Reason: r, Host: "example.org"})
	}
	for r := keystore.Reason(0); r <= keystore.ReasonTimedOut+1; r++ {
		errs = append(errs, &keystore.UnavailableError{Reason: r, Op: "save"})
	}
	for _, c := range authapi.Codes {
		errs = append(errs, &authapi.Problem{Status: 400, Code: c})
	}
	for _, err := range errs {
		code := app.ErrorCode(fmt.Errorf("signing in: %w", err))
		if _, found := slices.BinarySearch(codes, code); !found {
			t.Errorf("ErrorCode(%v) = %q, not in ErrorCodes", err, code)
		}
	}
	for _, want := range []app.Code{"other", "api_problem", app.Code(check.CauseTLSFailed), app.Code(check.CauseKeychainNoBus), "wallet_wrong_password"} {
		if !slices.Contains(codes, want) {
			t.Errorf("ErrorCodes lacks %q", want)
		}
	}
}
