-- An applicant's answer to the team's question, kept while they go and change the plan
-- (issue 30: nothing typed is lost). It is theirs alone until they resubmit, when it becomes
-- the answer and this row goes.
CREATE TABLE answer_drafts (
    plan_id TEXT PRIMARY KEY NOT NULL REFERENCES plans (id),
    text TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
