-- A plan's links to other plans, as its content states them (`links`), kept beside it so a
-- plan finds the links that point at it by an index.
CREATE TABLE plan_links (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    target_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    PRIMARY KEY (plan_id, target_id)
);
CREATE INDEX plan_links_target ON plan_links (target_id);
