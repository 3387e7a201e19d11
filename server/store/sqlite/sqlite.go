// Package sqlite is the auth server's embedded store: a pure-Go SQLite
// file with its migrations in the binary, shareable by several server
// processes on one machine. [Open] opens it.
package sqlite

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"sesame/authapi"
	"sesame/server/store"

	driver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite store: one database file.
type Store struct {
	db *sql.DB
	// take is TakeToken's statement, prepared once: parsing it would be
	// a fifth of its cost.
	take *sql.Stmt
}

var _ store.Admin = (*Store)(nil)

// Open opens (creating if needed) the database at path and applies the
// embedded migrations it lacks. The file and its -wal and -shm files are
// readable by their owner only.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := ownerOnly(path); err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(15000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	// The path is escaped: the driver reads the name as a URI, where #, ?
	// and % would otherwise cut or change it.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	// SQLite has one writer at a time; one connection queues writers in
	// Go instead of in SQLite's sleeping busy handler, which keeps the tail
	// latency low. Other processes on the file still wait on busy_timeout.
	db.SetMaxOpenConns(1)
	s := &Store{db: db}
	// Servers opening a new file at once meet its switch to WAL, which
	// answers SQLITE_BUSY at once rather than wait; they try again.
	for try := 1; ; try++ {
		err = s.migrate(ctx)
		var se *driver.Error
		if err == nil || try == 100 || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err == nil {
		s.take, err = db.PrepareContext(ctx, takeSQL)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// ownerOnly creates the database file 0600 before SQLite opens it (SQLite
// gives the -wal and -shm files it creates the main file's mode) and
// narrows to 0600 an existing file, -wal or -shm that others may read.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var version int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		version, err := store.Migrate(migrations, version, func(body string) error {
			_, err := tx.ExecContext(ctx, body)
			return err
		})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
		return err
	})
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// tx runs f in one immediate transaction.
func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func one(res sql.Result, err error) error {
	n, err := count(res, err)
	if err == nil && n == 0 {
		return store.ErrNotFound
	}
	return err
}

// count is the number of rows a statement changed.
func count(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// CreateAccount implements Store.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO accounts (id, email, password_hash, verified, suspended, created_at, language) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Email, a.PasswordHash, a.Verified, a.Suspended, ms(a.CreatedAt), cmp.Or(a.Language, authapi.DefaultLanguage))
	var se *driver.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return store.ErrExists
	}
	return err
}

const accountCols = `id, email, password_hash, verified, suspended, created_at, totp_secret, totp_pending, totp_enabled, anti_phishing, language, reset_required`

func scanAccount(row interface{ Scan(...any) error }) (store.Account, error) {
	var a store.Account
	var created int64
	err := row.Scan(&a.ID, &a.Email, &a.PasswordHash, &a.Verified, &a.Suspended, &created,
		&a.TOTPSecret, &a.TOTPPending, &a.TOTPEnabled, &a.AntiPhishing, &a.Language, &a.ResetRequired)
	a.CreatedAt = fromMS(created)
	return a, notFound(err)
}

func (s *Store) account(ctx context.Context, where string, arg any) (store.Account, error) {
	return scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+where+` = ?`, arg))
}

// AccountByEmail implements Store.
func (s *Store) AccountByEmail(ctx context.Context, email string) (store.Account, error) {
	return s.account(ctx, "email", email)
}

// AccountByID implements Store.
func (s *Store) AccountByID(ctx context.Context, id string) (store.Account, error) {
	return s.account(ctx, "id", id)
}

func (s *Store) setAccount(ctx context.Context, id, set string, v any) error {
	return one(s.db.ExecContext(ctx, `UPDATE accounts SET `+set+` = ? WHERE id = ?`, v, id))
}

// SetSuspended implements Admin.
func (s *Store) SetSuspended(ctx context.Context, id string, suspended bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := one(tx.ExecContext(ctx, `UPDATE accounts SET suspended = ? WHERE id = ?`, suspended, id)); err != nil || !suspended {
			return err
		}
		return execAll(ctx, tx,
			stmt{`DELETE FROM sessions WHERE account_id = ?`, []any{id}},
			stmt{`DELETE FROM challenges WHERE account_id = ?`, []any{id}},
			stmt{untrustDevices, []any{id}})
	})
}

// untrustDevices ends the trust of every device of an account.
const untrustDevices = `UPDATE devices SET trusted_until = NULL WHERE account_id = ?`

// stmt is one statement with its arguments.
type stmt struct {
	sql  string
	args []any
}

// execAll runs the statements in turn in tx.
func execAll(ctx context.Context, tx *sql.Tx, stmts ...stmt) error {
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return err
		}
	}
	return nil
}

// ReplacePasswordHash implements Store.
func (s *Store) ReplacePasswordHash(ctx context.Context, id, old, new string) error {
	return one(s.db.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?`, new, id, old))
}

// ChangePassword implements Store.
func (s *Store) ChangePassword(ctx context.Context, id, old, new, keepSession string, settledBy time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := one(tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?`, new, id, old)); err != nil {
			return err
		}
		return execAll(ctx, tx,
			stmt{`DELETE FROM devices WHERE account_id = ?
				AND id IS NOT (SELECT device_id FROM sessions WHERE id = ?)`, []any{id, keepSession}},
			stmt{`DELETE FROM sessions WHERE account_id = ? AND id != ?`, []any{id, keepSession}},
			stmt{`DELETE FROM challenges WHERE account_id = ?`, []any{id}},
			unsettledPhone(id, settledBy))
	})
}

// SetAntiPhishing implements Store.
func (s *Store) SetAntiPhishing(ctx context.Context, id, phrase string) error {
	return s.setAccount(ctx, id, "anti_phishing", phrase)
}

// SetLanguage implements Store.
func (s *Store) SetLanguage(ctx context.Context, id, language string) error {
	return s.setAccount(ctx, id, "language", language)
}

func lockout(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, email string) (store.Lockout, error) {
	var l store.Lockout
	var until int64
	err := q.QueryRowContext(ctx, `SELECT failures, lock_count, locked_until FROM lockouts WHERE email = ?`, email).
		Scan(&l.Failures, &l.LockCount, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Lockout{}, nil
	}
	if until != 0 {
		l.LockedUntil = fromMS(until)
	}
	return l, err
}

