-- The rate limits' token buckets, shared by every server on the database:
-- the SHA-256 digest of a limit's key (an address, an email, an account)
-- and the microsecond at which its bucket is full again (see store.Take).
-- A row whose bucket is full is purged.
CREATE TABLE rate_limits (
	key     BLOB PRIMARY KEY,
	full_at INTEGER NOT NULL
) WITHOUT ROWID;
