package app

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"unicode"
)

// TypingWarning is a sign that a password field holds something other than
// what the user meant to type. It is a warning only: the field is sent as
// typed.
type TypingWarning string

// The typing warnings, in the order a field shows them.
const (
	// WarnCapsLock: the letters arrive in the wrong case.
	WarnCapsLock TypingWarning = "caps_lock"
	// WarnSpaces: the text starts or ends with a space.
	WarnSpaces TypingWarning = "spaces"
	// WarnFullWidth: an input method left in full-width mode typed
	// full-width forms of ASCII (U+FF01–FF5E) or the ideographic space.
	WarnFullWidth TypingWarning = "full_width"
	// WarnAccountPassword: a wallet password is the account password.
	WarnAccountPassword TypingWarning = "account_password"
)

// capsMinLetters is how many cased letters a text needs before its case
// counts as a sign of Caps Lock.
const capsMinLetters = 3

// CheckTyping returns the warnings for a typed password, without reading
// the keyboard's state (which Fyne does not give). Caps Lock seems on when
// the text has at least capsMinLetters cased letters and every one is
// upper-case except, at most, the first letter of each run of letters,
// which is lower-case: "PASSWORD" typed with Caps Lock, or "pASSWORD"
// typed with Caps Lock and Shift for a capital, which inverts its case.
func CheckTyping(text string) []TypingWarning {
	var out []TypingWarning
	if capsLockSeemsOn(text) {
		out = append(out, WarnCapsLock)
	}
	if r := []rune(text); len(r) > 0 && (unicode.IsSpace(r[0]) || unicode.IsSpace(r[len(r)-1])) {
		out = append(out, WarnSpaces)
	}
	for _, r := range text {
		if r == '\u3000' || (r >= '\uff01' && r <= '\uff5e') {
			out = append(out, WarnFullWidth)
			break
		}
	}
	return out
}

// capsLockSeemsOn is CheckTyping's Caps Lock heuristic.
func capsLockSeemsOn(text string) bool {
	upper := 0
	prevLetter := false
	for _, r := range text {
		letter := unicode.IsLetter(r)
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r) && prevLetter:
			// A lower-case letter inside a run: typed as meant.
			return false
		}
		prevLetter = letter
	}
	return upper >= capsMinLetters
}

// accountSecret is what the app keeps of the account password for the
// session: an HMAC under a key drawn for this sign-in, never the password.
type accountSecret struct {
	key, mac []byte
}

// keepAccountPassword remembers password as the account password of this
// session, to warn when it is reused as the wallet password.
func (a *App) keepAccountPassword(password string) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return
	}
	s := &accountSecret{key: key, mac: passwordMAC(key, password)}
	a.mu.Lock()
	a.accountPw = s
	a.mu.Unlock()
}

func passwordMAC(key []byte, password string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(password))
	return m.Sum(nil)
}

// WalletPasswordWarnings are CheckTyping's warnings for a wallet password,
// and WarnAccountPassword when it is the account password this session
// signed in with (compared in constant time; unknown after a resumed
// session).
func (a *App) WalletPasswordWarnings(password string) []TypingWarning {
	out := CheckTyping(password)
	a.mu.Lock()
	s := a.accountPw
	a.mu.Unlock()
	if s != nil && password != "" && hmac.Equal(s.mac, passwordMAC(s.key, password)) {
		out = append(out, WarnAccountPassword)
	}
	return out
}
