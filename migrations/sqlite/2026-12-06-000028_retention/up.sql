-- The retention policy (issue 33): when a draft's owner was warned that it will be deleted,
-- and when each account was last signed in to (sessions are themselves deleted after a while,
-- so they cannot tell how long an account has been unused).
CREATE TABLE retention_warnings (
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    warned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, record_id)
);
ALTER TABLE users ADD COLUMN last_seen_at TIMESTAMP;
CREATE INDEX plans_drafts_by_change ON plans (updated_at) WHERE status = 'draft';
