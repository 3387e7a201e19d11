-- Registrations: pending accounts, each a password bound to a mailed code
-- of its own; the accounts table keeps only verified accounts. A decoy
-- (a registration of an address that has an account) has no password hash
-- and a random code hash that no code matches.
CREATE TABLE registrations (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email           text NOT NULL,
	password_hash   text NOT NULL,
	code_hash       bytea NOT NULL,
	code_expires_at timestamptz NOT NULL,
	attempts_left   integer NOT NULL,
	created_at      timestamptz NOT NULL,
	expires_at      timestamptz NOT NULL
);
CREATE INDEX registrations_email ON registrations (email, id);
CREATE INDEX registrations_expires ON registrations (expires_at);

-- Wrong mailed codes of an address, verification and reset together, each
-- counted until it leaves the budget's window. The attempts on one
-- address's codes hold a transaction-level advisory lock on the address.
CREATE TABLE code_misses (
	email      text NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX code_misses_email ON code_misses (email, expires_at);
CREATE INDEX code_misses_expires ON code_misses (expires_at);

-- Unverified accounts become registrations whose code has expired (an
-- empty hash never matches); they are purged 7 days after their creation.
INSERT INTO registrations (email, password_hash, code_hash, code_expires_at, attempts_left, created_at, expires_at)
	SELECT email, password_hash, '\x'::bytea, created_at, 0, created_at, created_at + interval '7 days'
	FROM accounts WHERE NOT verified;
DELETE FROM accounts WHERE NOT verified;

-- Stored codes were unkeyed hashes a copy of the database gave away.
DELETE FROM codes;
