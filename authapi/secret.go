package authapi

// SecretKind names a secret that a support request must not carry: the
// guard (recovery.FindSecret) reports it, and the server's refusal names it
// in Problem.Secret.
type SecretKind string

// The secrets the guard finds.
const (
	SecretRecoveryPhrase SecretKind = "recovery_phrase"
	SecretRecoveryCode   SecretKind = "recovery_code"
	SecretCode           SecretKind = "code"
	SecretPassword       SecretKind = "password"
)