// Lockout implements Store.
func (s *Store) Lockout(ctx context.Context, email string) (store.Lockout, error) {
	return lockout(ctx, s.db, email)
}

// ReserveAttempt implements Store.
func (s *Store) ReserveAttempt(ctx context.Context, email string, now time.Time, ttl time.Duration, p store.LockPolicy) (string, store.Lockout, error) {
	id := newID()
	var l store.Lockout
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = lockout(ctx, tx, email); err != nil {
			return err
		}
		var inFlight int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE email = ? AND expires_at > ?`,
			email, ms(now)).Scan(&inFlight); err != nil {
			return err
		}
		if sweep, err := p.Reserve(l, inFlight, now); err != nil {
			return err
		} else if sweep {
			if _, err := tx.ExecContext(ctx, `DELETE FROM attempts WHERE email = ?`, email); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO attempts (id, email, expires_at) VALUES (?, ?, ?)`, id, email, ms(now.Add(ttl)))
		return err
	})
	return id, l, err
}

// FinishAttempt implements Store.
func (s *Store) FinishAttempt(ctx context.Context, id, email string, failed bool, now time.Time, p store.LockPolicy) (store.Lockout, error) {
	var l store.Lockout
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM attempts WHERE id = ?`, id); err != nil {
			return err
		}
		var err error
		if l, err = lockout(ctx, tx, email); err != nil || !failed {
			return err
		}
		l = p.Fail(l, now)
		var until int64
		if !l.LockedUntil.IsZero() {
			until = ms(l.LockedUntil)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO lockouts (email, failures, lock_count, locked_until) VALUES (?, ?, ?, ?)
			ON CONFLICT (email) DO UPDATE SET failures = excluded.failures, lock_count = excluded.lock_count, locked_until = excluded.locked_until`,
			email, l.Failures, l.LockCount, until)
		return err
	})
	return l, err
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// ClearFailures forgets the failure count and any lock of an address, as a
// successful sign-in does. The lock count stays, so the next lock still
// lasts longer.
func (s *Store) ClearFailures(ctx context.Context, email string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE lockouts SET failures = 0, locked_until = 0 WHERE email = ?`, email)
	return err
}

// PutCode implements Store.
func (s *Store) PutCode(ctx context.Context, email, purpose, slot string, hash []byte, expires time.Time, attempts int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO codes (email, purpose, slot, code_hash, expires_at, attempts_left) VALUES (?, ?, ?, ?, ?, ?)`,
			email, purpose, slot, hash, ms(expires), attempts)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM codes WHERE email = ?1 AND purpose = ?2 AND slot = ?3 AND id NOT IN
			(SELECT id FROM codes WHERE email = ?1 AND purpose = ?2 AND slot = ?3 ORDER BY id DESC LIMIT ?4)`,
			email, purpose, slot, store.KeptCodes)
		return err
	})
}

// misses counts the live code misses of an address.
func misses(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string, now time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM code_misses WHERE email = ? AND expires_at > ?`, key, ms(now)).Scan(&n)
	return n, err
}

// miss counts a wrong code on a budget's key (an address or a device) for
// the budget's window.
func miss(ctx context.Context, tx *sql.Tx, key string, now time.Time, b store.CodeBudget) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO code_misses (email, expires_at) VALUES (?, ?)`, key, ms(now.Add(b.Window)))
	return err
}

// UseCode implements Store.
func (s *Store) UseCode(ctx context.Context, email, purpose, slot, budgetKey string, now time.Time, b store.CodeBudget, match func([]byte) bool) (store.CodeUse, error) {
	var use store.CodeUse
	// The live codes the attempt may match.
	const tried = ` WHERE email = ?1 AND purpose = ?2 AND slot IN ('', ?3) AND expires_at > ?4 AND attempts_left > 0`
	args := []any{email, purpose, slot, ms(now)}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		n, err := misses(ctx, tx, budgetKey, now)
		if err != nil {
			return err
		}
		cs, err := collect[store.Code](tx.QueryContext(ctx, `SELECT code_hash, attempts_left FROM codes`+tried, args...))(
			func(r *sql.Rows) (c store.Code, err error) { return c, r.Scan(&c.Hash, &c.AttemptsLeft) })
		if err != nil {
			return err
		}
		use, err = b.Use(n, cs, match)
		switch {
		case err != nil:
			return err
		case use.OK:
			_, err = tx.ExecContext(ctx, `DELETE FROM codes WHERE email = ? AND purpose = ?`, email, purpose)
			return err
		}
		if err := miss(ctx, tx, budgetKey, now, b); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE codes SET attempts_left = attempts_left - 1`+tried, args...)
		return err
	})
	return use, err
}

// CodesLocked implements Store.
func (s *Store) CodesLocked(ctx context.Context, budgetKey string, now time.Time, b store.CodeBudget) (bool, error) {
	n, err := misses(ctx, s.db, budgetKey, now)
	return b.Spent(n), err
}

// UseLongCode implements Store.
func (s *Store) UseLongCode(ctx context.Context, email, purpose string, now time.Time, match func([]byte) bool) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		hs, err := collect[[]byte](tx.QueryContext(ctx, `SELECT code_hash FROM codes WHERE email = ? AND purpose = ? AND slot = ? AND expires_at > ?`,
			email, purpose, store.LongSlot, ms(now)))(func(r *sql.Rows) (h []byte, err error) { return h, r.Scan(&h) })
		if err != nil {
			return err
		}
		if ok, err = store.MatchLong(hs, match); !ok || err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM codes WHERE email = ? AND purpose = ?`, email, purpose)
		return err
	})
	return ok, err
}

// PutRegistration implements Store.
func (s *Store) PutRegistration(ctx context.Context, r store.Registration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO registrations (email, password_hash, code_hash, code_expires_at, attempts_left, created_at, expires_at, language)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Email, r.PasswordHash, r.CodeHash, ms(r.CodeExpiresAt), r.Attempts,
			ms(r.CreatedAt), ms(r.CreatedAt.Add(store.RegistrationTTL)), cmp.Or(r.Language, authapi.DefaultLanguage))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM registrations WHERE email = ?1 AND id NOT IN
			(SELECT id FROM registrations WHERE email = ?1 ORDER BY id DESC LIMIT ?2)`, r.Email, store.MaxRegistrations)
		return err
	})
}

