DROP TABLE plan_assignees;
