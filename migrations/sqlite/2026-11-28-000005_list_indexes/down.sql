DROP INDEX plans_order;
DROP INDEX plans_owner_order;
DROP INDEX plans_status_order;
DROP INDEX plans_round_order;
DROP INDEX plans_round_status_order;
CREATE INDEX plans_round_status ON plans (round_id, status, created_at);
CREATE INDEX plans_owner ON plans (owner_id, created_at);
CREATE INDEX plans_status_created ON plans (status, created_at);
