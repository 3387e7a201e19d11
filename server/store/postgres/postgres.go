// Package postgres is the auth server's store on PostgreSQL, for several
// server replicas sharing one database.
//
// It keeps the semantics of the SQLite store. Its transactions run at READ
// COMMITTED and take row locks where SQLite's single writer made them
// exact: a sign-in attempt locks its address's lockout row, a mailed code
// and a refresh token are read FOR UPDATE, a new session holds its
// account's row FOR SHARE against a concurrent password change, and the
// single-use updates (TOTP steps, recovery codes, password swaps) re-check
// their condition on the row they wait for. A transaction that still hits
// a deadlock or serialization failure is run again.
//
// It is a package of its own so that the desktop app, which imports the
// SQLite store, does not carry the PostgreSQL driver.
package postgres

import (
	"cmp"
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"sesame/authapi"
	"sesame/server/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key the servers take turns on while
// migrating, so that replicas starting at once do not race.
const migrationLock int64 = 0x5e5a3e_0001

// tries is how often a transaction runs when it keeps failing on a
// deadlock or serialization failure.
const tries = 5

// Store is the PostgreSQL store: a pool of connections to one database.
type Store struct{ pool *pgxpool.Pool }

var _ store.Admin = (*Store)(nil)

// IsURL reports whether db names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a SQLite file.
func IsURL(db string) bool {
	l := strings.ToLower(db)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Open connects to the database at url (postgres://user:pass@host/db; the
// pgx pool settings such as pool_max_conns are accepted) and applies the
// embedded migrations it lacks.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parser's message may quote the URL and so its password.
		return nil, errors.New("the PostgreSQL URL does not parse (it is not shown: it may hold a password)")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("opening PostgreSQL: %w", err)
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
			return err
		}
		var version int
		err := tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			_, err = tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES (0)`)
		}
		if err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		version, err = store.Migrate(migrations, version, func(body string) error {
			_, err := tx.Exec(ctx, body)
			return err
		})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE schema_version SET version = $1`, version)
		return err
	})
}

// Close closes the pool's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// tx runs f in one transaction, again after a deadlock or serialization
// failure; f must be safe to run more than once.
func (s *Store) tx(ctx context.Context, f func(pgx.Tx) error) error {
	for try := 1; ; try++ {
		err := pgx.BeginFunc(ctx, s.pool, f)
		var pe *pgconn.PgError
		if try == tries || !errors.As(err, &pe) || (pe.Code != "40001" && pe.Code != "40P01") {
			return err
		}
	}
}

// stmt is one statement with its arguments.
type stmt struct {
	sql  string
	args []any
}

// batch runs the statements in one round trip, in tx.
func batch(ctx context.Context, tx pgx.Tx, stmts ...stmt) error {
	b := &pgx.Batch{}
	for _, q := range stmts {
		b.Queue(q.sql, q.args...)
	}
	return tx.SendBatch(ctx, b).Close()
}

