-- Sign-in attempts being checked right now. An attempt is reserved before
-- its password or code is checked, so that the failures already counted
-- plus the attempts in flight never exceed the lock's limit. A reservation
-- left by a crashed process expires.
CREATE TABLE attempts (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX attempts_email ON attempts(email, expires_at);