// Registrations implements Store.
func (s *Store) Registrations(ctx context.Context, email string, now time.Time) ([]store.Registration, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT email, password_hash, code_hash, code_expires_at, attempts_left, created_at, language
		FROM registrations WHERE email = ? AND expires_at > ? AND password_hash != '' ORDER BY id DESC`, email, ms(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Registration
	for rows.Next() {
		var r store.Registration
		var codeExp, created int64
		if err := rows.Scan(&r.Email, &r.PasswordHash, &r.CodeHash, &codeExp, &r.Attempts, &created, &r.Language); err != nil {
			return nil, err
		}
		r.CodeExpiresAt, r.CreatedAt = fromMS(codeExp), fromMS(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// liveRegistrationCodes picks the registrations of an address whose code
// is live.
const liveRegistrationCodes = ` WHERE email = ?1 AND expires_at > ?2 AND code_expires_at > ?2 AND attempts_left > 0`

// VerifyRegistration implements Store.
func (s *Store) VerifyRegistration(ctx context.Context, email string, now time.Time, b store.CodeBudget, match func(codeHash []byte, passwordHash string) bool, accountID string) (store.CodeUse, error) {
	var use store.CodeUse
	err := s.tx(ctx, func(tx *sql.Tx) error {
		n, err := misses(ctx, tx, email, now)
		if err != nil {
			return err
		}
		rs, err := collect[store.Registration](tx.QueryContext(ctx, `SELECT password_hash, code_hash, attempts_left, language FROM registrations`+liveRegistrationCodes+` ORDER BY id DESC`, email, ms(now)))(
			func(r *sql.Rows) (g store.Registration, err error) {
				return g, r.Scan(&g.PasswordHash, &g.CodeHash, &g.Attempts, &g.Language)
			})
		if err != nil {
			return err
		}
		var i int
		use, i, err = b.Verify(n, rs, match)
		switch {
		case err != nil:
			return err
		case i < 0:
			if err := miss(ctx, tx, email, now, b); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE registrations SET attempts_left = attempts_left - 1`+liveRegistrationCodes, email, ms(now))
			return err
		}
		if err := one(tx.ExecContext(ctx, `INSERT INTO accounts (id, email, password_hash, verified, created_at, language) VALUES (?, ?, ?, 1, ?, ?)
			ON CONFLICT (email) DO NOTHING`, accountID, email, rs[i].PasswordHash, ms(now), rs[i].Language)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return store.ErrExists
			}
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM registrations WHERE email = ?`, email)
		return err
	})
	return use, err
}

// Purge implements Store.
func (s *Store) Purge(ctx context.Context, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM codes WHERE expires_at <= ?1`,
			`DELETE FROM registrations WHERE expires_at <= ?1`,
			`DELETE FROM code_misses WHERE expires_at <= ?1`,
			`DELETE FROM challenges WHERE expires_at <= ?1`,
			`DELETE FROM refresh_tokens WHERE used_at IS NOT NULL AND expires_at <= ?1`,
			`DELETE FROM sessions WHERE access_expires <= ?1
				AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE session_id = sessions.id AND expires_at > ?1)`,
			`DELETE FROM reset_tokens WHERE expires_at <= ?1`,
			`DELETE FROM attempts WHERE expires_at <= ?1`,
			// 0 is no lock; the lock count goes with the row.
			`DELETE FROM lockouts WHERE failures = 0 AND locked_until <= ?1 - 86400000`,
			`DELETE FROM devices WHERE last_seen_at <= ?1 - ` + fmt.Sprint(store.DeviceIdle.Milliseconds()) + `
				AND (trusted_until IS NULL OR trusted_until <= ?1)`,
			`DELETE FROM rate_limits WHERE full_at <= ?1 * 1000`,
			`DELETE FROM wasnt_me_tokens WHERE expires_at <= ?1`,
			`DELETE FROM notices WHERE sent_at <= ?1 - ` + fmt.Sprint(store.NoticeEvery.Milliseconds()),
		} {
			if _, err := tx.ExecContext(ctx, q, ms(now)); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetPendingTOTP implements Store.
func (s *Store) SetPendingTOTP(ctx context.Context, accountID, secret string) error {
	return s.setAccount(ctx, accountID, "totp_pending", secret)
}

// RewriteTOTPSecrets implements Store. The rewrite runs with secure_delete
// on and is followed by a WAL checkpoint, so that no old value stays in a
// free page of the file or in its write-ahead log.
func (s *Store) RewriteTOTPSecrets(ctx context.Context, prefix string, f func(accountID, value string) (string, error)) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// secure_delete is the connection's: on for this transaction's
		// rewrites only, and off again on the same connection.
		if _, err := tx.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return err
		}
		defer tx.ExecContext(ctx, `PRAGMA secure_delete = OFF`)
		for _, col := range []string{"totp_secret", "totp_pending"} {
			rows, err := tx.QueryContext(ctx, `SELECT id, `+col+` FROM accounts
				WHERE `+col+` != '' AND substr(`+col+`, 1, length(?1)) != ?1`, prefix)
			if err != nil {
				return err
			}
			var ids, vals []string
			for rows.Next() {
				var id, v string
				if err := rows.Scan(&id, &v); err != nil {
					rows.Close()
					return err
				}
				ids, vals = append(ids, id), append(vals, v)
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			for i, id := range ids {
				v, err := f(id, vals[i])
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE accounts SET `+col+` = ? WHERE id = ?`, v, id); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		n = 0
	} else if n > 0 {
		// A checkpoint blocked by a reader reports it in its result row,
		// not as an error: the old values may then stay in the log.
		var busy, logged, moved int
		err = s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &moved)
		if err == nil && busy != 0 {
			err = fmt.Errorf("%w: another connection is reading the write-ahead log", store.ErrOldValuesKept)
		}
	}
	return n, err
}

// SealedTOTPSecret implements Store.
func (s *Store) SealedTOTPSecret(ctx context.Context, prefix string) (accountID, value string, err error) {
	err = s.db.QueryRowContext(ctx, `
		SELECT id, totp_secret FROM accounts WHERE totp_secret != '' AND substr(totp_secret, 1, length(?1)) = ?1
		UNION ALL
		SELECT id, totp_pending FROM accounts WHERE totp_pending != '' AND substr(totp_pending, 1, length(?1)) = ?1
		LIMIT 1`, prefix).Scan(&accountID, &value)
	return accountID, value, notFound(err)
}

// EnableTOTP implements Store.
func (s *Store) EnableTOTP(ctx context.Context, accountID, secret string, codeHashes [][]byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := one(tx.ExecContext(ctx, `UPDATE accounts SET totp_secret = totp_pending, totp_pending = '', totp_enabled = 1
			WHERE id = ? AND totp_pending = ? AND totp_pending != ''`, accountID, secret))
		if err != nil {
			return err
		}
		if err := execAll(ctx, tx, stmt{untrustDevices, []any{accountID}}); err != nil {
			return err
		}
		return replaceCodes(ctx, tx, accountID, codeHashes)
	})
}

// DisableTOTP implements Store.
func (s *Store) DisableTOTP(ctx context.Context, accountID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := one(tx.ExecContext(ctx, `UPDATE accounts SET totp_secret = '', totp_pending = '', totp_enabled = 0 WHERE id = ?`, accountID))
		if err != nil {
			return err
		}
		return execAll(ctx, tx,
			stmt{`DELETE FROM recovery_codes WHERE account_id = ?`, []any{accountID}},
			stmt{untrustDevices, []any{accountID}})
	})
}

// UseTOTPStep implements Store.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error) {
	err := one(s.db.ExecContext(ctx, `UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, accountID, step))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// UseRecoveryCode implements Store.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, hash []byte, now time.Time) (bool, error) {
	err := one(s.db.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL`,
		ms(now), accountID, hash))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func replaceCodes(ctx context.Context, tx *sql.Tx, accountID string, hashes [][]byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE account_id = ?`, accountID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)`, accountID, h); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceRecoveryCodes implements Store.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return replaceCodes(ctx, tx, accountID, hashes) })
}

// RecoveryCodesLeft implements Store.
func (s *Store) RecoveryCodesLeft(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL`, accountID).Scan(&n)
	return n, err
}

