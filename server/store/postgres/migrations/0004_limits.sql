-- The rate limits' token buckets, as in the SQLite store's 0005_limits.sql.
-- Unlogged: a crash empties the table, which only refills the buckets, and
-- a take writes no WAL. Room is left in each page for HOT updates (full_at
-- is not indexed).
CREATE UNLOGGED TABLE rate_limits (
	key     bytea PRIMARY KEY,
	full_at bigint NOT NULL
) WITH (fillfactor = 70);
