-- The audit log of the operator's actions (sesame-authd admin). It has no
-- foreign key, so that it outlives the accounts it names; an account's
-- deletion erases its address here too, and keeps its id.
CREATE TABLE audit_log (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	at         INTEGER NOT NULL,
	operator   TEXT NOT NULL,
	action     TEXT NOT NULL,
	account_id TEXT NOT NULL,
	email      TEXT NOT NULL,
	reason     TEXT NOT NULL,
	outcome    TEXT NOT NULL
);
CREATE INDEX audit_log_account ON audit_log(account_id, seq);
CREATE INDEX audit_log_email ON audit_log(email, seq);

-- Finding accounts newest first.
CREATE INDEX accounts_created ON accounts(created_at);
