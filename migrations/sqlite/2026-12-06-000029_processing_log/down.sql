DROP TABLE processing_log;