func one(tag pgconn.CommandTag, err error) error {
	if err == nil && tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return err
}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// orNil is t, or NULL for the zero time.
func orNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromNil is *t in UTC, or the zero time for NULL.
func fromNil(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// CreateAccount implements store.Store.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	_, err := s.pool.Exec(ctx,
		`INSERT INTO accounts (id, email, password_hash, verified, suspended, created_at, language) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.ID, a.Email, a.PasswordHash, a.Verified, a.Suspended, a.CreatedAt, cmp.Or(a.Language, authapi.DefaultLanguage))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "accounts_email_key" {
		return store.ErrExists
	}
	return err
}

const accountCols = `id, email, password_hash, verified, suspended, created_at, totp_secret, totp_pending, totp_enabled, anti_phishing, language, reset_required`

func scanAccount(row pgx.Row) (store.Account, error) {
	var a store.Account
	err := row.Scan(&a.ID, &a.Email, &a.PasswordHash, &a.Verified, &a.Suspended, &a.CreatedAt,
		&a.TOTPSecret, &a.TOTPPending, &a.TOTPEnabled, &a.AntiPhishing, &a.Language, &a.ResetRequired)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, notFound(err)
}

func (s *Store) account(ctx context.Context, where string, arg any) (store.Account, error) {
	return scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+where+` = $1`, arg))
}

// AccountByEmail implements store.Store.
func (s *Store) AccountByEmail(ctx context.Context, email string) (store.Account, error) {
	return s.account(ctx, "email", email)
}

// AccountByID implements store.Store.
func (s *Store) AccountByID(ctx context.Context, id string) (store.Account, error) {
	return s.account(ctx, "id", id)
}

func (s *Store) setAccount(ctx context.Context, id, set string, v any) error {
	return one(s.pool.Exec(ctx, `UPDATE accounts SET `+set+` = $1 WHERE id = $2`, v, id))
}

// SetSuspended implements store.Admin.
func (s *Store) SetSuspended(ctx context.Context, id string, suspended bool) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := one(tx.Exec(ctx, `UPDATE accounts SET suspended = $1 WHERE id = $2`, suspended, id)); err != nil || !suspended {
			return err
		}
		return batch(ctx, tx,
			stmt{`DELETE FROM sessions WHERE account_id = $1`, []any{id}},
			stmt{`DELETE FROM challenges WHERE account_id = $1`, []any{id}},
			stmt{untrustDevices, []any{id}})
	})
}

// untrustDevices ends the trust of every device of an account.
const untrustDevices = `UPDATE devices SET trusted_until = NULL WHERE account_id = $1`

// swapHash is the compare-and-swap of a password hash: a concurrent swap
// makes it wait and then re-check the old hash on the new row.
const swapHash = `UPDATE accounts SET password_hash = $1 WHERE id = $2 AND password_hash = $3`

// ReplacePasswordHash implements store.Store.
func (s *Store) ReplacePasswordHash(ctx context.Context, id, old, new string) error {
	return one(s.pool.Exec(ctx, swapHash, new, id, old))
}

// ChangePassword implements store.Store.
func (s *Store) ChangePassword(ctx context.Context, id, old, new, keepSession string, settledBy time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := one(tx.Exec(ctx, swapHash, new, id, old)); err != nil {
			return err
		}
		return batch(ctx, tx,
			stmt{`DELETE FROM devices WHERE account_id = $1
				AND id IS DISTINCT FROM (SELECT device_id FROM sessions WHERE id = $2)`, []any{id, keepSession}},
			stmt{`DELETE FROM sessions WHERE account_id = $1 AND id <> $2`, []any{id, keepSession}},
			stmt{`DELETE FROM challenges WHERE account_id = $1`, []any{id}},
			unsettledPhone(id, settledBy))
	})
}

// SetAntiPhishing implements store.Store.
func (s *Store) SetAntiPhishing(ctx context.Context, id, phrase string) error {
	return s.setAccount(ctx, id, "anti_phishing", phrase)
}

// SetLanguage implements store.Store.
func (s *Store) SetLanguage(ctx context.Context, id, language string) error {
	return s.setAccount(ctx, id, "language", language)
}

func scanLockout(row pgx.Row) (store.Lockout, error) {
	var l store.Lockout
	var until *time.Time
	err := row.Scan(&l.Failures, &l.LockCount, &until)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Lockout{}, nil
	}
	l.LockedUntil = fromNil(until)
	return l, err
}

// lockLockout reads the lockout of an address, making its row if needed,
// and locks the row until the transaction ends: the attempts on one
// address are reserved and counted one at a time.
func lockLockout(ctx context.Context, tx pgx.Tx, email string) (store.Lockout, error) {
	return scanLockout(tx.QueryRow(ctx, `INSERT INTO lockouts (email) VALUES ($1)
		ON CONFLICT (email) DO UPDATE SET email = excluded.email
		RETURNING failures, lock_count, locked_until`, email))
}

// Lockout implements store.Store.
func (s *Store) Lockout(ctx context.Context, email string) (store.Lockout, error) {
	return scanLockout(s.pool.QueryRow(ctx, `SELECT failures, lock_count, locked_until FROM lockouts WHERE email = $1`, email))
}

// ReserveAttempt implements store.Store.
func (s *Store) ReserveAttempt(ctx context.Context, email string, now time.Time, ttl time.Duration, p store.LockPolicy) (string, store.Lockout, error) {
	id := rand.Text()
	var l store.Lockout
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		if l, err = lockLockout(ctx, tx, email); err != nil {
			return err
		}
		var inFlight int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM attempts WHERE email = $1 AND expires_at > $2`, email, now).
			Scan(&inFlight); err != nil {
			return err
		}
		if sweep, err := p.Reserve(l, inFlight, now); err != nil {
			return err
		} else if sweep {
			if _, err := tx.Exec(ctx, `DELETE FROM attempts WHERE email = $1`, email); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO attempts (id, email, expires_at) VALUES ($1, $2, $3)`, id, email, now.Add(ttl))
		return err
	})
	return id, l, err
}

// FinishAttempt implements store.Store.
func (s *Store) FinishAttempt(ctx context.Context, id, email string, failed bool, now time.Time, p store.LockPolicy) (store.Lockout, error) {
	var l store.Lockout
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if !failed {
			if _, err := tx.Exec(ctx, `DELETE FROM attempts WHERE id = $1`, id); err != nil {
				return err
			}
			var err error
			l, err = scanLockout(tx.QueryRow(ctx, `SELECT failures, lock_count, locked_until FROM lockouts WHERE email = $1`, email))
			return err
		}
		// The row is locked before the reservation goes, so that no
		// reservation sees the attempt gone and its failure not counted.
		var err error
		if l, err = lockLockout(ctx, tx, email); err != nil {
			return err
		}
		l = p.Fail(l, now)
		return batch(ctx, tx,
			stmt{`DELETE FROM attempts WHERE id = $1`, []any{id}},
			stmt{`UPDATE lockouts SET failures = $2, lock_count = $3, locked_until = $4 WHERE email = $1`,
				[]any{email, l.Failures, l.LockCount, orNil(l.LockedUntil)}})
	})
	return l, err
}

const clearFailures = `UPDATE lockouts SET failures = 0, locked_until = NULL WHERE email = $1`

// ClearFailures implements store.Admin.
func (s *Store) ClearFailures(ctx context.Context, email string) error {
	_, err := s.pool.Exec(ctx, clearFailures, email)
	return err
}

// PutCode implements store.Store.
// The address's advisory lock orders it with the attempts on the codes,
// which would otherwise count down or delete the new one.
func (s *Store) PutCode(ctx context.Context, email, purpose, slot string, hash []byte, expires time.Time, attempts int) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := lockCodes(ctx, tx, email, email, expires); err != nil {
			return err
		}
		return batch(ctx, tx,
			stmt{`INSERT INTO codes (email, purpose, slot, code_hash, expires_at, attempts_left) VALUES ($1, $2, $3, $4, $5, $6)`,
				[]any{email, purpose, slot, hash, expires, attempts}},
			stmt{`DELETE FROM codes WHERE email = $1 AND purpose = $2 AND slot = $3 AND id NOT IN
				(SELECT id FROM codes WHERE email = $1 AND purpose = $2 AND slot = $3 ORDER BY id DESC LIMIT $4)`,
				[]any{email, purpose, slot, store.KeptCodes}})
	})
}

// lockCodes takes the address's advisory lock until the transaction ends
// and counts the live code misses of a budget's key (the address, or a
// device): the attempts on one address's codes are checked and counted one
// at a time, across every server.
func lockCodes(ctx context.Context, tx pgx.Tx, email, key string, now time.Time) (int, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, email); err != nil {
		return 0, err
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM code_misses WHERE email = $1 AND expires_at > $2`, key, now).Scan(&n)
	return n, err
}

// countMiss counts a wrong code on a budget's key for the budget's window.
func countMiss(key string, now time.Time, b store.CodeBudget) stmt {
	return stmt{`INSERT INTO code_misses (email, expires_at) VALUES ($1, $2)`, []any{key, now.Add(b.Window)}}
}

// UseCode implements store.Store.
func (s *Store) UseCode(ctx context.Context, email, purpose, slot, budgetKey string, now time.Time, b store.CodeBudget, match func([]byte) bool) (store.CodeUse, error) {
	var use store.CodeUse
	// The live codes the attempt may match.
	const tried = ` WHERE email = $1 AND purpose = $2 AND slot IN ('', $3) AND expires_at > $4 AND attempts_left > 0`
	args := []any{email, purpose, slot, now}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		n, err := lockCodes(ctx, tx, email, budgetKey, now)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT code_hash, attempts_left FROM codes`+tried, args...)
		if err != nil {
			return err
		}
		var cs []store.Code
		var c store.Code
		if _, err := pgx.ForEachRow(rows, []any{&c.Hash, &c.AttemptsLeft}, func() error {
			cs = append(cs, c)
			return nil
		}); err != nil {
			return err
		}
		use, err = b.Use(n, cs, match)
		switch {
		case err != nil:
			return err
		case use.OK:
			_, err = tx.Exec(ctx, `DELETE FROM codes WHERE email = $1 AND purpose = $2`, email, purpose)
			return err
		}
		return batch(ctx, tx, countMiss(budgetKey, now, b), stmt{`UPDATE codes SET attempts_left = attempts_left - 1` + tried, args})
	})
	return use, err
}

// CodesLocked implements store.Store.
func (s *Store) CodesLocked(ctx context.Context, budgetKey string, now time.Time, b store.CodeBudget) (bool, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM code_misses WHERE email = $1 AND expires_at > $2`, budgetKey, now).Scan(&n)
	return b.Spent(n), err
}

