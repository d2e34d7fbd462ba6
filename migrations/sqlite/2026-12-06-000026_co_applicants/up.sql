-- The people a plan's owner invited to file it with them (issue 32): they read, edit and
-- answer as the owner does, but only the owner submits and withdraws.
CREATE TABLE plan_co_applicants (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    invited_by TEXT NOT NULL REFERENCES users (id),
    invited_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, user_id)
);
CREATE INDEX plan_co_applicants_by_user ON plan_co_applicants (user_id);

-- Who changed a plan's content, and when: one row per save, so each submitted version can
-- name the people who made it.
CREATE TABLE plan_edits (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX plan_edits_by_plan ON plan_edits (plan_id, at);

-- Who submitted each version (NULL for versions kept before this was recorded).
ALTER TABLE plan_versions ADD COLUMN submitted_by TEXT;
