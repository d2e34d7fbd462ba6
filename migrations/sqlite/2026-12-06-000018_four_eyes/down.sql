ALTER TABLE rounds DROP COLUMN reference_prefix;
DROP TABLE plan_notes;
DROP TABLE grant_conditions;
ALTER TABLE organisations DROP COLUMN contact_email;
ALTER TABLE bank_accounts DROP COLUMN confirmed_at;
ALTER TABLE bank_accounts DROP COLUMN confirmed_by;
