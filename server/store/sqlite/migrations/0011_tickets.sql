-- Support requests (tickets) and the staff's replies. A ticket goes with
-- its account; its number is random, its status open, answered or closed.
CREATE TABLE tickets (
	number       TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	email        TEXT NOT NULL,
	language     TEXT NOT NULL,
	topic        TEXT NOT NULL,
	description  TEXT NOT NULL,
	report       TEXT NOT NULL,
	staff_phrase TEXT NOT NULL,
	status       TEXT NOT NULL,
	signed_in    INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX tickets_account ON tickets (account_id, created_at);
CREATE INDEX tickets_status ON tickets (status, updated_at);

CREATE TABLE ticket_replies (
	seq      INTEGER PRIMARY KEY AUTOINCREMENT,
	number   TEXT NOT NULL REFERENCES tickets(number) ON DELETE CASCADE,
	at       INTEGER NOT NULL,
	operator TEXT NOT NULL,
	body     TEXT NOT NULL
);
CREATE INDEX ticket_replies_number ON ticket_replies (number, seq);
