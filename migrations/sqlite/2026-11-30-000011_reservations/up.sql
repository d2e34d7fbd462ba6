-- Budget held for a purpose before a plan exists ("Regie op taalaanbod"): it counts against
-- its theme's cap while it stands. A released reservation is kept, with when it was released.
CREATE TABLE reservations (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id),
    theme TEXT NOT NULL,
    amount_eur BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP
);
CREATE INDEX reservations_round_theme ON reservations (round_id, theme);
