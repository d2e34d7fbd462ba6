-- Single sign-on through the municipality's identity provider (issue 31): an account is the
-- provider's person by (issuer, subject), and a sign-in on its way is kept until its callback
-- (the state's hash; the nonce and the PKCE verifier it is checked with; where to go after).
CREATE TABLE oidc_links (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_links_user ON oidc_links (user_id);
CREATE TABLE oidc_requests (
    state_hash TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
