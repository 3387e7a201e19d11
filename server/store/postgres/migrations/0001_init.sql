-- The tables of the SQLite store (server/store/migrations), in PostgreSQL's
-- types: times are timestamptz, NULL where SQLite keeps 0 for "none".

-- Accounts, keyed by normalised email.
CREATE TABLE accounts (
	id             text PRIMARY KEY,
	email          text NOT NULL UNIQUE,
	password_hash  text NOT NULL,
	verified       boolean NOT NULL DEFAULT false,
	suspended      boolean NOT NULL DEFAULT false,
	created_at     timestamptz NOT NULL,
	totp_secret    text NOT NULL DEFAULT '',
	totp_pending   text NOT NULL DEFAULT '',
	totp_enabled   boolean NOT NULL DEFAULT false,
	totp_last_step bigint NOT NULL DEFAULT 0,
	anti_phishing  text NOT NULL DEFAULT ''
);

-- Failed sign-ins and locks, keyed by email so that unknown addresses are
-- counted and locked exactly like known ones. A sign-in attempt locks the
-- address's row, so attempts on one address are counted one at a time.
CREATE TABLE lockouts (
	email        text PRIMARY KEY,
	failures     integer NOT NULL DEFAULT 0,
	lock_count   integer NOT NULL DEFAULT 0,
	locked_until timestamptz
);

-- Sign-in attempts being checked right now. An attempt is reserved before
-- its password or code is checked, so that the failures already counted
-- plus the attempts in flight never exceed the lock's limit. A reservation
-- left by a crashed process expires.
CREATE TABLE attempts (
	id         text PRIMARY KEY,
	email      text NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX attempts_email ON attempts (email, expires_at);

-- Mailed codes: one live code per address and purpose, stored hashed.
CREATE TABLE codes (
	email         text NOT NULL,
	purpose       text NOT NULL,
	code_hash     bytea NOT NULL,
	expires_at    timestamptz NOT NULL,
	attempts_left integer NOT NULL,
	PRIMARY KEY (email, purpose)
);

CREATE TABLE recovery_codes (
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	code_hash  bytea NOT NULL,
	used_at    timestamptz,
	PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE challenges (
	id_hash     bytea PRIMARY KEY,
	account_id  text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	device_name text NOT NULL,
	expires_at  timestamptz NOT NULL
);
CREATE INDEX challenges_account ON challenges (account_id);

CREATE TABLE sessions (
	id             text PRIMARY KEY,
	account_id     text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	device_name    text NOT NULL,
	ip             text NOT NULL,
	created_at     timestamptz NOT NULL,
	last_seen_at   timestamptz NOT NULL,
	access_hash    bytea NOT NULL UNIQUE,
	access_expires timestamptz NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Every refresh token a session was given; used_at marks rotated ones so
-- that a second use is detected (RFC 9700 reuse detection).
CREATE TABLE refresh_tokens (
	hash       bytea PRIMARY KEY,
	session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE reset_tokens (
	hash       bytea PRIMARY KEY,
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	expires_at timestamptz NOT NULL
);
CREATE INDEX reset_tokens_account ON reset_tokens (account_id);

CREATE TABLE activity (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id  text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	at          timestamptz NOT NULL,
	ip          text NOT NULL,
	device_name text NOT NULL,
	result      text NOT NULL
);
CREATE INDEX activity_account ON activity (account_id, seq);

-- The local outbox that the desktop app shows as a mailbox.
CREATE TABLE outbox (
	seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id      text NOT NULL UNIQUE,
	rcpt    text NOT NULL,
	subject text NOT NULL,
	body    text NOT NULL,
	sent_at timestamptz NOT NULL
);
CREATE INDEX outbox_rcpt ON outbox (rcpt, seq);

-- Server-wide state shared by every server on this database.
CREATE TABLE maintenance (
	one     integer PRIMARY KEY CHECK (one = 1),
	active  boolean NOT NULL,
	message text NOT NULL,
	until   timestamptz
);
INSERT INTO maintenance (one, active, message, until) VALUES (1, false, '', NULL);