// RecoveryCodeLastUsed implements Store.
func (s *Store) RecoveryCodeLastUsed(ctx context.Context, accountID string) (time.Time, error) {
	var last sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT max(used_at) FROM recovery_codes WHERE account_id = ?`, accountID).Scan(&last)
	if err != nil || !last.Valid {
		return time.Time{}, err
	}
	return fromMS(last.Int64), nil
}

// PutChallenge implements Store.
func (s *Store) PutChallenge(ctx context.Context, idHash []byte, c store.Challenge) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO challenges (id_hash, account_id, device_name, device_id, expires_at) VALUES (?, ?, ?, NULLIF(?, ''), ?)`,
		idHash, c.AccountID, c.DeviceName, c.DeviceID, ms(c.ExpiresAt))
	return err
}

// Challenge implements Store.
func (s *Store) Challenge(ctx context.Context, idHash []byte, now time.Time) (store.Challenge, error) {
	var c store.Challenge
	var exp int64
	err := s.db.QueryRowContext(ctx, `SELECT account_id, device_name, COALESCE(device_id, ''), expires_at FROM challenges WHERE id_hash = ?`, idHash).
		Scan(&c.AccountID, &c.DeviceName, &c.DeviceID, &exp)
	if err != nil {
		return c, notFound(err)
	}
	c.ExpiresAt = fromMS(exp)
	if !now.Before(c.ExpiresAt) {
		return store.Challenge{}, store.ErrNotFound
	}
	return c, nil
}

// DeleteChallenge implements Store.
func (s *Store) DeleteChallenge(ctx context.Context, idHash []byte) error {
	return one(s.db.ExecContext(ctx, `DELETE FROM challenges WHERE id_hash = ?`, idHash))
}

// CreateSession implements Store.
func (s *Store) CreateSession(ctx context.Context, n store.NewSession) error {
	se, t, d := n.Session, n.Tokens, n.Device
	return s.tx(ctx, func(tx *sql.Tx) error {
		var trusted, token any
		if !d.TrustedUntil.IsZero() {
			trusted = ms(d.TrustedUntil)
		}
		if d.TokenHash != nil {
			token = d.TokenHash
		}
		var err error
		switch {
		case d.ID == "":
			// A session on no known device.
		case n.Known:
			err = one(tx.ExecContext(ctx, `UPDATE devices SET device_name = ?, last_seen_at = ?, trusted_until = COALESCE(?, trusted_until),
				token_hash = COALESCE(?, token_hash) WHERE id = ? AND account_id = ?`, d.DeviceName, ms(d.LastSeenAt), trusted, token, d.ID, se.AccountID))
		default:
			_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, account_id, token_hash, device_name, created_at, last_seen_at, trusted_until)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, d.ID, se.AccountID, d.TokenHash, d.DeviceName, ms(d.CreatedAt), ms(d.LastSeenAt), trusted)
		}
		if err != nil {
			return err
		}
		err = one(tx.ExecContext(ctx, `INSERT INTO sessions (id, account_id, device_name, device_id, ip, created_at, last_seen_at, access_hash, access_expires)
			SELECT ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ? AND password_hash = ? AND suspended = 0 AND reset_required = 0)`,
			se.ID, se.AccountID, se.DeviceName, d.ID, se.IP, ms(se.CreatedAt), ms(se.LastSeenAt), t.Access, ms(t.AccessExpires),
			se.AccountID, n.PasswordHash))
		if err != nil {
			return err
		}
		return execAll(ctx, tx,
			stmt{`INSERT INTO refresh_tokens (hash, session_id, expires_at) VALUES (?, ?, ?)`, []any{t.Refresh, se.ID, ms(t.RefreshExpires)}},
			stmt{`DELETE FROM attempts WHERE id = ?`, []any{n.AttemptID}},
			stmt{`UPDATE lockouts SET failures = 0 WHERE email = ?`, []any{n.Email}},
			stmt{`UPDATE lockouts SET failures = 0, locked_until = 0 WHERE email = ?`, []any{n.LockKey}},
			stmt{`INSERT INTO activity (account_id, at, ip, device_name, result) VALUES (?, ?, ?, ?, ?)`,
				[]any{se.AccountID, ms(se.CreatedAt), se.IP, se.DeviceName, authapi.ResultSuccess}})
	})
}

const sessionCols = `id, account_id, device_name, COALESCE(device_id, ''), ip, created_at, last_seen_at`

func scanSession(row interface{ Scan(...any) error }) (store.Session, error) {
	var se store.Session
	var created, seen int64
	err := row.Scan(&se.ID, &se.AccountID, &se.DeviceName, &se.DeviceID, &se.IP, &created, &seen)
	se.CreatedAt, se.LastSeenAt = fromMS(created), fromMS(seen)
	return se, notFound(err)
}

