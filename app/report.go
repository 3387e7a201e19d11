package app

// The connection check in words: `sesame doctor` ([Doctor]) in the
// locale's language, and the redacted report behind "Copy report" and
// attached to support requests ([Report], [ReportJSON]).

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"sesame/authapi"
	"sesame/check"
	"sesame/recovery"
)

// verdictSymbols mark a step's verdict in Doctor's text.
var verdictSymbols = map[check.Verdict]string{check.VerdictOK: "✓", check.VerdictWarning: "!", check.VerdictProblem: "✗", check.VerdictSkipped: "-"}

// Doctor is `sesame doctor [--server URL] [--json] [--report]`: it runs the
// connection check against --server, else $SESAME_SERVER, else
// defaultServer (the built-in local server main runs), and prints each step
// as a line of text in the language of locale (as clocale.Messages reads it
// from the environment: "zh_CN.UTF-8" gives 简体中文), or the whole check
// as JSON for support tools; with --report, the report for support instead
// ([Report] in that language, or [ReportJSON]). It returns
// the exit status: 0 when nothing blocks signing in, 1 when something
// does, 2 for bad usage. It needs no display.
//
// The JSON ([DoctorOutput]) is stable for scripts: each step's id,
// verdict (ok, warning, problem, skipped), cause and detail keys are those
// of package check and do not change with the language; its title,
// figure, notes and fix are the texts of the screen, in the locale's
// language, for people.
func Doctor(ctx context.Context, args []string, stdout, stderr io.Writer, version, defaultServer, locale string) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if env := os.Getenv("SESAME_SERVER"); env != "" {
		defaultServer = env
	}
	server := fs.String("server", defaultServer, "the auth server's `URL` (default: $SESAME_SERVER, else the built-in local server)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	report := fs.Bool("report", false, "print the report for support, as the app's \"Copy report\" does (no password, code or phrase)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sesame doctor [--server URL] [--json] [--report]")
		fmt.Fprintln(stderr, "Checks the connection to the auth server; exits 1 when something blocks signing in.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sesame doctor: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *server == "" {
		fmt.Fprintln(stderr, "sesame doctor: no server: pass --server URL or set SESAME_SERVER")
		return 2
	}
	if _, err := authapi.NewClient(*server); err != nil {
		fmt.Fprintf(stderr, "sesame doctor: --server %s: %v\n", serverHost(*server), err)
		return 2
	}
	tr, err := check.Translations(check.Language(locale))
	if err != nil {
		fmt.Fprintln(stderr, "sesame doctor:", err)
		return 2
	}

	cfg := check.Config{Server: *server, Version: version}
	var progress func(check.Step)
	if !*asJSON && !*report {
		fmt.Fprintln(stdout, tr("diag.doctor.header", map[string]any{"version": version, "server": serverHost(*server)}))
		progress = func(s check.Step) { writeStep(stdout, s.Text(tr), s.Verdict) }
	}
	d := check.Run(ctx, cfg, progress)
	switch {
	case *report && *asJSON:
		err = writeJSON(stdout, reportData(d, nil, ""))
	case *report:
		_, err = fmt.Fprint(stdout, Report(d, nil, "", tr))
	case *asJSON:
		err = writeJSON(stdout, doctorJSON(d, tr))
	default:
		fmt.Fprintln(stdout, Summary(d, tr))
	}
	if err != nil {
		fmt.Fprintln(stderr, "sesame doctor:", err)
		return 2
	}
	if d.Blocking() {
		return 1
	}
	return 0
}

// Summary is the check's conclusion in words: the first step that blocks
// signing in, else whether any step warns.
func Summary(d check.Diagnosis, tr check.Translate) string {
	if i := slices.IndexFunc(d.Steps, check.Step.Blocks); i >= 0 {
		return tr("check.blocked", map[string]any{"Reason": d.Steps[i].Text(tr).Title})
	}
	if slices.ContainsFunc(d.Steps, func(s check.Step) bool {
		return s.Verdict == check.VerdictWarning || s.Verdict == check.VerdictProblem
	}) {
		return tr("check.clear_warnings", nil)
	}
	return tr("check.clear", nil)
}

