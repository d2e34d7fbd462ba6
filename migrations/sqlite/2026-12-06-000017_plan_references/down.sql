DROP TABLE reference_counters;
DROP INDEX plans_reference;
ALTER TABLE plans DROP COLUMN reference;
