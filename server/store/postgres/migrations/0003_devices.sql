-- Known devices, as in the SQLite store's 0004_devices.sql.
CREATE TABLE devices (
	id            text PRIMARY KEY,
	account_id    text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	token_hash    bytea NOT NULL UNIQUE,
	device_name   text NOT NULL,
	created_at    timestamptz NOT NULL,
	last_seen_at  timestamptz NOT NULL,
	trusted_until timestamptz
);
CREATE INDEX devices_account ON devices (account_id, last_seen_at);

-- The device a session or a pending two-factor sign-in comes from.
ALTER TABLE sessions ADD COLUMN device_id text REFERENCES devices (id) ON DELETE SET NULL;
CREATE INDEX sessions_device ON sessions (device_id);
ALTER TABLE challenges ADD COLUMN device_id text REFERENCES devices (id) ON DELETE SET NULL;

-- Whether an activity entry's device name is only what a failed,
-- unauthenticated request claimed.
ALTER TABLE activity ADD COLUMN claimed boolean NOT NULL DEFAULT false;
