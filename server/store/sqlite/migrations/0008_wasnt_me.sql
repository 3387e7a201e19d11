-- "This wasn't me" links of security notices: single-use tokens kept under
-- their digest; a used token stays until it expires, so that its page can
-- say it was used.
CREATE TABLE wasnt_me_tokens (
	hash       BLOB PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);
CREATE INDEX wasnt_me_tokens_account ON wasnt_me_tokens(account_id);

-- Set by a used link: every sign-in is refused until a password reset.
ALTER TABLE accounts ADD COLUMN reset_required INTEGER NOT NULL DEFAULT 0;
