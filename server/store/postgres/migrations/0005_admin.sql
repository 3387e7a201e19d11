-- The audit log, as in the SQLite store's 0006_admin.sql.
CREATE TABLE audit_log (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at         timestamptz NOT NULL,
	operator   text NOT NULL,
	action     text NOT NULL,
	account_id text NOT NULL,
	email      text NOT NULL,
	reason     text NOT NULL,
	outcome    text NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account_id, seq);
CREATE INDEX audit_log_email ON audit_log (email, seq);

-- Finding accounts newest first.
CREATE INDEX accounts_created ON accounts (created_at);
