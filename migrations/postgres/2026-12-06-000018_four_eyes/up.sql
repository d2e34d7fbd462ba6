-- Four eyes on money (issue 28): a bank account recorded or changed is used for payments only
-- once a second person (the finance role) confirmed it. Accounts recorded before this release
-- start unconfirmed: one person recorded them, so one confirmation is due.
ALTER TABLE bank_accounts ADD COLUMN confirmed_by TEXT REFERENCES users (id);
ALTER TABLE bank_accounts ADD COLUMN confirmed_at TIMESTAMP;

-- Where an organisation's letters go besides its confirmed members.
ALTER TABLE organisations ADD COLUMN contact_email TEXT;

-- A grant's payment conditions, taken from the pre-advice when the grant is made: a payment
-- is released only when those before it are met.
CREATE TABLE grant_conditions (
    id TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES grants (id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    before_payment TEXT NOT NULL,
    met_on DATE,
    met_by TEXT REFERENCES users (id),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX grant_conditions_grant ON grant_conditions (grant_id);

-- The team's note on a row of the published overview ("Gaat ten laste budget …").
CREATE TABLE plan_notes (
    plan_id TEXT PRIMARY KEY NOT NULL REFERENCES plans (id),
    note TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- A round's own reference prefix; empty: the programme's initials.
ALTER TABLE rounds ADD COLUMN reference_prefix TEXT NOT NULL DEFAULT '';
