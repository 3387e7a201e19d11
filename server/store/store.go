// Package store keeps the auth server's state: accounts, lockouts, mailed
// codes, two-factor secrets and recovery codes, sessions and refresh tokens,
// the activity log, the local outbox and the maintenance switch.
//
// [Store] is the interface the server uses; [OpenSQLite] is the embedded
// default, a pure-Go SQLite file with its migrations in the binary, and
// package server/store/postgres the store for servers on several machines
// sharing one PostgreSQL database. Every
// method that must be exact under concurrency (failure counting, code
// attempts, TOTP steps, recovery codes, refresh rotation) is one transaction,
// so it stays exact across several processes sharing one database.
package store

import (
	"context"
	"errors"
	"time"

	"sesame/authapi"
)

// Expected failures.
var (
	// ErrNotFound reports a missing, expired or revoked item.
	ErrNotFound = errors.New("store: not found")
	// ErrExists reports an account that already exists for the address.
	ErrExists = errors.New("store: already exists")
	// ErrLocked reports an address locked after too many failures.
	ErrLocked = errors.New("store: locked")
	// ErrBusy reports an address with as many attempts in flight as its
	// lock allows.
	ErrBusy = errors.New("store: attempts in flight")
	// ErrReused reports a refresh token presented after its rotation; the
	// session has been revoked.
	ErrReused = errors.New("store: refresh token reused")
	// ErrCodesLocked reports an address that spent its budget of wrong
	// mailed codes (CodeBudget).
	ErrCodesLocked = errors.New("store: too many wrong codes")
)

// Account is one user account.
type Account struct {
	ID           string
	Email        string
	PasswordHash string
	Verified     bool
	Suspended    bool
	CreatedAt    time.Time
	// TOTPSecret and TOTPPending are kept as the server gives them: sealed
	// under its key (see server.Config.TOTPKey).
	TOTPSecret   string
	TOTPPending  string
	TOTPEnabled  bool
	AntiPhishing string
}

// LockPolicy is how failures turn into locks: MaxFailures consecutive
// failures lock for Base, doubling with each further lock up to Max.
type LockPolicy struct {
	MaxFailures int
	Base        time.Duration
	Max         time.Duration
}

// Lockout is the failure count and lock of one address.
type Lockout struct {
	Failures    int
	LockCount   int
	LockedUntil time.Time
}

// Locked reports whether the address is locked at now.
func (l Lockout) Locked(now time.Time) bool { return now.Before(l.LockedUntil) }

// Code purposes.
const (
	PurposeVerify = "verify"
	PurposeReset  = "reset"
)

// CodeBudget bounds the wrong mailed codes of one address, verification and
// reset together: at most Misses in any Window.
type CodeBudget struct {
	Misses int
	Window time.Duration
}

// CodeUse is the outcome of one attempt on the mailed codes of an address.
type CodeUse struct {
	// OK: the code matched.
	OK bool
	// AttemptsLeft, after a miss, is what the address may still try: the
	// most attempts any of its live codes has left, at most the budget's
	// misses left.
	AttemptsLeft int
	// Exhausted: this miss spent the address's budget.
	Exhausted bool
}

// Registration is a pending account: a password bound to a mailed code of
// its own. The accounts table holds only verified accounts.
type Registration struct {
	Email string
	// PasswordHash is empty for a decoy, which never becomes an account
	// and never matches a sign-in.
	PasswordHash  string
	CodeHash      []byte
	CodeExpiresAt time.Time
	Attempts      int
	CreatedAt     time.Time
}

// Registrations live RegistrationTTL after their creation; an address keeps
// its MaxRegistrations newest.
const (
	RegistrationTTL  = 7 * 24 * time.Hour
	MaxRegistrations = 3
)

// Challenge is a pending two-factor sign-in.
type Challenge struct {
	AccountID  string
	DeviceName string
	ExpiresAt  time.Time
}

