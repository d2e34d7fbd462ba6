-- A counter per round, raised in the same transaction as every change to the round's plans
-- (just before the commit, see Db::write). Caches of list totals and of the similar-plans
-- index keep the counter they were built at and are current while it is unchanged, across
-- every instance on the database.
CREATE TABLE plan_changes (
    round_id TEXT PRIMARY KEY REFERENCES rounds (id),
    changes BIGINT NOT NULL
);
INSERT INTO plan_changes (round_id, changes) SELECT id, 0 FROM rounds;