// SessionByAccess implements Store.
func (s *Store) SessionByAccess(ctx context.Context, hash []byte, now time.Time) (store.Session, error) {
	return scanSession(s.db.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE access_hash = ? AND access_expires > ?`,
		hash, ms(now)))
}

// RotateRefresh implements Store.
func (s *Store) RotateRefresh(ctx context.Context, hash []byte, now time.Time, next store.Tokens, per store.Limit, junk store.Charge) (store.Session, error) {
	var se store.Session
	var answer error
	err := s.tx(ctx, store.Answered(&answer, func(tx *sql.Tx) error {
		return store.ChargeJunk(s.rotate(ctx, tx, hash, now, next, per, &se), func() (bool, time.Duration, error) {
			return s.takeToken(ctx, tx, junk.Key, junk.Limit, now)
		})
	}))
	if err == nil {
		err = answer
	}
	return se, err
}

// rotate is RotateRefresh's work in tx, but for junk's token.
func (s *Store) rotate(ctx context.Context, tx *sql.Tx, hash []byte, now time.Time, next store.Tokens, per store.Limit, se *store.Session) error {
	var sessionID string
	var expires int64
	var used sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT session_id, expires_at, used_at FROM refresh_tokens WHERE hash = ?`, hash).
		Scan(&sessionID, &expires, &used)
	if err != nil {
		return notFound(err)
	}
	if *se, err = scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, sessionID)); err != nil {
		return err
	}
	if err := (store.RefreshToken{ExpiresAt: fromMS(expires), Used: used.Valid}).Spendable(now); err != nil {
		// A token spent before revokes its session.
		if errors.Is(err, store.ErrReused) {
			if _, derr := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, sessionID); derr != nil {
				return derr
			}
		}
		return err
	}
	t := per.Take(now)
	n, err := count(tx.ExecContext(ctx, `UPDATE sessions SET access_hash = ?, access_expires = ?, last_seen_at = ?,
		refresh_full_at = max(refresh_full_at, ?) + ? WHERE id = ? AND refresh_full_at <= ?`,
		next.Access, ms(next.AccessExpires), ms(now), t.Now, t.Interval, sessionID, t.Latest))
	if err != nil {
		return err
	}
	if n == 0 {
		var full int64
		if err := tx.QueryRowContext(ctx, `SELECT refresh_full_at FROM sessions WHERE id = ?`, sessionID).Scan(&full); err != nil {
			return err
		}
		return &store.LimitedError{Wait: t.Wait(full)}
	}
	se.LastSeenAt = now
	return execAll(ctx, tx,
		stmt{`UPDATE refresh_tokens SET used_at = ? WHERE hash = ?`, []any{ms(now), hash}},
		stmt{`INSERT INTO refresh_tokens (hash, session_id, expires_at) VALUES (?, ?, ?)`, []any{next.Refresh, sessionID, ms(next.RefreshExpires)}})
}

// Sessions implements Store.
func (s *Store) Sessions(ctx context.Context, accountID string) ([]store.Session, error) {
	return collect[store.Session](s.db.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE account_id = ? ORDER BY created_at DESC`, accountID))(
		func(r *sql.Rows) (store.Session, error) { return scanSession(r) })
}

// RevokeSession implements Store.
func (s *Store) RevokeSession(ctx context.Context, accountID, id string) error {
	return one(s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND account_id = ?`, id, accountID))
}

// RevokeSessions implements Store.
func (s *Store) RevokeSessions(ctx context.Context, accountID, except string) (int, error) {
	return count(s.db.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ? AND id != ?`, accountID, except))
}

const deviceCols = `id, account_id, token_hash, device_name, created_at, last_seen_at, COALESCE(trusted_until, 0)`

func scanDevice(row interface{ Scan(...any) error }) (store.Device, error) {
	var d store.Device
	var created, seen, trusted int64
	err := row.Scan(&d.ID, &d.AccountID, &d.TokenHash, &d.DeviceName, &created, &seen, &trusted)
	d.CreatedAt, d.LastSeenAt = fromMS(created), fromMS(seen)
	if trusted != 0 {
		d.TrustedUntil = fromMS(trusted)
	}
	return d, notFound(err)
}

// DeviceByToken implements Store.
func (s *Store) DeviceByToken(ctx context.Context, hash []byte) (store.Device, error) {
	return scanDevice(s.db.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM devices WHERE token_hash = ?`, hash))
}

// Devices implements Store.
func (s *Store) Devices(ctx context.Context, accountID string) ([]store.Device, error) {
	return collect[store.Device](s.db.QueryContext(ctx, `SELECT `+deviceCols+` FROM devices WHERE account_id = ?
		ORDER BY last_seen_at DESC, created_at DESC`, accountID))(
		func(r *sql.Rows) (store.Device, error) { return scanDevice(r) })
}

// ForgetDevice implements Store.
func (s *Store) ForgetDevice(ctx context.Context, accountID, id string) (string, error) {
	var name string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM devices WHERE id = ? AND account_id = ? RETURNING device_name`, id, accountID).Scan(&name)
		if err != nil {
			return notFound(err)
		}
		return execAll(ctx, tx, stmt{`DELETE FROM lockouts WHERE email = ?`, []any{store.DeviceKeyPrefix + id}})
	})
	return name, err
}

// PutResetToken implements Store.
func (s *Store) PutResetToken(ctx context.Context, hash []byte, accountID string, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO reset_tokens (hash, account_id, expires_at) VALUES (?, ?, ?)`, hash, accountID, ms(expires))
	return err
}

