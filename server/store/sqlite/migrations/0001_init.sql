-- Accounts, keyed by normalised email.
CREATE TABLE accounts (
	id             TEXT PRIMARY KEY,
	email          TEXT NOT NULL UNIQUE,
	password_hash  TEXT NOT NULL,
	verified       INTEGER NOT NULL DEFAULT 0,
	suspended      INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL,
	totp_secret    TEXT NOT NULL DEFAULT '',
	totp_pending   TEXT NOT NULL DEFAULT '',
	totp_enabled   INTEGER NOT NULL DEFAULT 0,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	anti_phishing  TEXT NOT NULL DEFAULT ''
);

-- Failed sign-ins and locks, keyed by email so that unknown addresses are
-- counted and locked exactly like known ones.
CREATE TABLE lockouts (
	email        TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL DEFAULT 0,
	lock_count   INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0
);

-- Mailed codes: one live code per address and purpose, stored hashed.
CREATE TABLE codes (
	email         TEXT NOT NULL,
	purpose       TEXT NOT NULL,
	code_hash     BLOB NOT NULL,
	expires_at    INTEGER NOT NULL,
	attempts_left INTEGER NOT NULL,
	PRIMARY KEY (email, purpose)
);

CREATE TABLE recovery_codes (
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	code_hash  BLOB NOT NULL,
	used_at    INTEGER,
	PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE challenges (
	id_hash     BLOB PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	device_name TEXT NOT NULL,
	expires_at  INTEGER NOT NULL
);

CREATE TABLE sessions (
	id             TEXT PRIMARY KEY,
	account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	device_name    TEXT NOT NULL,
	ip             TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	last_seen_at   INTEGER NOT NULL,
	access_hash    BLOB NOT NULL UNIQUE,
	access_expires INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

-- Every refresh token a session was given; used_at marks rotated ones so
-- that a second use is detected (RFC 9700 reuse detection).
CREATE TABLE refresh_tokens (
	hash       BLOB PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE reset_tokens (
	hash       BLOB PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
);

CREATE TABLE activity (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	at          INTEGER NOT NULL,
	ip          TEXT NOT NULL,
	device_name TEXT NOT NULL,
	result      TEXT NOT NULL
);
CREATE INDEX activity_account ON activity(account_id, seq);

-- The local outbox that the desktop app shows as a mailbox.
CREATE TABLE outbox (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	id      TEXT NOT NULL UNIQUE,
	rcpt    TEXT NOT NULL,
	subject TEXT NOT NULL,
	body    TEXT NOT NULL,
	sent_at INTEGER NOT NULL
);
CREATE INDEX outbox_rcpt ON outbox(rcpt, seq);

-- Server-wide state shared by every process on this database.
CREATE TABLE maintenance (
	one     INTEGER PRIMARY KEY CHECK (one = 1),
	active  INTEGER NOT NULL,
	message TEXT NOT NULL,
	until   INTEGER
);
INSERT INTO maintenance (one, active, message, until) VALUES (1, 0, '', NULL);
