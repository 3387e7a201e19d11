-- The bucket of a session's refreshes (see store.Take): the microsecond at
-- which it is full again, kept in the row that a rotation updates anyway.
ALTER TABLE sessions ADD COLUMN refresh_full_at INTEGER NOT NULL DEFAULT 0;
