-- Known devices (OWASP "device cookies"): a sign-in gives its device a
-- token, stored hashed. A device has its own failure budget (lockout key
-- "device:<id>") and may be trusted to sign in without two-factor until
-- trusted_until.
CREATE TABLE devices (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	token_hash    BLOB NOT NULL UNIQUE,
	device_name   TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	last_seen_at  INTEGER NOT NULL,
	trusted_until INTEGER
);
CREATE INDEX devices_account ON devices(account_id, last_seen_at);

-- The device a session or a pending two-factor sign-in comes from.
ALTER TABLE sessions ADD COLUMN device_id TEXT REFERENCES devices(id) ON DELETE SET NULL;
ALTER TABLE challenges ADD COLUMN device_id TEXT REFERENCES devices(id) ON DELETE SET NULL;

-- Whether an activity entry's device name is only what a failed,
-- unauthenticated request claimed.
ALTER TABLE activity ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;