// Session is one signed-in device.
type Session struct {
	ID         string
	AccountID  string
	DeviceName string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Tokens are the hashes of a session's current token pair.
type Tokens struct {
	Access         []byte
	AccessExpires  time.Time
	Refresh        []byte
	RefreshExpires time.Time
}

// NewSession is a sign-in that passed every check.
type NewSession struct {
	Session      Session
	Tokens       Tokens
	PasswordHash string // the hash the password was checked against
	Email        string // whose failures are cleared
	AttemptID    string // the reservation it ends
}

// Maintenance is the server-wide maintenance switch.
type Maintenance struct {
	On      bool
	Message string
	Until   *time.Time
}

// Store is the server's storage.
type Store interface {
	Close() error

	CreateAccount(ctx context.Context, a Account) error
	AccountByEmail(ctx context.Context, email string) (Account, error)
	AccountByID(ctx context.Context, id string) (Account, error)
	// ReplacePasswordHash swaps old for new only if old is still the
	// account's hash (a rehash must not undo a concurrent change).
	ReplacePasswordHash(ctx context.Context, id, old, new string) error
	// ChangePassword swaps old for new like ReplacePasswordHash and ends
	// every other session and pending challenge of the account.
	ChangePassword(ctx context.Context, id, old, new, keepSession string) error
	SetAntiPhishing(ctx context.Context, id, phrase string) error

	// ReserveAttempt reserves an attempt on email before its password or
	// code is checked. It answers ErrLocked (with the lock) while the
	// address is locked, and ErrBusy while the failures counted plus the
	// attempts in flight reach the policy's limit, so that no more
	// attempts are checked than the lock allows however many arrive at
	// once. The reservation lives until FinishAttempt, or ttl.
	ReserveAttempt(ctx context.Context, email string, now time.Time, ttl time.Duration, p LockPolicy) (id string, l Lockout, err error)
	// FinishAttempt ends a reservation; a failed attempt is counted, and
	// locks the address when the count reaches the limit.
	FinishAttempt(ctx context.Context, id, email string, failed bool, now time.Time, p LockPolicy) (Lockout, error)

	// PutCode replaces the live code of an address and purpose.
	PutCode(ctx context.Context, email, purpose string, hash []byte, expires time.Time, attempts int) error
	// UseCode spends one attempt on the live code under the address's
	// budget: a match deletes it, a miss counts down (deleting it at zero)
	// and counts against the budget. ErrNotFound: no live code;
	// ErrCodesLocked: the budget is spent (checked first).
	UseCode(ctx context.Context, email, purpose string, now time.Time, b CodeBudget, match func(stored []byte) bool) (CodeUse, error)

	// PutRegistration stores a registration, expiring RegistrationTTL
	// after its creation, and drops the oldest of the address beyond
	// MaxRegistrations.
	PutRegistration(ctx context.Context, r Registration) error
	// Registrations lists the live registrations of an address that are
	// not decoys, newest first.
	Registrations(ctx context.Context, email string, now time.Time) ([]Registration, error)
	// VerifyRegistration spends one attempt on the live codes of the
	// address's registrations under its budget, as UseCode does. The
	// registration whose code matches becomes the verified account
	// accountID with its password hash, and every registration of the
	// address goes, in one transaction; a miss spends one attempt of
	// every live code. ErrNotFound: no live code; ErrCodesLocked: the
	// budget is spent; ErrExists: the address has an account already.
	VerifyRegistration(ctx context.Context, email string, now time.Time, b CodeBudget, match func(stored []byte) bool, accountID string) (CodeUse, error)

	// Purge deletes what expired by now: mailed codes, registrations,
	// counted code misses, challenges, sessions whose every refresh token
	// expired, spent refresh tokens, reset tokens, attempt reservations,
	// and the lockouts of addresses with no failure and no lock for a day.
	Purge(ctx context.Context, now time.Time) error

	SetPendingTOTP(ctx context.Context, accountID, secret string) error
	// RewriteTOTPSecrets replaces every non-empty TOTP secret and pending
	// secret that does not start with prefix by f(accountID, value), in
	// one transaction, and returns how many values it replaced; an error
	// of f changes nothing. The server seals the plain secrets of an older
	// database with it at start. The old values should not stay readable
	// in the database's files where the database allows it.
	RewriteTOTPSecrets(ctx context.Context, prefix string, f func(accountID, value string) (string, error)) (int, error)
	// SealedTOTPSecret returns one non-empty TOTP secret or pending
	// secret that starts with prefix, and its account; ErrNotFound when
	// there is none. The server checks its key against it at start.
	SealedTOTPSecret(ctx context.Context, prefix string) (accountID, value string, err error)
	// EnableTOTP makes the pending secret live with fresh recovery codes,
	// if it is still secret (the one the confirming code was checked with).
	EnableTOTP(ctx context.Context, accountID, secret string, codeHashes [][]byte) error
	DisableTOTP(ctx context.Context, accountID string) error
	// UseTOTPStep records step as used; false if it or a later step was used.
	UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error)
	// UseRecoveryCode spends an unused code; false if there is none.
	UseRecoveryCode(ctx context.Context, accountID string, hash []byte, now time.Time) (bool, error)
	ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte) error
	RecoveryCodesLeft(ctx context.Context, accountID string) (int, error)

	PutChallenge(ctx context.Context, idHash []byte, c Challenge) error
	Challenge(ctx context.Context, idHash []byte, now time.Time) (Challenge, error)
	DeleteChallenge(ctx context.Context, idHash []byte) error

	// CreateSession starts a session, ends its sign-in attempt, clears the
	// address's failures and records the success, in one transaction; if
	// the account's password hash is no longer the one the sign-in
	// checked, it does nothing and returns ErrNotFound.
	CreateSession(ctx context.Context, n NewSession) error
	SessionByAccess(ctx context.Context, hash []byte, now time.Time) (Session, error)
	// RotateRefresh spends a refresh token and installs the next pair. A
	// token spent before revokes its session and returns ErrReused.
	RotateRefresh(ctx context.Context, hash []byte, now time.Time, next Tokens) (Session, error)
	Sessions(ctx context.Context, accountID string) ([]Session, error)
	RevokeSession(ctx context.Context, accountID, id string) error
	// RevokeSessions ends every session of the account but except.
	RevokeSessions(ctx context.Context, accountID, except string) (int, error)

	PutResetToken(ctx context.Context, hash []byte, accountID string, expires time.Time) error
	ResetToken(ctx context.Context, hash []byte, now time.Time) (accountID string, err error)
	// CompleteReset spends the reset token (ErrNotFound when it is spent or
	// expired), sets the password, spends every other reset token, ends
	// every session and challenge and lifts the lock of the account, in one
	// transaction.
	CompleteReset(ctx context.Context, tokenHash []byte, now time.Time, accountID, email, passwordHash string) error

	AddActivity(ctx context.Context, accountID string, e authapi.ActivityEvent) error
	Activity(ctx context.Context, accountID string, limit int) ([]authapi.ActivityEvent, error)

	AddMail(ctx context.Context, m authapi.Mail) error
	// Mails lists the newest 100 mails to an address, or to anyone when
	// to is empty, newest first.
	Mails(ctx context.Context, to string) ([]authapi.Mail, error)

	Maintenance(ctx context.Context) (Maintenance, error)
	SetMaintenance(ctx context.Context, m Maintenance) error
}
