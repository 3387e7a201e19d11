-- Phone numbers and texted messages, as in the SQLite store's 0012_phone.sql.
CREATE TABLE phones (
	account_id  text PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	number      text NOT NULL DEFAULT '',
	pending     text NOT NULL DEFAULT '',
	verified_at timestamptz
);

ALTER TABLE outbox ADD COLUMN sms boolean NOT NULL DEFAULT false;
