-- Purged tickets, as in the SQLite store's 0014_ticket_retention.sql.
ALTER TABLE tickets ADD COLUMN purged_at timestamptz;