// UseLongCode implements store.Store.
func (s *Store) UseLongCode(ctx context.Context, email, purpose string, now time.Time, match func([]byte) bool) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT code_hash FROM codes WHERE email = $1 AND purpose = $2 AND slot = $3 AND expires_at > $4 FOR UPDATE`,
			email, purpose, store.LongSlot, now)
		if err != nil {
			return err
		}
		hs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return err
		}
		if ok, err = store.MatchLong(hs, match); !ok || err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM codes WHERE email = $1 AND purpose = $2`, email, purpose)
		return err
	})
	return ok, err
}

// Purge implements store.Store.
func (s *Store) Purge(ctx context.Context, now time.Time) error {
	at := []any{now}
	return s.tx(ctx, func(tx pgx.Tx) error {
		return batch(ctx, tx,
			stmt{`DELETE FROM codes WHERE expires_at <= $1`, at},
			stmt{`DELETE FROM registrations WHERE expires_at <= $1`, at},
			stmt{`DELETE FROM code_misses WHERE expires_at <= $1`, at},
			stmt{`DELETE FROM challenges WHERE expires_at <= $1`, at},
			stmt{`DELETE FROM refresh_tokens WHERE used_at IS NOT NULL AND expires_at <= $1`, at},
			stmt{`DELETE FROM sessions WHERE access_expires <= $1
				AND NOT EXISTS (SELECT FROM refresh_tokens WHERE session_id = sessions.id AND expires_at > $1)`, at},
			stmt{`DELETE FROM reset_tokens WHERE expires_at <= $1`, at},
			stmt{`DELETE FROM attempts WHERE expires_at <= $1`, at},
			stmt{`DELETE FROM lockouts WHERE failures = 0 AND (locked_until IS NULL OR locked_until <= $1)`,
				[]any{now.Add(-24 * time.Hour)}},
			stmt{`DELETE FROM devices WHERE last_seen_at <= $1 AND (trusted_until IS NULL OR trusted_until <= $2)`,
				[]any{now.Add(-store.DeviceIdle), now}},
			stmt{`DELETE FROM rate_limits WHERE full_at <= $1`, []any{now.UnixMicro()}},
			stmt{`DELETE FROM wasnt_me_tokens WHERE expires_at <= $1`, at},
			stmt{`DELETE FROM notices WHERE sent_at <= $1`, []any{now.Add(-store.NoticeEvery)}})
	})
}

// PutRegistration implements store.Store.
func (s *Store) PutRegistration(ctx context.Context, r store.Registration) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := lockCodes(ctx, tx, r.Email, r.Email, r.CreatedAt); err != nil {
			return err
		}
		return batch(ctx, tx,
			stmt{`INSERT INTO registrations (email, password_hash, code_hash, code_expires_at, attempts_left, created_at, expires_at, language)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, []any{r.Email, r.PasswordHash, r.CodeHash, r.CodeExpiresAt, r.Attempts,
				r.CreatedAt, r.CreatedAt.Add(store.RegistrationTTL), cmp.Or(r.Language, authapi.DefaultLanguage)}},
			stmt{`DELETE FROM registrations WHERE email = $1 AND id NOT IN
				(SELECT id FROM registrations WHERE email = $1 ORDER BY id DESC LIMIT $2)`, []any{r.Email, store.MaxRegistrations}})
	})
}

// Registrations implements store.Store.
func (s *Store) Registrations(ctx context.Context, email string, now time.Time) ([]store.Registration, error) {
	rows, err := s.pool.Query(ctx, `SELECT email, password_hash, code_hash, code_expires_at, attempts_left, created_at, language
		FROM registrations WHERE email = $1 AND expires_at > $2 AND password_hash <> '' ORDER BY id DESC`, email, now)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Registration, error) {
		var g store.Registration
		err := r.Scan(&g.Email, &g.PasswordHash, &g.CodeHash, &g.CodeExpiresAt, &g.Attempts, &g.CreatedAt, &g.Language)
		g.CodeExpiresAt, g.CreatedAt = g.CodeExpiresAt.UTC(), g.CreatedAt.UTC()
		return g, err
	})
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// liveRegistrationCodes picks the registrations of an address whose code
// is live.
const liveRegistrationCodes = ` WHERE email = $1 AND expires_at > $2 AND code_expires_at > $2 AND attempts_left > 0`

// VerifyRegistration implements store.Store.
func (s *Store) VerifyRegistration(ctx context.Context, email string, now time.Time, b store.CodeBudget, match func(codeHash []byte, passwordHash string) bool, accountID string) (store.CodeUse, error) {
	var use store.CodeUse
	err := s.tx(ctx, func(tx pgx.Tx) error {
		n, err := lockCodes(ctx, tx, email, email, now)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT password_hash, code_hash, attempts_left, language FROM registrations`+liveRegistrationCodes+` ORDER BY id DESC`, email, now)
		if err != nil {
			return err
		}
		var rs []store.Registration
		var r store.Registration
		if _, err := pgx.ForEachRow(rows, []any{&r.PasswordHash, &r.CodeHash, &r.Attempts, &r.Language}, func() error {
			rs = append(rs, r)
			return nil
		}); err != nil {
			return err
		}
		var i int
		use, i, err = b.Verify(n, rs, match)
		switch {
		case err != nil:
			return err
		case i < 0:
			return batch(ctx, tx, countMiss(email, now, b),
				stmt{`UPDATE registrations SET attempts_left = attempts_left - 1` + liveRegistrationCodes, []any{email, now}})
		}
		if err := one(tx.Exec(ctx, `INSERT INTO accounts (id, email, password_hash, verified, created_at, language) VALUES ($1, $2, $3, true, $4, $5)
			ON CONFLICT (email) DO NOTHING`, accountID, email, rs[i].PasswordHash, now, rs[i].Language)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return store.ErrExists
			}
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM registrations WHERE email = $1`, email)
		return err
	})
	return use, err
}

// SetPendingTOTP implements store.Store.
func (s *Store) SetPendingTOTP(ctx context.Context, accountID, secret string) error {
	return s.setAccount(ctx, accountID, "totp_pending", secret)
}

// RewriteTOTPSecrets implements store.Store. The rewritten table is then
// compacted (VACUUM FULL) so that the old values leave its files, when
// the database user owns it.
func (s *Store) RewriteTOTPSecrets(ctx context.Context, prefix string, f func(accountID, value string) (string, error)) (int, error) {
	var n int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		n = 0
		rows, err := tx.Query(ctx, `SELECT id, totp_secret, totp_pending FROM accounts
			WHERE (totp_secret <> '' AND NOT starts_with(totp_secret, $1))
			   OR (totp_pending <> '' AND NOT starts_with(totp_pending, $1)) FOR UPDATE`, prefix)
		if err != nil {
			return err
		}
		type secrets struct{ id, secret, pending string }
		all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (secrets, error) {
			var v secrets
			return v, r.Scan(&v.id, &v.secret, &v.pending)
		})
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, a := range all {
			for _, v := range []*string{&a.secret, &a.pending} {
				if *v == "" || strings.HasPrefix(*v, prefix) {
					continue
				}
				if *v, err = f(a.id, *v); err != nil {
					return err
				}
				n++
			}
			b.Queue(`UPDATE accounts SET totp_secret = $2, totp_pending = $3 WHERE id = $1`, a.id, a.secret, a.pending)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		// The values are rewritten whatever happens here: a compaction
		// that fails (a user not owning the table only gets a warning)
		// is reported as such.
		if _, err := s.pool.Exec(ctx, `VACUUM (FULL) accounts`); err != nil {
			return n, fmt.Errorf("%w: compacting the accounts table: %v", store.ErrOldValuesKept, err)
		}
	}
	return n, nil
}

// SealedTOTPSecret implements store.Store.
func (s *Store) SealedTOTPSecret(ctx context.Context, prefix string) (accountID, value string, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT id, totp_secret FROM accounts WHERE totp_secret <> '' AND starts_with(totp_secret, $1)
		UNION ALL
		SELECT id, totp_pending FROM accounts WHERE totp_pending <> '' AND starts_with(totp_pending, $1)
		LIMIT 1`, prefix).Scan(&accountID, &value)
	return accountID, value, notFound(err)
}

