-- Registrations: pending accounts, each a password bound to a mailed code
-- of its own; the accounts table keeps only verified accounts. A decoy
-- (a registration of an address that has an account) has no password hash
-- and a random code hash that no code matches.
CREATE TABLE registrations (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	email           TEXT NOT NULL,
	password_hash   TEXT NOT NULL,
	code_hash       BLOB NOT NULL,
	code_expires_at INTEGER NOT NULL,
	attempts_left   INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	expires_at      INTEGER NOT NULL
);
CREATE INDEX registrations_email ON registrations(email, id);
CREATE INDEX registrations_expires ON registrations(expires_at);

-- Wrong mailed codes of an address, verification and reset together, each
-- counted until it leaves the budget's window.
CREATE TABLE code_misses (
	email      TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX code_misses_email ON code_misses(email, expires_at);
CREATE INDEX code_misses_expires ON code_misses(expires_at);

-- Unverified accounts become registrations whose code has expired (an
-- empty hash never matches); they are purged 7 days after their creation.
INSERT INTO registrations (email, password_hash, code_hash, code_expires_at, attempts_left, created_at, expires_at)
	SELECT email, password_hash, x'', 0, 0, created_at, created_at + 7 * 86400000 FROM accounts WHERE verified = 0;
DELETE FROM accounts WHERE verified = 0;

-- Stored codes were unkeyed hashes a copy of the database gave away.
DELETE FROM codes;
