-- References people can quote: PREFIX-YYYY-NNNN, given at a plan's first submission, unique
-- in the installation and never reused. The counter per prefix and year hands out numbers.
ALTER TABLE plans ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX plans_reference ON plans (reference);
CREATE TABLE reference_counters (
    key TEXT PRIMARY KEY NOT NULL,
    last BIGINT NOT NULL
);
