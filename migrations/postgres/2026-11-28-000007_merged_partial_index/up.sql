-- Almost every plan has no merged_into. A full index on it tells SQLite's planner (from
-- sqlite_stat1) that one value matches every row, and it then scans the table to find the
-- plans merged into a page of plans. Indexing only the merged plans keeps the lookup an
-- index search on both backends (a condition `merged_into = …` implies NOT NULL).
DROP INDEX plans_merged_into;
CREATE INDEX plans_merged_into ON plans (merged_into) WHERE merged_into IS NOT NULL;
