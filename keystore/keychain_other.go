//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd || windows)

package keystore

// sessionBus has nothing to check where the keychain is not reached
// through D-Bus.
func sessionBus() error { return nil }

// diagnose has no finer reason to give outside the Secret Service.
func diagnose(error) Reason { return ReasonOther }
