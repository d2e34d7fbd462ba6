-- Assessment and decision: evaluations, pre-advice, votes, conflicts, grants, budget lines.
ALTER TABLE plans ADD COLUMN pre_advice TEXT;
ALTER TABLE plans ADD COLUMN proposed_eur BIGINT;
ALTER TABLE plans ADD COLUMN total_score INTEGER;
ALTER TABLE plans ADD COLUMN granted_eur BIGINT;
ALTER TABLE plans ADD COLUMN decision TEXT;
ALTER TABLE plans ADD COLUMN merged_into TEXT REFERENCES plans (id);
ALTER TABLE plans ADD COLUMN info_request TEXT;
CREATE INDEX plans_merged_into ON plans (merged_into);
CREATE INDEX plans_round_line ON plans (round_id, budget_line, status);

CREATE TABLE evaluations (
    plan_id TEXT NOT NULL REFERENCES plans (id),
    reviewer_id TEXT NOT NULL REFERENCES users (id),
    scores TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, reviewer_id)
);

CREATE TABLE votes (
    plan_id TEXT NOT NULL REFERENCES plans (id),
    member_id TEXT NOT NULL REFERENCES users (id),
    vote TEXT NOT NULL,
    comment TEXT NOT NULL,
    cast_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, member_id)
);

CREATE TABLE conflicts (
    plan_id TEXT NOT NULL REFERENCES plans (id),
    member_id TEXT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    declared_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, member_id)
);

-- One row per theme of a round: the row a decision locks before it checks the budget cap.
CREATE TABLE budget_lines (
    round_id TEXT NOT NULL REFERENCES rounds (id),
    theme TEXT NOT NULL,
    budget_eur BIGINT NOT NULL,
    PRIMARY KEY (round_id, theme)
);
