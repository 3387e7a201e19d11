package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"sesame/check"
	"sesame/recovery"
	"sesame/wallet"
)

// PhraseReport is what `sesame phrase check` says about a recovery phrase
// (its --json form). It holds no word of the phrase, only suggested
// replacements for a wrong one.
type PhraseReport struct {
	Valid      bool   `json:"valid"`
	Language   string `json:"language,omitempty"` // the wordlist's tag, e.g. "en"
	Words      int    `json:"words,omitempty"`
	Passphrase bool   `json:"passphrase"`
	// Fingerprint is the wallet's (phrase and passphrase).
	Fingerprint string `json:"fingerprint,omitempty"`
	// WithoutPassphrase is the phrase's fingerprint with no passphrase,
	// set when a passphrase was given.
	WithoutPassphrase string          `json:"fingerprint_without_passphrase,omitempty"`
	Addresses         []PhraseAddress `json:"addresses,omitempty"`
	Problem           *PhraseProblem  `json:"problem,omitempty"`
}

// PhraseAddress is one derived address of the report.
type PhraseAddress struct {
	Chain   string `json:"chain"`
	Path    string `json:"path"`
	Address string `json:"address"`
}

// PhraseProblem says why a phrase is not valid, with the app's message and
// fix (ErrorCode's code, its English texts through check.Translations, as
// `sesame doctor` reads them) and the typed errors' figures.
type PhraseProblem struct {
	Code     Code   `json:"code"`
	Message  string `json:"message"`
	Remedy   string `json:"remedy"`
	Position int    `json:"position,omitempty"` // 1-based, of an unknown word
	// Suggestions are close words of the list for the unknown word.
	Suggestions []string `json:"suggestions,omitempty"`
	// Fixes are single-word changes that make the checksum match; FixCount
	// counts all of them, most far from what was typed.
	Fixes    []PhraseFix `json:"fixes,omitempty"`
	FixCount int         `json:"fix_count,omitempty"`
	// WordCount is the number of words typed, when it is not a valid one.
	WordCount int `json:"word_count,omitempty"`
}

// PhraseFix is a single-word change that makes the checksum match.
type PhraseFix struct {
	Position int    `json:"position"` // 1-based
	Word     string `json:"word"`
}

// CheckPhrase checks a recovery phrase with recovery.Parse, the app's
// parser, and for a valid one derives the fingerprint and the first
// count addresses of each chain. It is key derivation: off the UI thread.
func CheckPhrase(phrase, passphrase string, count int) (PhraseReport, error) {
	r := PhraseReport{Passphrase: passphrase != ""}
	m, err := recovery.Parse(phrase)
	if err != nil {
		r.Problem = phraseProblem(err)
		return r, nil
	}
	r.Valid, r.Language, r.Words = true, m.Language.Tag(), len(m.Words)
	seed := recovery.Seed(m, passphrase)
	defer clear(seed)
	fp, err := wallet.MasterFingerprint(seed)
	if err != nil {
		return r, err
	}
	r.Fingerprint = fp.String()
	if passphrase != "" {
		bare := recovery.Seed(m, "")
		fp, err := wallet.MasterFingerprint(bare)
		clear(bare)
		if err != nil {
			return r, err
		}
		r.WithoutPassphrase = fp.String()
	}
	for _, c := range wallet.Chains() {
		addrs, err := wallet.Addresses(seed, c, 0, count)
		if err != nil {
			return r, err
		}
		for _, a := range addrs {
			r.Addresses = append(r.Addresses, PhraseAddress{Chain: c.String(), Path: a.Path, Address: a.Address})
		}
	}
	return r, nil
}

func phraseProblem(err error) *PhraseProblem {
	p := &PhraseProblem{Code: ErrorCode(err)}
	if en, err := check.Translations(check.Languages[0]); err == nil {
		p.Message, p.Remedy = en("error."+string(p.Code), nil), en("remedy."+string(p.Code), nil)
	}
	var uw *recovery.UnknownWordError
	var wc *recovery.WordCountError
	var ce *recovery.ChecksumError
	switch {
	case errors.As(err, &uw):
		p.Position, p.Suggestions = uw.Position, uw.Suggestions
	case errors.As(err, &wc):
		p.WordCount = wc.Got
	case errors.As(err, &ce):
		p.FixCount = ce.Count
		for _, f := range ce.Fixes {
			p.Fixes = append(p.Fixes, PhraseFix{f.Position, f.Word})
		}
	}
	return p
}

// Exit statuses of PhraseCommand.
const (
	PhraseValid   = 0
	PhraseInvalid = 1
	PhraseUsage   = 2
)

