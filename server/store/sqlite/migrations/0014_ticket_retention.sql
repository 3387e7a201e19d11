-- A closed ticket's text, report, staff phrase, address and replies are
-- deleted Config.TicketRetention after its closing; purged_at (unix ms)
-- says when. Its row stays: the audit log names its number.
ALTER TABLE tickets ADD COLUMN purged_at INTEGER;
