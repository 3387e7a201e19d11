// Package store keeps the auth server's state: accounts, lockouts, mailed
// codes, two-factor secrets and recovery codes, sessions and refresh tokens,
// the activity log, the local outbox and the maintenance switch.
//
// [Store] is the interface the server uses; [OpenSQLite] is the embedded
// default, a pure-Go SQLite file with its migrations in the binary. Every
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
	// ErrReused reports a refresh token presented after its rotation; the
	// session has been revoked.
	ErrReused = errors.New("store: refresh token reused")
)

// Account is one user account.
type Account struct {
	ID           string
	Email        string
	PasswordHash string
	Verified     bool
	Suspended    bool
	CreatedAt    time.Time
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
	SetVerified(ctx context.Context, id string) error
	SetSuspended(ctx context.Context, id string, suspended bool) error
	SetPasswordHash(ctx context.Context, id, hash string) error
	SetAntiPhishing(ctx context.Context, id, phrase string) error

	Lockout(ctx context.Context, email string) (Lockout, error)
	// RecordFailure counts a failure unless the address is locked at now,
	// and locks it when the count reaches the policy's limit.
	RecordFailure(ctx context.Context, email string, now time.Time, p LockPolicy) (Lockout, error)
	// ClearFailures forgets the failure count; lift also ends any lock.
	ClearFailures(ctx context.Context, email string, lift bool) error

	// PutCode replaces the live code of an address and purpose.
	PutCode(ctx context.Context, email, purpose string, hash []byte, expires time.Time, attempts int) error
	// UseCode spends one attempt on the live code: a match deletes it, a
	// miss counts down and deletes it at zero. ErrNotFound: no live code.
	UseCode(ctx context.Context, email, purpose string, now time.Time, match func(stored []byte) bool) (ok bool, attemptsLeft int, err error)

	SetPendingTOTP(ctx context.Context, accountID, secret string) error
	// EnableTOTP makes the pending secret live with fresh recovery codes.
	EnableTOTP(ctx context.Context, accountID string, codeHashes [][]byte) error
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

	CreateSession(ctx context.Context, s Session, t Tokens) error
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
	// CompleteReset sets the password, spends every reset token, ends every
	// session and lifts the lock of the account, in one transaction.
	CompleteReset(ctx context.Context, accountID, email, passwordHash string) error

	AddActivity(ctx context.Context, accountID string, e authapi.ActivityEvent) error
	Activity(ctx context.Context, accountID string, limit int) ([]authapi.ActivityEvent, error)

	AddMail(ctx context.Context, m authapi.Mail) error
	Mails(ctx context.Context, to string) ([]authapi.Mail, error)

	Maintenance(ctx context.Context) (Maintenance, error)
	SetMaintenance(ctx context.Context, m Maintenance) error
}
