-- Security notices sent, as in the SQLite store's 0009_notices.sql.
CREATE TABLE notices (
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind       text NOT NULL,
	sent_at    timestamptz NOT NULL,
	PRIMARY KEY (account_id, kind)
);
