-- Each audit entry's hash sealed with a key the database does not hold
-- (HMAC-SHA256, hex): someone who can write to the database but does not
-- have the key cannot recompute the chain after changing an entry without
-- it showing. Empty for entries written without a key configured.
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT ''
