DROP TABLE attempts;
ALTER TABLE plans DROP COLUMN shown_updated_at;
ALTER TABLE plans DROP COLUMN shown_version;
ALTER TABLE magic_links DROP COLUMN session_epoch;
ALTER TABLE users DROP COLUMN organisation_confirmed;
ALTER TABLE users DROP COLUMN session_epoch;
