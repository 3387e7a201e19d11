// Package keystore keeps Sesame's secrets at rest.
//
// The refresh token behind "Remember me on this computer" lives in the OS
// keychain (the Secret Service on Linux, the Keychain on macOS, the
// Credential Manager on Windows) through [Keychain]: [Keychain.SaveRefreshToken],
// [Keychain.RefreshToken], [Keychain.RememberedAccount],
// [Keychain.DeleteRefreshToken] and the health probe [Keychain.Check]. The
// accounts' anti-phishing phrases, which the sign-in screen shows before
// signing in, live there too ([Keychain.SavePhrase], [Keychain.Phrase],
// [Keychain.ForgetPhrases]), the device tokens of the accounts' sign-ins
// ([Keychain.SaveDeviceToken], [Keychain.DeviceToken],
// [Keychain.ForgetDeviceTokens]), and so do named secrets such as the key of the
// built-in server's TOTP secrets ([Keychain.SaveSecret], [Keychain.Secret],
// [Keychain.DeleteSecret]). Every call has a deadline, and a keychain that
// cannot be used is reported as an [*UnavailableError] (matching
// [ErrKeychainUnavailable]) whose [Reason] the UI branches on. The keychain
// calls never fall back to a file; a caller that does (the built-in server's
// key, without any keychain) says so.
//
// The wallet seed lives in the vault: one versioned file holding a payload
// encrypted with XChaCha20-Poly1305 under a key derived from the wallet
// password with Argon2id ([Save], [Open], [ChangePassword], [Exists],
// [ReadInfo]). The KDF [Params] are stored in the file header, authenticated
// with the ciphertext, and a file weaker than [MinParams] does not open
// ([ErrWeakParams]). Writes are atomic: a crash leaves either the old file or
// the new one, and saves of one file may run at once. Each account of each
// server has a vault file of its own ([VaultPath]); [Move] hands a vault to
// an account.
package keystore