// PhraseCommand is `sesame phrase check [--passphrase] [--count N]
// [--json]`: it reads a recovery phrase, and with --passphrase a
// passphrase, from in, without echo when in is a terminal, one line each;
// prints the report to stdout; and exits PhraseInvalid for an invalid
// phrase. It writes the phrase nowhere and never prints its words.
func PhraseCommand(ctx context.Context, args []string, in io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("phrase check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	withPass := fs.Bool("passphrase", false, "also ask for the passphrase (the \"25th word\")")
	count := fs.Int("count", wallet.PreviewCount, "how many addresses of each chain to print")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sesame phrase check [--passphrase] [--count N] [--json]")
		fmt.Fprintln(stderr, "Checks a recovery phrase typed without echo (or one line of standard input):")
		fmt.Fprintln(stderr, "its language, checksum, wallet fingerprint and first addresses. Nothing is saved;")
		fmt.Fprintln(stderr, "exits 1 when the phrase is not valid. Use it on an offline computer.")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "check" {
		fs.Usage()
		return PhraseUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return PhraseValid
		}
		return PhraseUsage
	}
	if fs.NArg() > 0 {
		// Never echo an argument: it may be the phrase itself.
		fmt.Fprintln(stderr, "sesame phrase check: takes no arguments; type the phrase when asked, or pipe it in")
		return PhraseUsage
	}
	if *count < 1 || *count > wallet.MaxCount {
		fmt.Fprintf(stderr, "sesame phrase check: --count must be 1 to %d\n", wallet.MaxCount)
		return PhraseUsage
	}
	lines := newSecretReader(in, stderr)
	phrase, err := lines.read(ctx, "Recovery phrase (not shown as you type): ")
	if err != nil {
		fmt.Fprintln(stderr, "sesame phrase check: reading the phrase:", err)
		return PhraseUsage
	}
	var passphrase string
	if *withPass {
		if passphrase, err = lines.read(ctx, "Passphrase (not shown): "); err != nil {
			fmt.Fprintln(stderr, "sesame phrase check: reading the passphrase:", err)
			return PhraseUsage
		}
	}
	r, err := CheckPhrase(phrase, passphrase, *count)
	if err != nil {
		fmt.Fprintln(stderr, "sesame phrase check:", ErrorCode(err))
		return PhraseUsage
	}
	if *asJSON {
		if err := writeJSON(stdout, r); err != nil {
			fmt.Fprintln(stderr, "sesame phrase check:", err)
			return PhraseUsage
		}
	} else {
		writePhraseReport(stdout, r)
	}
	if !r.Valid {
		return PhraseInvalid
	}
	return PhraseValid
}

// writePhraseReport prints r for a person.
func writePhraseReport(w io.Writer, r PhraseReport) {
	if p := r.Problem; p != nil {
		fmt.Fprintln(w, "✗ Not a valid recovery phrase:", p.Message)
		switch {
		case p.Position > 0 && len(p.Suggestions) > 0:
			fmt.Fprintf(w, "  Word %d is not in the list. Close words: %s\n", p.Position, strings.Join(p.Suggestions, ", "))
		case p.Position > 0:
			fmt.Fprintf(w, "  Word %d is not in the list.\n", p.Position)
		case p.WordCount > 0:
			fmt.Fprintf(w, "  %d words were typed.\n", p.WordCount)
		}
		for _, f := range p.Fixes {
			fmt.Fprintf(w, "  Word %d: %s\n", f.Position, f.Word)
		}
		if p.FixCount > len(p.Fixes) {
			fmt.Fprintf(w, "  (%d single-word changes fit the checksum in all; a fitting word is not proof.)\n", p.FixCount)
		}
		fmt.Fprintln(w, " ", p.Remedy)
		return
	}
	lang, _ := recovery.LanguageByTag(r.Language)
	fmt.Fprintf(w, "✓ Valid recovery phrase: %d words, %s\n", r.Words, lang.Name())
	fmt.Fprintln(w, "Fingerprint:", r.Fingerprint)
	if r.Passphrase {
		fmt.Fprintf(w, "With the passphrase typed. Without it the fingerprint is %s: a different passphrase opens a different, empty wallet.\n", r.WithoutPassphrase)
	}
	for _, a := range r.Addresses {
		fmt.Fprintf(w, "%-9s %-18s %s\n", a.Chain, a.Path, a.Address)
	}
}

// secretReader reads lines of secrets: from a terminal without echo, with
// a prompt on stderr; otherwise from the stream as it comes.
type secretReader struct {
	r      *bufio.Reader
	prompt io.Writer
	fd     uintptr
	tty    bool
}

func newSecretReader(in io.Reader, prompt io.Writer) *secretReader {
	s := &secretReader{r: bufio.NewReader(in), prompt: prompt}
	if f, ok := in.(*os.File); ok && isTerminal(f.Fd()) {
		s.fd, s.tty = f.Fd(), true
	}
	return s
}

// errNoInput: the input ended before the line.
var errNoInput = errors.New("no input")

// read returns the next line without its end. ctx's end (Ctrl-C) stops a
// read from a terminal and turns its echo back on.
func (s *secretReader) read(ctx context.Context, prompt string) (string, error) {
	if !s.tty {
		return s.line()
	}
	restore, err := noEcho(s.fd)
	if err != nil {
		return "", fmt.Errorf("turning off the echo: %w", err)
	}
	defer restore()
	fmt.Fprint(s.prompt, prompt) // once the echo is off
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		l, err := s.line()
		done <- result{l, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(s.prompt)
		return r.line, r.err
	case <-ctx.Done():
		fmt.Fprintln(s.prompt)
		return "", ctx.Err()
	}
}

func (s *secretReader) line() (string, error) {
	l, err := s.r.ReadString('\n')
	if err != nil && (err != io.EOF || l == "") {
		if err == io.EOF {
			return "", errNoInput
		}
		return "", err
	}
	return strings.TrimRight(l, "\r\n"), nil
}
