ALTER TABLE plan_versions DROP COLUMN submitted_by;
DROP TABLE plan_edits;
DROP TABLE plan_co_applicants;
