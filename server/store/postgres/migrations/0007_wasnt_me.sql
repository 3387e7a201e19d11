-- "This wasn't me" links, as in the SQLite store's 0008_wasnt_me.sql.
CREATE TABLE wasnt_me_tokens (
	hash       bytea PRIMARY KEY,
	account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);
CREATE INDEX wasnt_me_tokens_account ON wasnt_me_tokens (account_id);

ALTER TABLE accounts ADD COLUMN reset_required boolean NOT NULL DEFAULT false;
