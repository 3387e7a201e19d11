-- Mailed codes in slots, as in the SQLite store's 0013_code_slots.sql.
ALTER TABLE codes DROP CONSTRAINT codes_pkey;
ALTER TABLE codes ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
ALTER TABLE codes ADD COLUMN slot text NOT NULL DEFAULT '';
CREATE INDEX codes_email ON codes (email, purpose, slot, id);
CREATE INDEX codes_expires ON codes (expires_at);
