-- Mailed codes: an address keeps its store.KeptCodes newest codes of a
-- purpose in each slot: '' for anyone's requests, a device's id for the
-- requests of a known device of the account. A stranger's request then
-- neither replaces the code the owner is typing nor the code her own
-- device asked for.
CREATE TABLE codes_slotted (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	email         TEXT NOT NULL,
	purpose       TEXT NOT NULL,
	slot          TEXT NOT NULL DEFAULT '',
	code_hash     BLOB NOT NULL,
	expires_at    INTEGER NOT NULL,
	attempts_left INTEGER NOT NULL
);
INSERT INTO codes_slotted (email, purpose, code_hash, expires_at, attempts_left)
	SELECT email, purpose, code_hash, expires_at, attempts_left FROM codes;
DROP TABLE codes;
ALTER TABLE codes_slotted RENAME TO codes;
CREATE INDEX codes_email ON codes(email, purpose, slot, id);
CREATE INDEX codes_expires ON codes(expires_at);
