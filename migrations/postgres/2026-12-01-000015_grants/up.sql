-- After adoption (issue 20): the share of a grant paid in advance, per round.
ALTER TABLE rounds ADD COLUMN advance_share INTEGER NOT NULL DEFAULT 80;

-- An organisation's bank account (where its grants are paid), and every change of it: who
-- set which IBAN when (the log a payment can be traced back through).
CREATE TABLE bank_accounts (
    organisation_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    iban TEXT NOT NULL,
    holder TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE bank_account_changes (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    iban TEXT NOT NULL,
    holder TEXT NOT NULL,
    previous_iban TEXT,
    changed_by TEXT NOT NULL REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX bank_account_changes_organisation ON bank_account_changes (organisation_id);

-- A grant: made by the adoption of a plan with a programme contribution.
CREATE TABLE grants (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL UNIQUE REFERENCES plans (id),
    round_id TEXT NOT NULL REFERENCES rounds (id),
    amount_eur BIGINT NOT NULL,
    payee_id TEXT REFERENCES organisations (id),
    status TEXT NOT NULL,
    final_eur BIGINT,
    final_motivation TEXT,
    claim_eur BIGINT,
    stopped_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX grants_round ON grants (round_id);

-- Released payments exported together as one SEPA file.
CREATE TABLE payment_batches (
    id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL,
    total_eur BIGINT NOT NULL,
    payment_count BIGINT NOT NULL,
    execution_date DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);

CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES grants (id),
    kind TEXT NOT NULL,
    amount_eur BIGINT NOT NULL,
    status TEXT NOT NULL,
    batch_id TEXT REFERENCES payment_batches (id),
    created_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP,
    paid_at TIMESTAMP
);
CREATE INDEX payments_grant ON payments (grant_id);
CREATE INDEX payments_status ON payments (status);
CREATE INDEX payments_batch ON payments (batch_id);

-- The reports a grant asks for, each filled in once by the applicant.
CREATE TABLE grant_reports (
    id TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES grants (id),
    kind TEXT NOT NULL,
    due_on DATE NOT NULL,
    done TEXT,
    reach BIGINT,
    spent TEXT,
    stopped_reason TEXT,
    filed_at TIMESTAMP,
    filed_by TEXT REFERENCES users (id),
    accepted_at TIMESTAMP,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment_size BIGINT,
    reminded_soon_on DATE,
    reminded_late_on DATE,
    UNIQUE (grant_id, kind)
);
CREATE INDEX grant_reports_open ON grant_reports (due_on) WHERE filed_at IS NULL;
