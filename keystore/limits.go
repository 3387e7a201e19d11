package keystore

import (
	"errors"
	"fmt"
	"unicode/utf16"
)

// The largest item every keychain keeps: the Windows Credential Manager's
// limits (CRED_MAX_CREDENTIAL_BLOB_SIZE, CRED_MAX_USERNAME_LENGTH), checked
// on every system before writing, so that what one keeps all keep, and
// nothing is ever cut short.
const (
	// MaxSecretBytes is the most bytes of a secret: 5×512.
	MaxSecretBytes = 2560
	// MaxNameChars is the most UTF-16 code units of an item's user name.
	MaxNameChars = 513
)

// ErrTooLarge: an item is larger than the keychain keeps. The error is a
// [*TooLargeError]; nothing was written.
var ErrTooLarge = errors.New("too large for the keychain")

// TooLargeError reports an item over [MaxSecretBytes] or [MaxNameChars]. It
// holds sizes only, never the item.
type TooLargeError struct {
	Op   string // "save"
	What string // "secret" or "name"
	Size int    // bytes of a secret, UTF-16 code units of a name
	Max  int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("keystore: %s: the %s is %d, over the keychain's limit of %d: %v", e.Op, e.What, e.Size, e.Max, ErrTooLarge)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// checkSize refuses an item the keychain cannot keep whole.
func checkSize(user, secret string) error {
	if n := len(utf16.Encode([]rune(user))); n > MaxNameChars {
		return &TooLargeError{Op: "save", What: "name", Size: n, Max: MaxNameChars}
	}
	if n := len(secret); n > MaxSecretBytes {
		return &TooLargeError{Op: "save", What: "secret", Size: n, Max: MaxSecretBytes}
	}
	return nil
}