// ResetToken implements Store.
func (s *Store) ResetToken(ctx context.Context, hash []byte, now time.Time) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT account_id FROM reset_tokens WHERE hash = ? AND expires_at > ?`, hash, ms(now)).Scan(&id)
	return id, notFound(err)
}

// CompleteReset implements Store.
func (s *Store) CompleteReset(ctx context.Context, tokenHash []byte, now time.Time, accountID, email, passwordHash string, settledBy time.Time, dev *store.Device) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := one(tx.ExecContext(ctx, `DELETE FROM reset_tokens WHERE hash = ? AND account_id = ? AND expires_at > ?`,
			tokenHash, accountID, ms(now)))
		if err != nil {
			return err
		}
		err = execAll(ctx, tx,
			stmt{`UPDATE accounts SET password_hash = ?, verified = 1, reset_required = 0 WHERE id = ?`, []any{passwordHash, accountID}},
			stmt{`DELETE FROM reset_tokens WHERE account_id = ?`, []any{accountID}},
			stmt{`DELETE FROM sessions WHERE account_id = ?`, []any{accountID}},
			stmt{`DELETE FROM challenges WHERE account_id = ?`, []any{accountID}},
			stmt{`DELETE FROM lockouts WHERE email IN (?, ?) OR email IN (SELECT ? || id FROM devices WHERE account_id = ?)`,
				[]any{email, store.ResetKeyPrefix + email, store.DeviceKeyPrefix, accountID}},
			stmt{`DELETE FROM devices WHERE account_id = ?`, []any{accountID}},
			unsettledPhone(accountID, settledBy))
		if err != nil || dev == nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, account_id, token_hash, device_name, created_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?)`, dev.ID, accountID, dev.TokenHash, dev.DeviceName, ms(dev.CreatedAt), ms(dev.LastSeenAt))
		return err
	})
}

// unsettledPhone removes the account's phone number when it was verified
// after settledBy.
func unsettledPhone(accountID string, settledBy time.Time) stmt {
	return stmt{`DELETE FROM phones WHERE account_id = ? AND number <> '' AND verified_at > ?`, []any{accountID, ms(settledBy)}}
}

// ClaimNotice implements Store: the upsert changes no row when the last
// notice is too recent.
func (s *Store) ClaimNotice(ctx context.Context, accountID, kind string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO notices (account_id, kind, sent_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (account_id, kind) DO UPDATE SET sent_at = excluded.sent_at WHERE sent_at <= ?4`,
		accountID, kind, ms(now), ms(now.Add(-store.NoticeEvery)))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PutWasntMeToken implements Store.
func (s *Store) PutWasntMeToken(ctx context.Context, hash []byte, t store.WasntMeToken) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO wasnt_me_tokens (hash, account_id, expires_at) VALUES (?, ?, ?)`,
		hash, t.AccountID, ms(t.ExpiresAt))
	return err
}

// WasntMeToken implements Store.
func (s *Store) WasntMeToken(ctx context.Context, hash []byte) (store.WasntMeToken, error) {
	return wasntMeToken(ctx, s.db, hash)
}

func wasntMeToken(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, hash []byte) (store.WasntMeToken, error) {
	var t store.WasntMeToken
	var exp int64
	var used sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT account_id, expires_at, used_at FROM wasnt_me_tokens WHERE hash = ?`, hash).
		Scan(&t.AccountID, &exp, &used)
	t.ExpiresAt = fromMS(exp)
	if used.Valid {
		t.UsedAt = fromMS(used.Int64)
	}
	return t, notFound(err)
}

// SecureAccount implements Store.
func (s *Store) SecureAccount(ctx context.Context, hash []byte, now time.Time, e authapi.ActivityEvent) (string, error) {
	var id string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		t, err := wasntMeToken(ctx, tx, hash)
		if err == nil {
			err = t.Spendable(now)
		}
		if err != nil {
			return err
		}
		id = t.AccountID
		return execAll(ctx, tx,
			stmt{`UPDATE wasnt_me_tokens SET used_at = ? WHERE hash = ?`, []any{ms(now), hash}},
			stmt{`UPDATE accounts SET reset_required = 1 WHERE id = ?`, []any{id}},
			stmt{`DELETE FROM sessions WHERE account_id = ?`, []any{id}},
			stmt{`DELETE FROM challenges WHERE account_id = ?`, []any{id}},
			stmt{untrustDevices, []any{id}},
			stmt{`DELETE FROM reset_tokens WHERE account_id = ?`, []any{id}},
			stmt{`DELETE FROM codes WHERE purpose = ? AND email = (SELECT email FROM accounts WHERE id = ?)`, []any{store.PurposeReset, id}},
			stmt{`DELETE FROM phones WHERE account_id = ?`, []any{id}},
			stmt{`INSERT INTO activity (account_id, at, ip, device_name, result, claimed) VALUES (?, ?, ?, ?, ?, ?)`,
				[]any{id, ms(e.At), e.IP, e.DeviceName, e.Result, e.Claimed}})
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// AddActivity implements Store.
func (s *Store) AddActivity(ctx context.Context, accountID string, e authapi.ActivityEvent) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO activity (account_id, at, ip, device_name, result, claimed) VALUES (?, ?, ?, ?, ?, ?)`,
		accountID, ms(e.At), e.IP, e.DeviceName, e.Result, e.Claimed)
	return err
}

// Activity implements Store.
func (s *Store) Activity(ctx context.Context, accountID string, limit int) ([]authapi.ActivityEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, ip, device_name, result, claimed FROM activity WHERE account_id = ? ORDER BY seq DESC LIMIT ?`,
		accountID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []authapi.ActivityEvent{}
	for rows.Next() {
		var e authapi.ActivityEvent
		var at int64
		if err := rows.Scan(&at, &e.IP, &e.DeviceName, &e.Result, &e.Claimed); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddMail implements Store.
func (s *Store) AddMail(ctx context.Context, m authapi.Mail) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO outbox (id, rcpt, subject, body, html, sent_at, sms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		m.ID, strings.ToLower(m.To), m.Subject, m.Text, m.HTML, ms(m.SentAt), m.SMS)
	return err
}

// Mails implements Store.
func (s *Store) Mails(ctx context.Context, to string) ([]authapi.Mail, error) {
	// Two queries, so that one address's mails are found through the
	// outbox_rcpt index.
	query, args := `SELECT id, rcpt, subject, body, html, sent_at, sms FROM outbox ORDER BY seq DESC LIMIT 100`, []any{}
	if to != "" {
		query = `SELECT id, rcpt, subject, body, html, sent_at, sms FROM outbox WHERE rcpt = ? ORDER BY seq DESC LIMIT 100`
		args = []any{strings.ToLower(to)}
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []authapi.Mail{}
	for rows.Next() {
		var m authapi.Mail
		var at int64
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &at, &m.SMS); err != nil {
			return nil, err
		}
		m.SentAt = fromMS(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Maintenance implements Store.
func (s *Store) Maintenance(ctx context.Context) (store.Maintenance, error) {
	var m store.Maintenance
	var until sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT active, message, until FROM maintenance WHERE one = 1`).Scan(&m.On, &m.Message, &until)
	if until.Valid {
		t := fromMS(until.Int64)
		m.Until = &t
	}
	return m, err
}

