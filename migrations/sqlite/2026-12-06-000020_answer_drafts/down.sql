DROP TABLE answer_drafts;
