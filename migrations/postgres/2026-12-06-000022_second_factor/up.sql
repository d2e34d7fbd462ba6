-- Staff sign in with a second factor (issue 31): an account's TOTP secret (RFC 6238; it
-- counts once confirmed with a code; `last_step` is the last step a code was accepted for, so
-- each code works once), its recovery codes (hashes only, each used once), and how a
-- browser's session began: with the second factor, or still waiting for its code.
CREATE TABLE totp_factors (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
ALTER TABLE sessions ADD COLUMN second_factor BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN awaiting_code BOOLEAN NOT NULL DEFAULT FALSE;