// SetMaintenance implements Store.
func (s *Store) SetMaintenance(ctx context.Context, m store.Maintenance) error {
	var until any
	if m.Until != nil {
		until = ms(*m.Until)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE maintenance SET active = ?, message = ?, until = ? WHERE one = 1`, m.On, m.Message, until)
	return err
}

// FindAccounts implements Store.
func (s *Store) FindAccounts(ctx context.Context, text string, limit int) ([]store.Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE instr(email, ?) > 0
		ORDER BY created_at DESC, id LIMIT ?`, text, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Administer implements Store.
func (s *Store) Administer(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var suspended bool
		err := tx.QueryRowContext(ctx, `SELECT email, suspended FROM accounts WHERE id = ?`, e.AccountID).Scan(&e.Email, &suspended)
		if err != nil {
			return notFound(err)
		}
		id := e.AccountID
		// keys picks the lockout and code budget keys of the account.
		const keys = `(email IN (?1, ?2) OR email IN (SELECT ?3 || id FROM devices WHERE account_id = ?4))`
		keyArgs := []any{e.Email, store.ResetKeyPrefix + e.Email, store.DeviceKeyPrefix, id}
		n := 0
		switch e.Action {
		case store.ActionSuspend, store.ActionRevokeSessions:
			if e.Action == store.ActionSuspend {
				err = execAll(ctx, tx, stmt{`UPDATE accounts SET suspended = 1 WHERE id = ?`, []any{id}}, stmt{untrustDevices, []any{id}})
			}
			if err == nil {
				n, err = count(tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, id))
			}
			if err == nil {
				err = execAll(ctx, tx, stmt{`DELETE FROM challenges WHERE account_id = ?`, []any{id}})
			}
		case store.ActionUnsuspend:
			_, err = tx.ExecContext(ctx, `UPDATE accounts SET suspended = 0 WHERE id = ?`, id)
		case store.ActionUnlock:
			n, err = count(tx.ExecContext(ctx, `UPDATE lockouts SET failures = 0, locked_until = 0
				WHERE `+keys+` AND (failures > 0 OR locked_until > ?5)`, append(keyArgs, ms(e.At))...))
			if err == nil {
				err = execAll(ctx, tx, stmt{`DELETE FROM code_misses WHERE ` + keys, keyArgs})
			}
		case store.ActionDelete:
			err = execAll(ctx, tx,
				stmt{`DELETE FROM lockouts WHERE ` + keys, keyArgs},
				stmt{`DELETE FROM code_misses WHERE ` + keys, keyArgs},
				stmt{`DELETE FROM attempts WHERE ` + keys, keyArgs},
				stmt{`DELETE FROM codes WHERE email = ?`, []any{e.Email}},
				stmt{`DELETE FROM registrations WHERE email = ?`, []any{e.Email}},
				stmt{`DELETE FROM outbox WHERE rcpt = ?`, []any{e.Email}},
				stmt{`UPDATE audit_log SET email = '' WHERE account_id = ?`, []any{id}},
				// Its other rows go by the foreign keys' cascades.
				stmt{`DELETE FROM accounts WHERE id = ?`, []any{id}})
			e.Email = ""
		case store.ActionExport:
		default:
			return store.ErrUnknownAction
		}
		if err != nil {
			return err
		}
		e.Outcome = store.Outcome(e.Action, suspended, n)
		return tx.QueryRowContext(ctx, `INSERT INTO audit_log (at, operator, action, account_id, email, reason, outcome)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq`, ms(e.At), e.Operator, e.Action, id, e.Email, e.Reason, e.Outcome).Scan(&e.Seq)
	})
	if err != nil {
		return store.AuditEntry{}, err
	}
	e.At = fromMS(ms(e.At))
	return e, nil
}

// AuditLog implements Store.
func (s *Store) AuditLog(ctx context.Context, account string, limit int) ([]store.AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, at, operator, action, account_id, email, reason, outcome FROM audit_log
		WHERE ?1 = '' OR account_id = ?1 OR email = ?1 ORDER BY seq DESC LIMIT ?2`, account, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Operator, &e.Action, &e.AccountID, &e.Email, &e.Reason, &e.Outcome); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Ping implements Store: a query of the maintenance row, since a database
// handle answers a ping without reading the file.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1 FROM maintenance WHERE one = 1`).Scan(&one)
}

// takeSQL takes a token of a bucket (see Take): ?1 its key, ?2 now, ?3 the
// interval and ?4 the latest full time; no row when it has none.
const takeSQL = `INSERT INTO rate_limits (key, full_at) VALUES (?1, ?2 + ?3)
	ON CONFLICT (key) DO UPDATE SET full_at = max(full_at, ?2) + ?3 WHERE full_at <= ?4
	RETURNING full_at`

// TakeToken implements Store.
func (s *Store) TakeToken(ctx context.Context, key string, l store.Limit, now time.Time) (bool, time.Duration, error) {
	return s.takeToken(ctx, nil, key, l, now)
}

// takeToken takes a token in tx, or on its own when tx is nil.
func (s *Store) takeToken(ctx context.Context, tx *sql.Tx, key string, l store.Limit, now time.Time) (bool, time.Duration, error) {
	if l.PerSecond <= 0 {
		return true, 0, nil
	}
	take, q := s.take, queryer(s.db)
	if tx != nil {
		take, q = tx.StmtContext(ctx, s.take), tx
	}
	t, k := l.Take(now), store.LimitKey(key)
	var full int64
	err := take.QueryRowContext(ctx, k, t.Now, t.Interval, t.Latest).Scan(&full)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return err == nil, 0, err
	}
	err = q.QueryRowContext(ctx, `SELECT full_at FROM rate_limits WHERE key = ?`, k).Scan(&full)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil // purged meanwhile: full now
	}
	return false, t.Wait(full), err
}

// queryer is a database or a transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Phones.

// SetPendingPhone implements Store.
func (s *Store) SetPendingPhone(ctx context.Context, accountID, number string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO phones (account_id, pending) VALUES (?, ?)
		ON CONFLICT (account_id) DO UPDATE SET pending = excluded.pending`, accountID, number)
	return err
}

// Phone implements Store.
func (s *Store) Phone(ctx context.Context, accountID string) (store.Phone, error) {
	var p store.Phone
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT number, verified_at, pending FROM phones WHERE account_id = ?`, accountID).
		Scan(&p.Number, &at, &p.Pending)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Phone{}, nil
	}
	if p.Number != "" {
		p.VerifiedAt = fromMS(at)
	}
	return p, err
}

