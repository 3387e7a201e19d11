-- When the last security notice of each kind went to an account, so that
-- every replica sends at most one of a kind per interval.
CREATE TABLE notices (
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	sent_at    INTEGER NOT NULL,
	PRIMARY KEY (account_id, kind)
);
