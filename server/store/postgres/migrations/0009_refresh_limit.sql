-- The bucket of a session's refreshes, as in the SQLite store's
-- 0010_refresh_limit.sql.
ALTER TABLE sessions ADD COLUMN refresh_full_at bigint NOT NULL DEFAULT 0;
