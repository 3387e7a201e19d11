package mail

import (
	"fmt"
	"strings"
	"unicode"
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
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case KindVerify:
		return "verify"
	case KindAccountExists:
		return "account_exists"
	case KindReset:
		return "reset"
	case KindPasswordChanged:
		return "password_changed"
	case KindTwoFactorEnabled:
		return "two_factor_enabled"
	case KindTwoFactorDisabled:
		return "two_factor_disabled"
	case KindCodesLocked:
		return "codes_locked"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Data fills a mail. It has no field for a password on purpose: no mail
// ever carries one.
type Data struct {
	// Code is the 6-digit code of KindVerify and KindReset.
	Code string
	// ValidMinutes is how long Code stays valid.
	ValidMinutes int
	// Phrase is the account's anti-phishing phrase, empty when it has none.
	Phrase string
}

// PhraseLine starts every mail to an account that has an anti-phishing
// phrase; the phrase follows in «».
const PhraseLine = "Your anti-phishing phrase: "

const (
	signature = "— Sesame"
	ifNotYou  = "If this was not you, reset your password now from the Sesame sign-in screen."
)

// Compose builds the mail of kind k to the address to. It panics on a kind
// not declared in this package, which is a programming error.
func Compose(k Kind, to string, d Data) Message {
	var subject string
	var body []string
	switch k {
	case KindVerify:
		subject = "Confirm your Sesame account"
		body = codeBody("Your code to confirm your new Sesame account:", d,
			"If you did not create a Sesame account, ignore this mail: without the code, no account is opened.")
	case KindAccountExists:
		subject = "Someone tried to create a Sesame account with your address"
		body = []string{
			"Someone, perhaps you, tried to create a Sesame account with this address. It already has one, so no new account was opened.",
			"If it was you, sign in instead, or reset your password if you forgot it. If it was not you, you can ignore this mail.",
			"Sesame support will never ask you for your password or for a code.",
		}
	case KindReset:
		subject = "Reset your Sesame password"
		body = codeBody("Your code to reset your Sesame password:", d,
			"If you did not ask for a reset, ignore this mail: your password stays as it is.")
	case KindPasswordChanged:
		subject = "Your Sesame password was changed"
		body = []string{
			"The password of your Sesame account was just changed.",
			"If it was you, there is nothing to do. " + ifNotYou,
		}
	case KindTwoFactorEnabled:
		subject = "Two-factor authentication is on for your Sesame account"
		body = []string{
			"Two-factor authentication was just turned on for your Sesame account. Keep your recovery codes somewhere safe.",
			"If it was you, there is nothing to do. " + ifNotYou,
		}
	case KindTwoFactorDisabled:
		subject = "Two-factor authentication is off for your Sesame account"
		body = []string{
			"Two-factor authentication was just turned off for your Sesame account. Signing in now needs only your password.",
			"If it was you, there is nothing to do. " + ifNotYou + " Then turn two-factor authentication back on.",
		}
	case KindCodesLocked:
		subject = "Too many wrong codes were tried for your Sesame account"
		body = []string{
			"Someone entered too many wrong codes for your Sesame account's address. To keep the account safe, codes mailed to this address are refused for up to a day.",
			"If it was you, wait and ask for a new code later. If it was not you, someone may be trying to take your account: keep your password to yourself; your account is not changed.",
			"Sesame support will never ask you for your password or for a code.",
		}
	default:
		panic(fmt.Sprintf("mail: unknown %v", k))
	}
	var b strings.Builder
	if p := cleanPhrase(d.Phrase); p != "" {
		b.WriteString(PhraseLine + "«" + p + "»\n\n")
	}
	b.WriteString("Hello,\n\n")
	for _, p := range body {
		b.WriteString(p + "\n\n")
	}
	b.WriteString(signature + "\n")
	return Message{To: to, Subject: subject, Text: b.String()}
}

// codeBody is the body of a mail that carries a code.
func codeBody(intro string, d Data, ignore string) []string {
	return []string{
		intro,
		"    " + d.Code,
		"It expires " + expiry(d.ValidMinutes) + ". Sesame support will never ask you for this code: do not give it to anyone.",
		ignore,
	}
}

// expiry words a validity of n minutes.
func expiry(n int) string {
	switch {
	case n <= 0:
		return "soon"
	case n == 1:
		return "in 1 minute"
	}
	return fmt.Sprintf("in %d minutes", n)
}

// cleanPhrase keeps the phrase on its one line: control and format
// characters (line breaks, bidi overrides) become spaces.
func cleanPhrase(p string) string {
	p = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, p)
	return strings.TrimSpace(p)
}