// ConfirmPhone implements Store.
func (s *Store) ConfirmPhone(ctx context.Context, accountID, number string, now time.Time) error {
	return one(s.db.ExecContext(ctx, `UPDATE phones SET number = pending, pending = '', verified_at = ?
		WHERE account_id = ? AND pending = ? AND pending <> ''`, ms(now), accountID, number))
}

// RemovePhone implements Store.
func (s *Store) RemovePhone(ctx context.Context, accountID string) error {
	return one(s.db.ExecContext(ctx, `DELETE FROM phones WHERE account_id = ?`, accountID))
}

// Tickets.

const ticketCols = `number, account_id, email, language, topic, description, report, staff_phrase, status, signed_in, created_at, updated_at`

// scanTicket reads the ticketCols and purged_at of a row.
func scanTicket(row interface{ Scan(...any) error }) (store.Ticket, error) {
	var t store.Ticket
	var created, updated int64
	var purged sql.NullInt64
	err := row.Scan(&t.Number, &t.AccountID, &t.Email, &t.Language, &t.Topic, &t.Description, &t.Report, &t.StaffPhrase,
		&t.Status, &t.SignedIn, &created, &updated, &purged)
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	if purged.Valid {
		t.PurgedAt = fromMS(purged.Int64)
	}
	return t, notFound(err)
}

// CreateTicket implements Store.
func (s *Store) CreateTicket(ctx context.Context, t store.Ticket, maxOpen int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE account_id = ? AND status != ?`,
			t.AccountID, authapi.TicketClosed).Scan(&open); err != nil {
			return err
		}
		if open >= maxOpen {
			return store.ErrTicketLimit
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tickets (`+ticketCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Number, t.AccountID, t.Email, t.Language, t.Topic, t.Description, t.Report, t.StaffPhrase, t.Status, t.SignedIn,
			ms(t.CreatedAt), ms(t.UpdatedAt))
		var se *driver.Error
		if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
			return store.ErrExists
		}
		return err
	})
}

// tickets reads the tickets of a query, with their replies when replies.
func (s *Store) tickets(ctx context.Context, replies bool, query string, args ...any) ([]store.Ticket, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+ticketCols+`, purged_at FROM tickets `+query, args...)
	if err != nil {
		return nil, err
	}
	out := []store.Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil || !replies {
		return out, err
	}
	for i := range out {
		if out[i].Replies, err = s.replies(ctx, out[i].Number); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) replies(ctx context.Context, number string) ([]store.TicketReply, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, operator, body FROM ticket_replies WHERE number = ? ORDER BY seq`, number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.TicketReply{}
	for rows.Next() {
		var r store.TicketReply
		var at int64
		if err := rows.Scan(&at, &r.Operator, &r.Text); err != nil {
			return nil, err
		}
		r.At = fromMS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Tickets implements Store.
func (s *Store) Tickets(ctx context.Context, accountID string) ([]store.Ticket, error) {
	return s.tickets(ctx, true, `WHERE account_id = ? AND purged_at IS NULL ORDER BY created_at DESC, number`, accountID)
}

// Ticket implements Store.
func (s *Store) Ticket(ctx context.Context, number string) (store.Ticket, error) {
	list, err := s.tickets(ctx, true, `WHERE number = ?`, number)
	if err == nil && len(list) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Ticket{}, err
	}
	return list[0], nil
}

// FindTickets implements Store.
func (s *Store) FindTickets(ctx context.Context, status string, limit int) ([]store.Ticket, error) {
	return s.tickets(ctx, false, `WHERE ?1 = '' OR status = ?1 ORDER BY updated_at, number LIMIT ?2`, status, limit)
}

// AnswerTicket implements Store.
func (s *Store) AnswerTicket(ctx context.Context, number, text string, e store.AuditEntry) (store.AuditEntry, error) {
	status, reason, outcome, err := store.TicketAnswer(number, text, e)
	if err != nil {
		return store.AuditEntry{}, err
	}
	e.Reason, e.Outcome = reason, outcome
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var purged bool
		if err := tx.QueryRowContext(ctx, `SELECT purged_at IS NOT NULL FROM tickets WHERE number = ?`, number).Scan(&purged); err != nil {
			return notFound(err)
		} else if purged {
			return store.ErrTicketPurged
		}
		err := tx.QueryRowContext(ctx, `UPDATE tickets SET status = ?, updated_at = ? WHERE number = ? RETURNING account_id, email`,
			status, ms(e.At), number).Scan(&e.AccountID, &e.Email)
		if err != nil {
			return err
		}
		if text != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_replies (number, at, operator, body) VALUES (?, ?, ?, ?)`,
				number, ms(e.At), e.Operator, text); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `INSERT INTO audit_log (at, operator, action, account_id, email, reason, outcome)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq`, ms(e.At), e.Operator, e.Action, e.AccountID, e.Email, e.Reason, e.Outcome).Scan(&e.Seq)
	})
	if err != nil {
		return store.AuditEntry{}, err
	}
	e.At = fromMS(ms(e.At))
	return e, nil
}

// PurgeTickets implements Store.
func (s *Store) PurgeTickets(ctx context.Context, closedBefore, now time.Time) (int, error) {
	const which = `status = ? AND updated_at < ? AND purged_at IS NULL`
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_replies WHERE number IN (SELECT number FROM tickets WHERE `+which+`)`,
			authapi.TicketClosed, ms(closedBefore)); err != nil {
			return err
		}
		var err error
		n, err = count(tx.ExecContext(ctx, `UPDATE tickets SET description = '', report = '', staff_phrase = '', email = '', purged_at = ?
			WHERE `+which, ms(now), authapi.TicketClosed, ms(closedBefore)))
		return err
	})
	return n, err
}

// collect reads every row of a query's answer with scan and closes it, as
// pgx.CollectRows does for the PostgreSQL store; called on the query's two
// results: collect[T](db.QueryContext(…))(scan).
func collect[T any](rows *sql.Rows, err error) func(scan func(*sql.Rows) (T, error)) ([]T, error) {
	return func(scan func(*sql.Rows) (T, error)) ([]T, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
}
