-- Indexes that match GET /plans's order (created_at DESC, id DESC) after each filter, so a
-- page is read from the index and the scan stops after page_size rows instead of sorting
-- every match (measured in docs/BENCHMARKS.md: 30 to 1,600 req/s at 100k plans).
DROP INDEX plans_round_status;
DROP INDEX plans_owner;
DROP INDEX plans_status_created;
CREATE INDEX plans_round_status_order ON plans (round_id, status, created_at, id);
CREATE INDEX plans_round_order ON plans (round_id, created_at, id);
CREATE INDEX plans_status_order ON plans (status, created_at, id);
CREATE INDEX plans_owner_order ON plans (owner_id, created_at, id);
CREATE INDEX plans_order ON plans (created_at, id);
