-- The language of an account's mails ("en", "zh-Hans"), chosen at
-- registration from the request's Accept-Language and kept by the
-- registration until it becomes the account.
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE registrations ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

-- The HTML alternative of an outbox mail, empty for a plain-text one.
ALTER TABLE outbox ADD COLUMN html TEXT NOT NULL DEFAULT '';
