DROP TABLE plan_attachments;