// EnableTOTP implements store.Store.
func (s *Store) EnableTOTP(ctx context.Context, accountID, secret string, codeHashes [][]byte) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		err := one(tx.Exec(ctx, `UPDATE accounts SET totp_secret = totp_pending, totp_pending = '', totp_enabled = true
			WHERE id = $1 AND totp_pending = $2 AND totp_pending <> ''`, accountID, secret))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, untrustDevices, accountID); err != nil {
			return err
		}
		return replaceCodes(ctx, tx, accountID, codeHashes)
	})
}

// DisableTOTP implements store.Store.
func (s *Store) DisableTOTP(ctx context.Context, accountID string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		err := one(tx.Exec(ctx, `UPDATE accounts SET totp_secret = '', totp_pending = '', totp_enabled = false WHERE id = $1`, accountID))
		if err != nil {
			return err
		}
		return batch(ctx, tx,
			stmt{`DELETE FROM recovery_codes WHERE account_id = $1`, []any{accountID}},
			stmt{untrustDevices, []any{accountID}})
	})
}

// UseTOTPStep implements store.Store.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error) {
	return used(s.pool.Exec(ctx, `UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, accountID))
}

// UseRecoveryCode implements store.Store.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, hash []byte, now time.Time) (bool, error) {
	return used(s.pool.Exec(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		now, accountID, hash))
}

// used reports whether a single-use update changed a row.
func used(tag pgconn.CommandTag, err error) (bool, error) {
	return err == nil && tag.RowsAffected() > 0, err
}

// replaceCodes replaces the recovery codes of an account whose row tx has
// locked, so that two replacements do not mix.
func replaceCodes(ctx context.Context, tx pgx.Tx, accountID string, hashes [][]byte) error {
	return batch(ctx, tx,
		stmt{`DELETE FROM recovery_codes WHERE account_id = $1`, []any{accountID}},
		stmt{`INSERT INTO recovery_codes (account_id, code_hash) SELECT $1, unnest($2::bytea[])`, []any{accountID, hashes}})
}

// ReplaceRecoveryCodes implements store.Store.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT FROM accounts WHERE id = $1 FOR UPDATE`, accountID); err != nil {
			return err
		}
		return replaceCodes(ctx, tx, accountID, hashes)
	})
}

// RecoveryCodesLeft implements store.Store.
func (s *Store) RecoveryCodesLeft(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL`, accountID).Scan(&n)
	return n, err
}

// RecoveryCodeLastUsed implements store.Store.
func (s *Store) RecoveryCodeLastUsed(ctx context.Context, accountID string) (time.Time, error) {
	var last *time.Time
	err := s.pool.QueryRow(ctx, `SELECT max(used_at) FROM recovery_codes WHERE account_id = $1`, accountID).Scan(&last)
	if err != nil || last == nil {
		return time.Time{}, err
	}
	return last.UTC(), nil
}

// PutChallenge implements store.Store.
func (s *Store) PutChallenge(ctx context.Context, idHash []byte, c store.Challenge) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO challenges (id_hash, account_id, device_name, device_id, expires_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5)`, idHash, c.AccountID, c.DeviceName, c.DeviceID, c.ExpiresAt)
	return err
}

// Challenge implements store.Store.
func (s *Store) Challenge(ctx context.Context, idHash []byte, now time.Time) (store.Challenge, error) {
	var c store.Challenge
	err := s.pool.QueryRow(ctx, `SELECT account_id, device_name, COALESCE(device_id, ''), expires_at FROM challenges WHERE id_hash = $1`, idHash).
		Scan(&c.AccountID, &c.DeviceName, &c.DeviceID, &c.ExpiresAt)
	if err != nil {
		return store.Challenge{}, notFound(err)
	}
	c.ExpiresAt = c.ExpiresAt.UTC()
	if !now.Before(c.ExpiresAt) {
		return store.Challenge{}, store.ErrNotFound
	}
	return c, nil
}

// DeleteChallenge implements store.Store.
func (s *Store) DeleteChallenge(ctx context.Context, idHash []byte) error {
	return one(s.pool.Exec(ctx, `DELETE FROM challenges WHERE id_hash = $1`, idHash))
}

