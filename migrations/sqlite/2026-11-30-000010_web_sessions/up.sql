-- A signed-in browser: the cookie holds a random token, only its BLAKE2s hash is kept. It
-- lives while the account's session epoch stays what it was at sign-in, and for 8 hours idle.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    session_epoch BIGINT NOT NULL,
    -- Every form of the session carries it; a post without it changes nothing.
    csrf TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
