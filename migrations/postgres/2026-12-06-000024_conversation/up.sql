-- The conversation about a plan (issue 32): messages between its applicants and the programme
-- team, and per person and plan when they were last mailed about it, and since when messages
-- wait to be gathered into the next mail (at most one an hour).
CREATE TABLE plan_messages (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    author_role TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_messages_plan ON plan_messages (plan_id, created_at);
CREATE TABLE message_notices (
    plan_id TEXT NOT NULL REFERENCES plans (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    mailed_at TIMESTAMP,
    waiting_since TIMESTAMP,
    PRIMARY KEY (plan_id, user_id)
);
CREATE INDEX message_notices_waiting ON message_notices (waiting_since);
