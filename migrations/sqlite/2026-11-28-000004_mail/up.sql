-- The transactional outbox: a mail is a row written in the transaction of the change that
-- causes it, sent afterwards by the worker with retries.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- pending, sent or dead
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker that claimed the row holds it until then (so no two instances send it).
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    plan_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- One-time sign-in links; only a hash of the token is kept.
CREATE TABLE magic_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