// writeStep prints one step: its symbol, name, title and figure, then
// the notes and the fix indented.
func writeStep(w io.Writer, t check.Text, v check.Verdict) {
	line := verdictSymbols[v] + " " + t.Name + strings.Repeat(" ", max(1, 15-width(t.Name))) + t.Title
	if t.Figure != "" {
		line += " — " + t.Figure
	}
	fmt.Fprintln(w, line)
	for _, s := range append(t.Notes, t.Fix) {
		if s != "" {
			fmt.Fprintln(w, "    "+s)
		}
	}
}

// width is the columns s takes in a terminal: two for a wide (CJK)
// character.
func width(s string) int {
	n := 0
	for _, r := range s {
		n++
		if unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) || (r >= 0xFF01 && r <= 0xFF60) || (r >= 0x3000 && r <= 0x303F) {
			n++
		}
	}
	return n
}

// DoctorStep is one step in Doctor's JSON: the step's data, stable for
// scripts, and its texts in the locale's language.
type DoctorStep struct {
	check.Step
	Title  string   `json:"title"`
	Figure string   `json:"figure,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	Fix    string   `json:"fix,omitempty"`
}

// DoctorOutput is Doctor's JSON, a stable schema for support tools.
type DoctorOutput struct {
	Server     string       `json:"server"`
	AppVersion string       `json:"app_version"`
	OS         string       `json:"os"`
	Started    time.Time    `json:"started"`
	Blocking   bool         `json:"blocking"`
	Steps      []DoctorStep `json:"steps"`
}

func doctorJSON(d check.Diagnosis, tr check.Translate) DoctorOutput {
	out := DoctorOutput{Server: serverHost(d.Server), AppVersion: d.AppVersion, OS: d.OS,
		Started: d.Started.UTC().Truncate(time.Second), Blocking: d.Blocking(), Steps: []DoctorStep{}}
	for _, s := range d.Steps {
		t := s.Text(tr)
		out.Steps = append(out.Steps, DoctorStep{Step: s, Title: t.Title, Figure: t.Figure, Notes: t.Notes, Fix: t.Fix})
	}
	return out
}

// serverHost returns scheme://host[:port] of a server address: no user
// info, path, query or fragment.
func serverHost(server string) string {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Host == "" {
		return "(not a URL)"
	}
	return check.Clean(u.Scheme+"://"+u.Host, 300)
}

// The report behind "Copy report" is built only from fields that cannot
// hold a secret: versions, the OS, the server's scheme and host, each
// step's ID, verdict, cause and the detail keys its check.Def declares,
// known error codes and the masked email. The free-text fields among them
// (details, the OS) then pass through redact, which drops anything shaped like a secret.

// ReportData is the report in JSON.
type ReportData struct {
	AppVersion string       `json:"app_version"`
	OS         string       `json:"os"`
	Server     string       `json:"server"`
	Started    time.Time    `json:"started"`
	Blocking   bool         `json:"blocking"`
	Steps      []check.Step `json:"steps"`
	LastErrors []string     `json:"last_errors"`
	Dropped    int          `json:"dropped_errors,omitempty"` // entries of lastErrors that were not known codes
	Account    string       `json:"account,omitempty"`        // masked
}

// maxReportErrors bounds the error codes in a report, newest last.
const maxReportErrors = 20

// reportData builds the report's fields from d, the last error codes (as
// made by ErrorCode; anything else is dropped) and the signed-in or typed
// account (kept only masked, and only when it is an email address).
func reportData(d check.Diagnosis, lastErrors []Code, account string) ReportData {
	// The server's own host name is kept as is, however it looks.
	var host string
	if u, err := url.Parse(strings.TrimSpace(d.Server)); err == nil {
		host = u.Hostname()
	}
	redact := func(s string) string { return redactBut(s, host) }
	r := ReportData{AppVersion: check.Clean(d.AppVersion, 40), OS: redact(d.OS), Server: serverHost(d.Server),
		Started: d.Started.UTC().Truncate(time.Second), Blocking: d.Blocking(), Steps: []check.Step{}, LastErrors: []string{},
		Account: MaskEmail(account)}
	if _, err := authapi.ParseVersion(r.AppVersion); err != nil {
		r.AppVersion = "(unknown)"
	}
	for _, s := range d.Steps {
		def, ok := check.Lookup(s.ID)
		if !ok {
			continue
		}
		c := check.Step{ID: s.ID, Verdict: s.Verdict, Cause: s.Cause}
		if !knownCodes[Code(c.Cause)] {
			c.Cause = ""
		}
		for k, v := range s.Detail {
			if !slices.Contains(def.Details, k) {
				continue
			}
			if c.Detail == nil {
				c.Detail = map[string]string{}
			}
			c.Detail[k] = redact(v)
		}
		r.Steps = append(r.Steps, c)
	}
	for _, e := range lastErrors {
		if knownCodes[e] {
			r.LastErrors = append(r.LastErrors, string(e))
		} else {
			r.Dropped++
		}
	}
	if n := len(r.LastErrors); n > maxReportErrors {
		r.LastErrors = r.LastErrors[n-maxReportErrors:]
	}
	return r
}

// Report returns the plain-text report that goes to support, put on the
// clipboard by "Copy report" and attached to a support request, as the
// user sees it first: the app version, the OS, the server's host, each
// step's verdict, cause and details (the same words in every language)
// and title, the last error codes and the masked account, in the language
// of tr; when that is not English, the same report in English follows for
// support staff, without the steps' details, which stand above (it would
// double the report's size). It fits authapi.MaxSupportReport: the
// details are cut shorter, to none, until it does. It never holds a
// password, a code, a token, a secret or a recovery phrase (see redact).
func Report(d check.Diagnosis, lastErrors []Code, account string, tr check.Translate) string {
	r := reportData(d, lastErrors, account)
	en, _ := check.Translations(check.Languages[0])
	var text string
	for _, n := range reportDetailCuts {
		text = reportText(r, tr, n)
		if en != nil && reportText(r, en, n) != text {
			text += "\n" + tr("report.english", nil) + "\n\n" + reportText(r, en, 0)
		}
		if len(text) <= authapi.MaxSupportReport {
			break
		}
	}
	return text
}

// reportDetailCuts are the lengths in bytes the report's details are cut
// to, in turn, until it fits authapi.MaxSupportReport; 0 leaves them out.
var reportDetailCuts = []int{300, 100, 30, 0}

// reportText is the report of r in the language of tr, with the steps'
// details cut to cut bytes ("…" marks a cut one), none when cut is 0.
func reportText(r ReportData, tr check.Translate, cut int) string {
	var b strings.Builder
	line := func(key string, value any) { b.WriteString(tr(key, map[string]any{"Value": value}) + "\n") }
	line("report.title", nil)
	line("report.app_version", r.AppVersion)
	line("report.os", r.OS)
	line("report.server", r.Server)
	line("report.checked", r.Started.Format(time.RFC3339))
	line(map[bool]string{true: "report.blocking", false: "report.not_blocking"}[r.Blocking], nil)
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "%-8s %-9s %s", s.Verdict, s.ID, s.Cause)
		for _, k := range sortedKeys(s.Detail) {
			if cut == 0 {
				break
			}
			v := s.Detail[k]
			if short := check.Clean(v, cut); short != v {
				v = short + "…"
			}
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
		if s.Cause != "" || s.Verdict == check.VerdictOK {
			b.WriteString(" — " + s.Text(tr).Title)
		}
		b.WriteString("\n")
	}
	errs := cmp.Or(strings.Join(r.LastErrors, ", "), tr("report.none", nil))
	if r.Dropped > 0 {
		errs += " " + tr("report.dropped", map[string]any{"Count": r.Dropped})
	}
	line("report.last_errors", errs)
	line("report.account", cmp.Or(r.Account, tr("report.none", nil)))
	return b.String()
}

// ReportJSON returns the report of Report as JSON, for support tools.
func ReportJSON(d check.Diagnosis, lastErrors []Code, account string) ([]byte, error) {
	var b strings.Builder
	err := writeJSON(&b, reportData(d, lastErrors, account))
	return []byte(b.String()), err
}

// writeJSON writes v indented, with <, > and & as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// MaskEmail returns an email address with all but its first and last
// characters and its top-level domain hidden: "alice@example.org" is
// "a***e@e***.org". Input that is not an email address gives "": it may be
// anything the user typed, a password included.
func MaskEmail(email string) string {
	if authapi.ValidateEmail(email) != nil {
		return ""
	}
	local, domain, _ := strings.Cut(authapi.NormalizeEmail(email), "@")
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	return maskPart(local, true) + "@" + maskPart(domain, false) + "." + tld
}

// maskPart keeps the first rune of s, and its last when keepLast and s
// has more than two.
func maskPart(s string, keepLast bool) string {
	r := []rune(s)
	out := string(r[0]) + "***"
	if keepLast && len(r) > 2 {
		out += string(r[len(r)-1])
	}
	return out
}

// What redact drops from a free-text field, each replaced by "[redacted]":
//   - a run of 6 or more digits (a mailed or authenticator code);
//   - a run of 16 or more of [A-Za-z0-9_-] (a token, a TOTP secret, a key);
//   - a run of 12 or more letters and digits holding a digit or in upper
//     case only (a recovery code without its hyphens);
//   - three groups of four letters or digits joined by hyphens, or by
//     spaces when in upper case (a recovery code as shown);
//   - three or more words in a row that are all in a BIP39 wordlist (a
//     recovery phrase or part of one), also as adjacent CJK characters.
//
// It may drop harmless text (an operator's message made of common words);
// it never lets those shapes through.
var (
	redactDigits    = regexp.MustCompile(`[0-9]{6,}`)
	redactToken     = regexp.MustCompile(`[A-Za-z0-9_\-]{16,}`)
	redactAlnum     = regexp.MustCompile(`[A-Za-z0-9]{12,}`)
	redactGroups    = regexp.MustCompile(`(?i)\b[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}\b|\b[0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4}\b`)
	hasDigit        = regexp.MustCompile(`[0-9]`)
	redactedMark    = "[redacted]"
	minPhraseRunLen = 3
)

// redactBut is redact that keeps the occurrences of keep.
func redactBut(s, keep string) string {
	if len(keep) < 4 {
		return redact(s)
	}
	parts := strings.Split(check.Clean(s, 300), keep)
	for i, p := range parts {
		parts[i] = redact(p)
	}
	return strings.Join(parts, keep)
}

// redact cleans s (printable, at most 300 bytes) and drops every part of
// it shaped like a secret.
func redact(s string) string {
	s = check.Clean(s, 300)
	s = redactToken.ReplaceAllString(s, redactedMark)
	s = redactGroups.ReplaceAllString(s, redactedMark)
	s = redactAlnum.ReplaceAllStringFunc(s, func(m string) string {
		if hasDigit.MatchString(m) || strings.ToUpper(m) == m {
			return redactedMark
		}
		return m
	})
	s = redactDigits.ReplaceAllString(s, redactedMark)
	return redactPhrase(s)
}

// redactPhrase drops runs of words from a BIP39 list that hold at least
// minPhraseRunLen words; a CJK token counts one word per character.
func redactPhrase(s string) string {
	type word struct{ start, end, weight int }
	var words []word
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if j > i {
			words = append(words, word{i, j, listedWords(s[i:j])})
		}
		i = j + 1
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(words); {
		if words[i].weight == 0 {
			i++
			continue
		}
		j, n := i, 0
		for ; j < len(words) && words[j].weight > 0; j++ {
			n += words[j].weight
		}
		if n >= minPhraseRunLen {
			b.WriteString(s[last:words[i].start])
			b.WriteString(redactedMark)
			last = words[j-1].end
		}
		i = j
	}
	b.WriteString(s[last:])
	return b.String()
}

// listedWords counts the BIP39 words w is, without surrounding
// punctuation: 1 for a listed word, one per character for a token of CJK
// characters that all are listed, else 0.
func listedWords(w string) int {
	w = strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if w == "" {
		return 0
	}
	if rs := []rune(w); unicode.Is(unicode.Han, rs[0]) && len(rs) > 1 {
		for _, r := range rs {
			if !inWordlist(string(r)) {
				return 0
			}
		}
		return len(rs)
	}
	if inWordlist(w) {
		return 1
	}
	return 0
}

// inWordlist reports whether w is a word of any BIP39 list, compared as
// the lists compare (lower case, NFKD). It asks recovery.Complete rather
// than recovery.CheckWord, which also works out suggestions for typos.
func inWordlist(w string) bool {
	key := norm.NFKD.String(strings.ToLower(w))
	for _, l := range recovery.Languages() {
		for _, c := range recovery.Complete(l, w, 2048) {
			if norm.NFKD.String(strings.ToLower(c)) == key {
				return true
			}
		}
	}
	return false
}
