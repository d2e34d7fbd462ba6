-- A plan's attachments (issue 32): the file lies under the data folder's attachments/, named
-- by the id; position is the slot (1 to 10), unique per plan, so two uploads at once cannot
-- both take the last one.
CREATE TABLE plan_attachments (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    position INTEGER NOT NULL,
    uploader_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, position)
);