// CreateSession implements store.Store.
func (s *Store) CreateSession(ctx context.Context, n store.NewSession) error {
	se, t, d := n.Session, n.Tokens, n.Device
	return s.tx(ctx, func(tx pgx.Tx) error {
		// FOR SHARE holds the hash: a concurrent password change, reset,
		// suspension or "this wasn't me" waits for this session and then
		// ends it.
		var ok bool
		err := tx.QueryRow(ctx, `SELECT true FROM accounts WHERE id = $1 AND password_hash = $2 AND NOT suspended AND NOT reset_required FOR SHARE`,
			se.AccountID, n.PasswordHash).Scan(&ok)
		if err != nil {
			return notFound(err)
		}
		var token any
		if d.TokenHash != nil {
			token = d.TokenHash
		}
		switch {
		case d.ID == "":
			// A session on no known device.
		case n.Known:
			err = one(tx.Exec(ctx, `UPDATE devices SET device_name = $1, last_seen_at = $2, trusted_until = COALESCE($3, trusted_until),
				token_hash = COALESCE($4::bytea, token_hash) WHERE id = $5 AND account_id = $6`,
				d.DeviceName, d.LastSeenAt, orNil(d.TrustedUntil), token, d.ID, se.AccountID))
		default:
			_, err = tx.Exec(ctx, `INSERT INTO devices (id, account_id, token_hash, device_name, created_at, last_seen_at, trusted_until)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, se.AccountID, d.TokenHash, d.DeviceName, d.CreatedAt, d.LastSeenAt, orNil(d.TrustedUntil))
		}
		if err != nil {
			return err
		}
		return batch(ctx, tx,
			stmt{`INSERT INTO sessions (id, account_id, device_name, device_id, ip, created_at, last_seen_at, access_hash, access_expires)
				VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8, $9)`,
				[]any{se.ID, se.AccountID, se.DeviceName, d.ID, se.IP, se.CreatedAt, se.LastSeenAt, t.Access, t.AccessExpires}},
			stmt{`INSERT INTO refresh_tokens (hash, session_id, expires_at) VALUES ($1, $2, $3)`, []any{t.Refresh, se.ID, t.RefreshExpires}},
			// The lockouts' rows (the address's first) before the
			// attempt's, in the order a reservation takes them.
			stmt{`UPDATE lockouts SET failures = 0 WHERE email = $1`, []any{n.Email}},
			stmt{clearFailures, []any{n.LockKey}},
			stmt{`DELETE FROM attempts WHERE id = $1`, []any{n.AttemptID}},
			stmt{`INSERT INTO activity (account_id, at, ip, device_name, result) VALUES ($1, $2, $3, $4, $5)`,
				[]any{se.AccountID, se.CreatedAt, se.IP, se.DeviceName, authapi.ResultSuccess}})
	})
}

const sessionCols = `id, account_id, device_name, COALESCE(device_id, ''), ip, created_at, last_seen_at`

func scanSession(row pgx.Row) (store.Session, error) {
	var se store.Session
	err := row.Scan(&se.ID, &se.AccountID, &se.DeviceName, &se.DeviceID, &se.IP, &se.CreatedAt, &se.LastSeenAt)
	se.CreatedAt, se.LastSeenAt = se.CreatedAt.UTC(), se.LastSeenAt.UTC()
	return se, notFound(err)
}

// SessionByAccess implements store.Store.
func (s *Store) SessionByAccess(ctx context.Context, hash []byte, now time.Time) (store.Session, error) {
	return scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE access_hash = $1 AND access_expires > $2`, hash, now))
}

// RotateRefresh implements store.Store.
func (s *Store) RotateRefresh(ctx context.Context, hash []byte, now time.Time, next store.Tokens, per store.Limit, junk store.Charge) (store.Session, error) {
	var se store.Session
	var answer error
	err := s.tx(ctx, store.Answered(&answer, func(tx pgx.Tx) error {
		return store.ChargeJunk(rotate(ctx, tx, hash, now, next, per, &se), func() (bool, time.Duration, error) {
			return take(ctx, tx, junk.Key, junk.Limit, now)
		})
	}))
	if err == nil {
		err = answer
	}
	return se, err
}

// rotate is RotateRefresh's work in tx, but for junk's token.
func rotate(ctx context.Context, tx pgx.Tx, hash []byte, now time.Time, next store.Tokens, per store.Limit, se *store.Session) error {
	var sessionID string
	if err := tx.QueryRow(ctx, `SELECT session_id FROM refresh_tokens WHERE hash = $1`, hash).Scan(&sessionID); err != nil {
		return notFound(err)
	}
	// The session's row is locked before its token's, in the order a
	// revocation takes them; its lock makes its bucket exact.
	var err error
	if *se, err = scanSession(tx.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1 FOR UPDATE`, sessionID)); err != nil {
		return err
	}
	var rt store.RefreshToken
	if err := tx.QueryRow(ctx, `SELECT expires_at, used_at IS NOT NULL FROM refresh_tokens WHERE hash = $1 FOR UPDATE`, hash).
		Scan(&rt.ExpiresAt, &rt.Used); err != nil {
		return notFound(err)
	}
	if err := rt.Spendable(now); err != nil {
		// A token spent before revokes its session.
		if errors.Is(err, store.ErrReused) {
			if _, derr := tx.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, sessionID); derr != nil {
				return derr
			}
		}
		return err
	}
	t := per.Take(now)
	b := &pgx.Batch{}
	b.Queue(`UPDATE sessions SET access_hash = $1, access_expires = $2, last_seen_at = $3,
		refresh_full_at = greatest(refresh_full_at, $4) + $5 WHERE id = $6 AND refresh_full_at <= $7 RETURNING 0`,
		next.Access, next.AccessExpires, now, t.Now, t.Interval, sessionID, t.Latest)
	b.Queue(`UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2`, now, hash)
	b.Queue(`INSERT INTO refresh_tokens (hash, session_id, expires_at) VALUES ($1, $2, $3)`, next.Refresh, sessionID, next.RefreshExpires)
	br := tx.SendBatch(ctx, b)
	took := br.QueryRow().Scan(new(int))
	if err := br.Close(); err != nil {
		return err
	}
	if errors.Is(took, pgx.ErrNoRows) {
		// Refused: the transaction rolls back what the batch did.
		var full int64
		if err := tx.QueryRow(ctx, `SELECT refresh_full_at FROM sessions WHERE id = $1`, sessionID).Scan(&full); err != nil {
			return err
		}
		return &store.LimitedError{Wait: t.Wait(full)}
	}
	se.LastSeenAt = now
	return took
}

// Sessions implements store.Store.
func (s *Store) Sessions(ctx context.Context, accountID string) ([]store.Session, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE account_id = $1 ORDER BY created_at DESC`, accountID)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Session, error) { return scanSession(r) })
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// RevokeSession implements store.Store.
func (s *Store) RevokeSession(ctx context.Context, accountID, id string) error {
	return one(s.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1 AND account_id = $2`, id, accountID))
}

// RevokeSessions implements store.Store.
func (s *Store) RevokeSessions(ctx context.Context, accountID, except string) (int, error) {
	return count(s.pool.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1 AND id <> $2`, accountID, except))
}

const deviceCols = `id, account_id, token_hash, device_name, created_at, last_seen_at, trusted_until`

func scanDevice(row pgx.Row) (store.Device, error) {
	var d store.Device
	var trusted *time.Time
	err := row.Scan(&d.ID, &d.AccountID, &d.TokenHash, &d.DeviceName, &d.CreatedAt, &d.LastSeenAt, &trusted)
	d.CreatedAt, d.LastSeenAt, d.TrustedUntil = d.CreatedAt.UTC(), d.LastSeenAt.UTC(), fromNil(trusted)
	return d, notFound(err)
}

// DeviceByToken implements store.Store.
func (s *Store) DeviceByToken(ctx context.Context, hash []byte) (store.Device, error) {
	return scanDevice(s.pool.QueryRow(ctx, `SELECT `+deviceCols+` FROM devices WHERE token_hash = $1`, hash))
}

// Devices implements store.Store.
func (s *Store) Devices(ctx context.Context, accountID string) ([]store.Device, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deviceCols+` FROM devices WHERE account_id = $1
		ORDER BY last_seen_at DESC, created_at DESC`, accountID)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Device, error) { return scanDevice(r) })
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// ForgetDevice implements store.Store.
func (s *Store) ForgetDevice(ctx context.Context, accountID, id string) (string, error) {
	var name string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `DELETE FROM devices WHERE id = $1 AND account_id = $2 RETURNING device_name`, id, accountID).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM lockouts WHERE email = $1`, store.DeviceKeyPrefix+id)
		return err
	})
	return name, err
}

// PutResetToken implements store.Store.
func (s *Store) PutResetToken(ctx context.Context, hash []byte, accountID string, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO reset_tokens (hash, account_id, expires_at) VALUES ($1, $2, $3)`, hash, accountID, expires)
	return err
}

