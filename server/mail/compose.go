package mail

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"sesame/authapi"
)

// Kind names one of the mails the server sends.
type Kind int

// The kinds of mail.
const (
	// KindVerify carries the code that confirms a new account's address.
	KindVerify Kind = iota + 1
	// KindAccountExists tells the owner of an address that someone tried
	// to create a second account with it.
	KindAccountExists
	// KindReset carries the code that lets a password be reset.
	KindReset
	// KindPasswordChanged tells that the password was changed.
	KindPasswordChanged
	// KindTwoFactorEnabled tells that two-factor authentication was turned on.
	KindTwoFactorEnabled
	// KindTwoFactorDisabled tells that two-factor authentication was turned off.
	KindTwoFactorDisabled
	// KindCodesLocked tells that too many wrong mailed codes were tried
	// for the address, which takes no more for a day.
	KindCodesLocked
	// KindNewDevice tells of a sign-in from a device the account had not
	// seen before.
	KindNewDevice
	// KindLocked tells that wrong passwords or codes locked sign-in until
	// Data.LockedUntil.
	KindLocked
	// KindTwoFactorFailed tells that the right password was followed by a
	// wrong two-factor code.
	KindTwoFactorFailed
	// KindRecoveryCodeUsed tells that a recovery code was spent, and how
	// many are left (Data.Count).
	KindRecoveryCodeUsed
	// KindPhoneAdded tells that a phone number was bound to the account,
	// which can now reset its password by SMS.
	KindPhoneAdded
	// KindPhoneRemoved tells that the account's phone number was removed.
	KindPhoneRemoved
	// KindSupportCode carries the code that opens the support requests of
	// an account whose owner cannot sign in.
	KindSupportCode
	// KindSupportReceived confirms a support request (Data.Ticket) and
	// names the phrase staff will quote (Data.StaffPhrase).
	KindSupportReceived
	// KindSupportReply carries the staff's reply (Data.Reply) to a
	// support request (Data.Ticket, Data.StaffPhrase).
	KindSupportReply
)

// kindNames names each kind, in logs and in its templates' file names
// (templates/<language>/<name>.txt and .html).
var kindNames = map[Kind]string{
	KindVerify:            "verify",
	KindAccountExists:     "account_exists",
	KindReset:             "reset",
	KindPasswordChanged:   "password_changed",
	KindTwoFactorEnabled:  "two_factor_enabled",
	KindTwoFactorDisabled: "two_factor_disabled",
	KindCodesLocked:       "codes_locked",
	KindNewDevice:         "new_device",
	KindLocked:            "account_locked",
	KindTwoFactorFailed:   "two_factor_failed",
	KindRecoveryCodeUsed:  "recovery_code_used",
	KindPhoneAdded:        "phone_added",
	KindPhoneRemoved:      "phone_removed",
	KindSupportCode:       "support_code",
	KindSupportReceived:   "support_received",
	KindSupportReply:      "support_reply",
}

