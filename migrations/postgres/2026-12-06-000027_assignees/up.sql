-- Reviewers assigned per plan (issue 32): an external reviewer sees only the plans assigned
-- to them. due_on is the date the team asks the evaluation by; reminded_at is set when the
-- reminder three days before it was queued, so it goes once.
CREATE TABLE plan_assignees (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    assigned_by TEXT NOT NULL REFERENCES users (id),
    assigned_at TIMESTAMP NOT NULL,
    due_on DATE,
    reminded_at TIMESTAMP,
    PRIMARY KEY (plan_id, user_id)
);
CREATE INDEX plan_assignees_by_user ON plan_assignees (user_id);
CREATE INDEX plan_assignees_to_remind ON plan_assignees (due_on) WHERE reminded_at IS NULL;
