-- Support requests and replies, as in the SQLite store's 0011_tickets.sql.
CREATE TABLE tickets (
	number       text PRIMARY KEY,
	account_id   text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	email        text NOT NULL,
	language     text NOT NULL,
	topic        text NOT NULL,
	description  text NOT NULL,
	report       text NOT NULL,
	staff_phrase text NOT NULL,
	status       text NOT NULL,
	signed_in    boolean NOT NULL,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL
);
CREATE INDEX tickets_account ON tickets (account_id, created_at);
CREATE INDEX tickets_status ON tickets (status, updated_at);

CREATE TABLE ticket_replies (
	seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number   text NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
	at       timestamptz NOT NULL,
	operator text NOT NULL,
	body     text NOT NULL
);
CREATE INDEX ticket_replies_number ON ticket_replies (number, seq);
