-- The round's legal frame, which each decision letter states; empty until the programme team
-- sets it (a round is adopted only with all three).
ALTER TABLE rounds ADD COLUMN authority TEXT NOT NULL DEFAULT '';
ALTER TABLE rounds ADD COLUMN legal_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE rounds ADD COLUMN objection_address TEXT NOT NULL DEFAULT '';

-- Each college decision adopting (part of) a round: the first, then supplementary ones for
-- plans decided since. `rounds.adopted_on` and `rounds.adoption_reference` keep the first.
CREATE TABLE adoptions (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id),
    seq INTEGER NOT NULL,
    adopted_on DATE NOT NULL,
    reference TEXT NOT NULL,
    -- The plans left open for a later adoption, as a JSON list of ids.
    deferred TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (round_id, seq)
);

-- The adoption that covers a decided plan: its decision is published from then on.
ALTER TABLE plans ADD COLUMN adoption_id TEXT REFERENCES adoptions (id);
CREATE INDEX plans_adoption ON plans (adoption_id) WHERE adoption_id IS NOT NULL;

-- A decision letter belongs to its adoption (it may be corrected while none is sent) and keeps
-- what it says as JSON, so it is written again with the date it is actually sent.
ALTER TABLE outbox ADD COLUMN adoption_id TEXT REFERENCES adoptions (id);
ALTER TABLE outbox ADD COLUMN letter TEXT;
CREATE INDEX outbox_adoption ON outbox (adoption_id) WHERE adoption_id IS NOT NULL;

-- Rounds adopted before: their one adoption as a record covering the plans it published.
INSERT INTO adoptions (id, round_id, seq, adopted_on, reference, deferred, recorded_by, version, created_at, updated_at)
SELECT 'adoption-' || id, id, 1, adopted_on, COALESCE(adoption_reference, ''), '[]', '', 1, updated_at, updated_at
FROM rounds WHERE adopted_on IS NOT NULL;
UPDATE plans SET adoption_id = 'adoption-' || round_id
WHERE status IN ('adopted', 'rejected')
  AND round_id IN (SELECT id FROM rounds WHERE adopted_on IS NOT NULL);