// ResetToken implements store.Store.
func (s *Store) ResetToken(ctx context.Context, hash []byte, now time.Time) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT account_id FROM reset_tokens WHERE hash = $1 AND expires_at > $2`, hash, now).Scan(&id)
	return id, notFound(err)
}

// CompleteReset implements store.Store.
func (s *Store) CompleteReset(ctx context.Context, tokenHash []byte, now time.Time, accountID, email, passwordHash string, settledBy time.Time, dev *store.Device) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		// The account's row is locked before its token, so that resets of
		// one account with different tokens queue instead of deadlocking
		// on each other's tokens.
		if _, err := tx.Exec(ctx, `SELECT FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID); err != nil {
			return err
		}
		err := one(tx.Exec(ctx, `DELETE FROM reset_tokens WHERE hash = $1 AND account_id = $2 AND expires_at > $3`, tokenHash, accountID, now))
		if err != nil {
			return err
		}
		err = batch(ctx, tx,
			stmt{`UPDATE accounts SET password_hash = $1, verified = true, reset_required = false WHERE id = $2`, []any{passwordHash, accountID}},
			stmt{`DELETE FROM reset_tokens WHERE account_id = $1`, []any{accountID}},
			stmt{`DELETE FROM sessions WHERE account_id = $1`, []any{accountID}},
			stmt{`DELETE FROM challenges WHERE account_id = $1`, []any{accountID}},
			stmt{`DELETE FROM lockouts WHERE email IN ($1, $4) OR email IN (SELECT $2::text || id FROM devices WHERE account_id = $3)`,
				[]any{email, store.DeviceKeyPrefix, accountID, store.ResetKeyPrefix + email}},
			stmt{`DELETE FROM devices WHERE account_id = $1`, []any{accountID}},
			unsettledPhone(accountID, settledBy))
		if err != nil || dev == nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO devices (id, account_id, token_hash, device_name, created_at, last_seen_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, dev.ID, accountID, dev.TokenHash, dev.DeviceName, dev.CreatedAt, dev.LastSeenAt)
		return err
	})
}

// unsettledPhone removes the account's phone number when it was verified
// after settledBy.
func unsettledPhone(accountID string, settledBy time.Time) stmt {
	return stmt{`DELETE FROM phones WHERE account_id = $1 AND number <> '' AND verified_at > $2`, []any{accountID, settledBy}}
}

// ClaimNotice implements store.Store: the upsert locks the row, so that a
// concurrent claim sees the winner's time and changes nothing.
func (s *Store) ClaimNotice(ctx context.Context, accountID, kind string, now time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO notices (account_id, kind, sent_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, kind) DO UPDATE SET sent_at = excluded.sent_at WHERE notices.sent_at <= $4`,
		accountID, kind, now, now.Add(-store.NoticeEvery))
	return err == nil && tag.RowsAffected() == 1, err
}

// PutWasntMeToken implements store.Store.
func (s *Store) PutWasntMeToken(ctx context.Context, hash []byte, t store.WasntMeToken) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO wasnt_me_tokens (hash, account_id, expires_at) VALUES ($1, $2, $3)`,
		hash, t.AccountID, t.ExpiresAt)
	return err
}

// WasntMeToken implements store.Store.
func (s *Store) WasntMeToken(ctx context.Context, hash []byte) (store.WasntMeToken, error) {
	return wasntMeToken(s.pool.QueryRow(ctx, `SELECT account_id, expires_at, used_at FROM wasnt_me_tokens WHERE hash = $1`, hash))
}

func wasntMeToken(row pgx.Row) (store.WasntMeToken, error) {
	var t store.WasntMeToken
	var used *time.Time
	err := row.Scan(&t.AccountID, &t.ExpiresAt, &used)
	t.ExpiresAt, t.UsedAt = t.ExpiresAt.UTC(), fromNil(used)
	return t, notFound(err)
}

// SecureAccount implements store.Store.
func (s *Store) SecureAccount(ctx context.Context, hash []byte, now time.Time, e authapi.ActivityEvent) (string, error) {
	var id string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		t, err := wasntMeToken(tx.QueryRow(ctx, `SELECT account_id, expires_at, used_at FROM wasnt_me_tokens WHERE hash = $1 FOR UPDATE`, hash))
		if err == nil {
			err = t.Spendable(now)
		}
		if err != nil {
			return err
		}
		id = t.AccountID
		// The account's row first, as CompleteReset takes it.
		return batch(ctx, tx,
			stmt{`UPDATE accounts SET reset_required = true WHERE id = $1`, []any{id}},
			stmt{`UPDATE wasnt_me_tokens SET used_at = $1 WHERE hash = $2`, []any{now, hash}},
			stmt{`DELETE FROM sessions WHERE account_id = $1`, []any{id}},
			stmt{`DELETE FROM challenges WHERE account_id = $1`, []any{id}},
			stmt{untrustDevices, []any{id}},
			stmt{`DELETE FROM reset_tokens WHERE account_id = $1`, []any{id}},
			stmt{`DELETE FROM codes WHERE purpose = $1 AND email = (SELECT email FROM accounts WHERE id = $2)`, []any{store.PurposeReset, id}},
			stmt{`DELETE FROM phones WHERE account_id = $1`, []any{id}},
			stmt{`INSERT INTO activity (account_id, at, ip, device_name, result, claimed) VALUES ($1, $2, $3, $4, $5, $6)`,
				[]any{id, e.At, e.IP, e.DeviceName, e.Result, e.Claimed}})
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// AddActivity implements store.Store.
func (s *Store) AddActivity(ctx context.Context, accountID string, e authapi.ActivityEvent) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO activity (account_id, at, ip, device_name, result, claimed) VALUES ($1, $2, $3, $4, $5, $6)`,
		accountID, e.At, e.IP, e.DeviceName, e.Result, e.Claimed)
	return err
}

// Activity implements store.Store.
func (s *Store) Activity(ctx context.Context, accountID string, limit int) ([]authapi.ActivityEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT at, ip, device_name, result, claimed FROM activity WHERE account_id = $1 ORDER BY seq DESC LIMIT $2`,
		accountID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (authapi.ActivityEvent, error) {
		var e authapi.ActivityEvent
		err := r.Scan(&e.At, &e.IP, &e.DeviceName, &e.Result, &e.Claimed)
		e.At = e.At.UTC()
		return e, err
	})
}

// AddMail implements store.Store.
func (s *Store) AddMail(ctx context.Context, m authapi.Mail) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO outbox (id, rcpt, subject, body, html, sent_at, sms) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		m.ID, strings.ToLower(m.To), m.Subject, m.Text, m.HTML, m.SentAt, m.SMS)
	return err
}