// String names the kind for logs.
func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Kinds lists every kind.
func Kinds() []Kind {
	ks := make([]Kind, 0, len(kindNames))
	for k := range kindNames {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Data fills a mail; a kind's templates use the fields it needs. It has
// no field for a password or a token on purpose: no mail ever carries one.
type Data struct {
	// Language is the tag of the mail's language, one of Languages; ""
	// or another tag is authapi.DefaultLanguage.
	Language string
	// Code is the 6-digit code of KindVerify, KindReset and
	// KindSupportCode, or a long code of the last two when Long.
	Code string
	// Long marks a long code: the mail says why it came instead of 6
	// digits and that the app takes it pasted.
	Long bool
	// ValidMinutes is how long Code stays valid.
	ValidMinutes int
	// Phrase is the account's anti-phishing phrase, empty when it has none.
	Phrase string
	// At is when what a security notice tells of happened; the notice
	// ends with At, Device and IP and with Link, if any.
	At time.Time
	// Device is the name of the device it happened on.
	Device string
	// IP is the address it came from.
	IP string
	// Link is the one URL the mail may link to.
	Link string
	// LockedUntil is the end of a lock.
	LockedUntil time.Time
	// Count is a number the mail tells, such as the recovery codes left.
	Count int
	// Ticket is the number of a support request, StaffPhrase the phrase
	// staff quote with it, Reply the staff's reply.
	Ticket      string
	StaffPhrase string
	Reply       string
}

// view is what the templates see: the data, its text made safe for one
// line, and the subject for the HTML part's title.
type view struct {
	Data
	Subject string
}

//go:embed templates
var templateFS embed.FS

// set is the parsed templates of one kind in one language.
type set struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// sets holds every language's kinds; a language that lacks a kind's
// files sends that kind in authapi.DefaultLanguage.
var sets = mustLoad(templateFS)

// funcs are the helpers of the templates: date writes a time in UTC,
// hours whole hours of minutes.
var funcs = map[string]any{
	"date":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"hours": func(minutes int) int { return minutes / 60 },
}

// Languages lists the languages that have templates: the folders of
// templates/.
func Languages() []string {
	var ls []string
	for l := range sets {
		ls = append(ls, l)
	}
	slices.Sort(ls)
	return ls
}

// load parses templates/<language>/, layouts and common words first.
func load(fsys fs.FS) (map[string]map[Kind]set, error) {
	dirs, err := fs.ReadDir(fsys, "templates")
	if err != nil {
		return nil, err
	}
	out := map[string]map[Kind]set{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		lang, dir := d.Name(), path.Join("templates", d.Name())
		common := path.Join(dir, "common.txt")
		text, err := texttemplate.New("layout.txt").Funcs(funcs).ParseFS(fsys, "templates/layout.txt", common)
		if err != nil {
			return nil, err
		}
		html, err := htmltemplate.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html", common)
		if err != nil {
			return nil, err
		}
		out[lang] = map[Kind]set{}
		for k, name := range kindNames {
			file := path.Join(dir, name)
			if _, err := fs.Stat(fsys, file+".txt"); err != nil {
				continue
			}
			var s set
			if s.text, err = texttemplate.Must(text.Clone()).ParseFS(fsys, file+".txt"); err != nil {
				return nil, err
			}
			if s.html, err = htmltemplate.Must(html.Clone()).ParseFS(fsys, file+".html"); err != nil {
				return nil, err
			}
			out[lang][k] = s
		}
	}
	if len(out[authapi.DefaultLanguage]) != len(kindNames) {
		return nil, fmt.Errorf("mail: templates/%s lacks kinds", authapi.DefaultLanguage)
	}
	return out, nil
}

func mustLoad(fsys fs.FS) map[string]map[Kind]set {
	s, err := load(fsys)
	if err != nil {
		panic(err)
	}
	return s
}

// Compose builds the mail of kind k to the address to, in d.Language. It
// panics on a kind not declared in this package, which is a programming
// error.
func Compose(k Kind, to string, d Data) Message {
	if _, ok := kindNames[k]; !ok {
		panic(fmt.Sprintf("mail: unknown %v", k))
	}
	s, ok := sets[d.Language][k]
	if !ok {
		d.Language = authapi.DefaultLanguage
		s = sets[d.Language][k]
	}
	d.Phrase, d.Device = oneLine(d.Phrase), oneLine(d.Device)
	v := view{Data: d}
	var subject, text, html strings.Builder
	// The templates are parsed and checked by the tests; executing them
	// on a view fails only on a programming error.
	must(s.text.ExecuteTemplate(&subject, "subject", v))
	v.Subject = strings.Join(strings.Fields(subject.String()), " ")
	must(s.text.Execute(&text, v))
	must(s.html.Execute(&html, v))
	return Message{To: to, Subject: v.Subject, Text: text.String(), HTML: html.String()}
}

func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("mail: %v", err))
	}
}

// oneLine keeps a text the data gives on its one line: control and format
// characters (line breaks, bidi overrides) become spaces.
func oneLine(p string) string {
	p = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, p)
	return strings.TrimSpace(p)
}
