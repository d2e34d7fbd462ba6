DROP INDEX plans_merged_into;
CREATE INDEX plans_merged_into ON plans (merged_into);
