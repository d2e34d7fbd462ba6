DROP TABLE plan_versions;
DROP TABLE plan_events;
DROP TABLE plans;