// Mails implements store.Store.
func (s *Store) Mails(ctx context.Context, to string) ([]authapi.Mail, error) {
	// Two queries, so that one address's mails are found through the
	// outbox_rcpt index.
	query, args := `SELECT id, rcpt, subject, body, html, sent_at, sms FROM outbox ORDER BY seq DESC LIMIT 100`, []any{}
	if to != "" {
		query = `SELECT id, rcpt, subject, body, html, sent_at, sms FROM outbox WHERE rcpt = $1 ORDER BY seq DESC LIMIT 100`
		args = []any{strings.ToLower(to)}
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (authapi.Mail, error) {
		var m authapi.Mail
		err := r.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.SentAt, &m.SMS)
		m.SentAt = m.SentAt.UTC()
		return m, err
	})
}

// Maintenance implements store.Store.
func (s *Store) Maintenance(ctx context.Context) (store.Maintenance, error) {
	var m store.Maintenance
	err := s.pool.QueryRow(ctx, `SELECT active, message, until FROM maintenance WHERE one = 1`).Scan(&m.On, &m.Message, &m.Until)
	if m.Until != nil {
		*m.Until = m.Until.UTC()
	}
	return m, err
}

// SetMaintenance implements store.Store.
func (s *Store) SetMaintenance(ctx context.Context, m store.Maintenance) error {
	_, err := s.pool.Exec(ctx, `UPDATE maintenance SET active = $1, message = $2, until = $3 WHERE one = 1`, m.On, m.Message, m.Until)
	return err
}

// FindAccounts implements store.Store.
func (s *Store) FindAccounts(ctx context.Context, text string, limit int) ([]store.Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+accountCols+` FROM accounts WHERE strpos(email, $1) > 0
		ORDER BY created_at DESC, id LIMIT $2`, text, limit)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Account, error) { return scanAccount(r) })
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// Administer implements store.Store.
// The account's row is locked first, in the order a sign-in and a reset
// take it before the lockouts' rows.
func (s *Store) Administer(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	in := e
	err := s.tx(ctx, func(tx pgx.Tx) error {
		e = in
		var suspended bool
		err := tx.QueryRow(ctx, `SELECT email, suspended FROM accounts WHERE id = $1 FOR UPDATE`, e.AccountID).Scan(&e.Email, &suspended)
		if err != nil {
			return notFound(err)
		}
		id := e.AccountID
		// keys picks the lockout and code budget keys of the account.
		const keys = `(email IN ($1, $2) OR email IN (SELECT $3::text || id FROM devices WHERE account_id = $4))`
		keyArgs := []any{e.Email, store.ResetKeyPrefix + e.Email, store.DeviceKeyPrefix, id}
		n := 0
		switch e.Action {
		case store.ActionSuspend, store.ActionRevokeSessions:
			if e.Action == store.ActionSuspend {
				err = batch(ctx, tx, stmt{`UPDATE accounts SET suspended = true WHERE id = $1`, []any{id}}, stmt{untrustDevices, []any{id}})
			}
			if err == nil {
				n, err = count(tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, id))
			}
			if err == nil {
				_, err = tx.Exec(ctx, `DELETE FROM challenges WHERE account_id = $1`, id)
			}
		case store.ActionUnsuspend:
			_, err = tx.Exec(ctx, `UPDATE accounts SET suspended = false WHERE id = $1`, id)
		case store.ActionUnlock:
			n, err = count(tx.Exec(ctx, `UPDATE lockouts SET failures = 0, locked_until = NULL
				WHERE `+keys+` AND (failures > 0 OR locked_until > $5)`, append(keyArgs, e.At)...))
			if err == nil {
				_, err = tx.Exec(ctx, `DELETE FROM code_misses WHERE `+keys, keyArgs...)
			}
		case store.ActionDelete:
			err = batch(ctx, tx,
				stmt{`DELETE FROM lockouts WHERE ` + keys, keyArgs},
				stmt{`DELETE FROM code_misses WHERE ` + keys, keyArgs},
				stmt{`DELETE FROM attempts WHERE ` + keys, keyArgs},
				stmt{`DELETE FROM codes WHERE email = $1`, []any{e.Email}},
				stmt{`DELETE FROM registrations WHERE email = $1`, []any{e.Email}},
				stmt{`DELETE FROM outbox WHERE rcpt = $1`, []any{e.Email}},
				stmt{`UPDATE audit_log SET email = '' WHERE account_id = $1`, []any{id}},
				// Its other rows go by the foreign keys' cascades.
				stmt{`DELETE FROM accounts WHERE id = $1`, []any{id}})
			e.Email = ""
		case store.ActionExport:
		default:
			return store.ErrUnknownAction
		}
		if err != nil {
			return err
		}
		e.Outcome = store.Outcome(e.Action, suspended, n)
		return tx.QueryRow(ctx, `INSERT INTO audit_log (at, operator, action, account_id, email, reason, outcome)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`, e.At, e.Operator, e.Action, id, e.Email, e.Reason, e.Outcome).Scan(&e.Seq)
	})
	if err != nil {
		return store.AuditEntry{}, err
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	return e, nil
}

// count is the number of rows a statement changed.
func count(tag pgconn.CommandTag, err error) (int, error) {
	return int(tag.RowsAffected()), err
}

// AuditLog implements store.Store.
func (s *Store) AuditLog(ctx context.Context, account string, limit int) ([]store.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, at, operator, action, account_id, email, reason, outcome FROM audit_log
		WHERE $1 = '' OR account_id = $1 OR email = $1 ORDER BY seq DESC LIMIT $2`, account, limit)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.AuditEntry, error) {
		var e store.AuditEntry
		err := r.Scan(&e.Seq, &e.At, &e.Operator, &e.Action, &e.AccountID, &e.Email, &e.Reason, &e.Outcome)
		e.At = e.At.UTC()
		return e, err
	})
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// takeSQL takes a token of a bucket (see store.Take): $1 its key, $2 now,
// $3 the interval and $4 the latest full time; no row when it has none.
const takeSQL = `INSERT INTO rate_limits (key, full_at) VALUES ($1, $2::bigint + $3)
	ON CONFLICT (key) DO UPDATE SET full_at = greatest(rate_limits.full_at, $2) + $3 WHERE rate_limits.full_at <= $4
	RETURNING full_at`

// TakeToken implements store.Store. The upsert locks the bucket's row, so
// that concurrent takes apply one after another.
func (s *Store) TakeToken(ctx context.Context, key string, l store.Limit, now time.Time) (bool, time.Duration, error) {
	return take(ctx, s.pool, key, l, now)
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}

// take takes a token of key's bucket under l through q; when it has none,
// it answers false and the wait.
func take(ctx context.Context, q querier, key string, l store.Limit, now time.Time) (bool, time.Duration, error) {
	if l.PerSecond <= 0 {
		return true, 0, nil
	}
	t, k := l.Take(now), store.LimitKey(key)
	err := q.QueryRow(ctx, takeSQL, k, t.Now, t.Interval, t.Latest).Scan(new(int64))
	if !errors.Is(err, pgx.ErrNoRows) {
		return err == nil, 0, err
	}
	wait, err := refused(ctx, q, k, t)
	return false, wait, err
}

// refused is the wait of a take t of key k that was refused.
func refused(ctx context.Context, q querier, k []byte, t store.Take) (time.Duration, error) {
	var full int64
	err := q.QueryRow(ctx, `SELECT full_at FROM rate_limits WHERE key = $1`, k).Scan(&full)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil // purged meanwhile: full now
	}
	return t.Wait(full), err
}

// Phones.

// SetPendingPhone implements store.Store.
func (s *Store) SetPendingPhone(ctx context.Context, accountID, number string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO phones (account_id, pending) VALUES ($1, $2)
		ON CONFLICT (account_id) DO UPDATE SET pending = excluded.pending`, accountID, number)
	return err
}

