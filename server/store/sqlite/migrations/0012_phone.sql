-- The phone number of an account (E.164): the verified one, which a
-- password reset may text its code to, and one waiting for its texted
-- code. No unique index: whether a number is bound elsewhere is not told.
CREATE TABLE phones (
	account_id  TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
	number      TEXT NOT NULL DEFAULT '',
	pending     TEXT NOT NULL DEFAULT '',
	verified_at INTEGER NOT NULL DEFAULT 0
);

-- A text message of the local outbox, to the phone number in rcpt.
ALTER TABLE outbox ADD COLUMN sms INTEGER NOT NULL DEFAULT 0;
