-- Every token, session and sign-in link carries the account's epoch; a password, e-mail,
-- role or activation change raises it, which ends them all.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 1;
-- A self-registered claim to belong to an organisation is pending until the programme team
-- or an admin confirms it. Accounts from before were accepted under the earlier rules.
ALTER TABLE users ADD COLUMN organisation_confirmed BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE magic_links ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 1;

-- What the applicant sees of a plan changes less often than the plan: only staff acting
-- inside the assessment moves `version`, never these.
ALTER TABLE plans ADD COLUMN shown_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN shown_updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE plans SET shown_version = version, shown_updated_at = updated_at;

-- Sign-in attempts per key (an address, a client) in a window, counted before a password is
-- checked, shared by every instance on this database.
CREATE TABLE attempts (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count INTEGER NOT NULL
);
-- Windows long past are deleted as attempts are counted.
CREATE INDEX attempts_window_start ON attempts (window_start);