// Phone implements store.Store.
func (s *Store) Phone(ctx context.Context, accountID string) (store.Phone, error) {
	var p store.Phone
	var at *time.Time
	err := s.pool.QueryRow(ctx, `SELECT number, verified_at, pending FROM phones WHERE account_id = $1`, accountID).
		Scan(&p.Number, &at, &p.Pending)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Phone{}, nil
	}
	if at != nil && p.Number != "" {
		p.VerifiedAt = at.UTC()
	}
	return p, err
}

// ConfirmPhone implements store.Store.
func (s *Store) ConfirmPhone(ctx context.Context, accountID, number string, now time.Time) error {
	return one(s.pool.Exec(ctx, `UPDATE phones SET number = pending, pending = '', verified_at = $1
		WHERE account_id = $2 AND pending = $3 AND pending <> ''`, now, accountID, number))
}

// RemovePhone implements store.Store.
func (s *Store) RemovePhone(ctx context.Context, accountID string) error {
	return one(s.pool.Exec(ctx, `DELETE FROM phones WHERE account_id = $1`, accountID))
}

// Tickets.

const ticketCols = `number, account_id, email, language, topic, description, report, staff_phrase, status, signed_in, created_at, updated_at`

// scanTicket reads the ticketCols and purged_at of a row.
func scanTicket(row pgx.Row) (store.Ticket, error) {
	var t store.Ticket
	var purged *time.Time
	err := row.Scan(&t.Number, &t.AccountID, &t.Email, &t.Language, &t.Topic, &t.Description, &t.Report, &t.StaffPhrase,
		&t.Status, &t.SignedIn, &t.CreatedAt, &t.UpdatedAt, &purged)
	t.CreatedAt, t.UpdatedAt, t.PurgedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC(), fromNil(purged)
	return t, notFound(err)
}

// CreateTicket implements store.Store. The account's row is locked, so
// that concurrent requests count each other's tickets.
func (s *Store) CreateTicket(ctx context.Context, t store.Ticket, maxOpen int) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, t.AccountID); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE account_id = $1 AND status <> $2`,
			t.AccountID, authapi.TicketClosed).Scan(&open); err != nil {
			return err
		}
		if open >= maxOpen {
			return store.ErrTicketLimit
		}
		_, err := tx.Exec(ctx, `INSERT INTO tickets (`+ticketCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			t.Number, t.AccountID, t.Email, t.Language, t.Topic, t.Description, t.Report, t.StaffPhrase, t.Status, t.SignedIn,
			t.CreatedAt, t.UpdatedAt)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return store.ErrExists
		}
		return err
	})
}

// tickets reads the tickets of a query, with their replies when replies.
func (s *Store) tickets(ctx context.Context, replies bool, query string, args ...any) ([]store.Ticket, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+ticketCols+`, purged_at FROM tickets `+query, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Ticket, error) { return scanTicket(r) })
	if err != nil || !replies {
		return out, err
	}
	for i := range out {
		rows, err := s.pool.Query(ctx, `SELECT at, operator, body FROM ticket_replies WHERE number = $1 ORDER BY seq`, out[i].Number)
		if err != nil {
			return nil, err
		}
		out[i].Replies, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.TicketReply, error) {
			var rp store.TicketReply
			err := r.Scan(&rp.At, &rp.Operator, &rp.Text)
			rp.At = rp.At.UTC()
			return rp, err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Tickets implements store.Store.
func (s *Store) Tickets(ctx context.Context, accountID string) ([]store.Ticket, error) {
	return s.tickets(ctx, true, `WHERE account_id = $1 AND purged_at IS NULL ORDER BY created_at DESC, number`, accountID)
}

// Ticket implements store.Store.
func (s *Store) Ticket(ctx context.Context, number string) (store.Ticket, error) {
	list, err := s.tickets(ctx, true, `WHERE number = $1`, number)
	if err == nil && len(list) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Ticket{}, err
	}
	return list[0], nil
}

// FindTickets implements store.Store.
func (s *Store) FindTickets(ctx context.Context, status string, limit int) ([]store.Ticket, error) {
	return s.tickets(ctx, false, `WHERE $1 = '' OR status = $1 ORDER BY updated_at, number LIMIT $2`, status, limit)
}

// AnswerTicket implements store.Store.
func (s *Store) AnswerTicket(ctx context.Context, number, text string, e store.AuditEntry) (store.AuditEntry, error) {
	status, reason, outcome, err := store.TicketAnswer(number, text, e)
	if err != nil {
		return store.AuditEntry{}, err
	}
	e.Reason, e.Outcome = reason, outcome
	in := e
	err = s.tx(ctx, func(tx pgx.Tx) error {
		e = in
		var purged bool
		if err := tx.QueryRow(ctx, `SELECT purged_at IS NOT NULL FROM tickets WHERE number = $1 FOR UPDATE`, number).Scan(&purged); err != nil {
			return notFound(err)
		} else if purged {
			return store.ErrTicketPurged
		}
		err := tx.QueryRow(ctx, `UPDATE tickets SET status = $1, updated_at = $2 WHERE number = $3 RETURNING account_id, email`,
			status, e.At, number).Scan(&e.AccountID, &e.Email)
		if err != nil {
			return err
		}
		if text != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO ticket_replies (number, at, operator, body) VALUES ($1, $2, $3, $4)`,
				number, e.At, e.Operator, text); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO audit_log (at, operator, action, account_id, email, reason, outcome)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`, e.At, e.Operator, e.Action, e.AccountID, e.Email, e.Reason, e.Outcome).Scan(&e.Seq)
	})
	if err != nil {
		return store.AuditEntry{}, err
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	return e, nil
}

// PurgeTickets implements store.Store.
func (s *Store) PurgeTickets(ctx context.Context, closedBefore, now time.Time) (int, error) {
	const which = `status = $1 AND updated_at < $2 AND purged_at IS NULL`
	var n int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM ticket_replies WHERE number IN (SELECT number FROM tickets WHERE `+which+` FOR UPDATE)`,
			authapi.TicketClosed, closedBefore); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE tickets SET description = '', report = '', staff_phrase = '', email = '', purged_at = $3
			WHERE `+which, authapi.TicketClosed, closedBefore, now)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}
