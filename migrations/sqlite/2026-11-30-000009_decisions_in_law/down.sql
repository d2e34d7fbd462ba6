DROP INDEX outbox_adoption;
ALTER TABLE outbox DROP COLUMN letter;
ALTER TABLE outbox DROP COLUMN adoption_id;
DROP INDEX plans_adoption;
ALTER TABLE plans DROP COLUMN adoption_id;
DROP TABLE adoptions;
ALTER TABLE rounds DROP COLUMN objection_address;
ALTER TABLE rounds DROP COLUMN legal_basis;
ALTER TABLE rounds DROP COLUMN authority;
