DROP INDEX plans_drafts_by_change;
ALTER TABLE users DROP COLUMN last_seen_at;
DROP TABLE retention_warnings;
