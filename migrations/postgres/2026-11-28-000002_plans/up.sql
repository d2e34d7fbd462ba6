-- Plans, their history and their submitted versions.
CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id),
    owner_id TEXT NOT NULL REFERENCES users (id),
    applicant_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Grows with every change; sent as the ETag and guards every update.
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- The theme charged: the explicit choice or the theme of the first goal.
    budget_line TEXT,
    -- Goal codes as ",B,J," so one goal can be found with LIKE on both backends.
    goals_index TEXT NOT NULL,
    -- Title and description folded to lower case without accents, for `q`.
    search_text TEXT NOT NULL,
    requested_eur BIGINT,
    -- The applicant's content as JSON (domain::plan::PlanContent).
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP
);
CREATE INDEX plans_round_status ON plans (round_id, status, created_at);
CREATE INDEX plans_owner ON plans (owner_id, created_at);
CREATE INDEX plans_status_created ON plans (status, created_at);

CREATE TABLE plan_events (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    actor_id TEXT NOT NULL REFERENCES users (id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    reason TEXT
);
CREATE INDEX plan_events_plan ON plan_events (plan_id, at);

CREATE TABLE plan_versions (
    plan_id TEXT NOT NULL REFERENCES plans (id),
    version INTEGER NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    -- The plan as submitted, as JSON.
    snapshot TEXT NOT NULL,
    PRIMARY KEY (plan_id, version)
);
