-- A holder's change of their own e-mail address waits for the link mailed to the new
-- address (issue 30): the address becomes the account's only once that link is used.
CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    new_email TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    session_epoch BIGINT NOT NULL
);
