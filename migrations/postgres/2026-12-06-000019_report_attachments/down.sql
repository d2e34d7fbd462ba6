ALTER TABLE grant_reports ADD COLUMN attachment_name TEXT;
ALTER TABLE grant_reports ADD COLUMN attachment_type TEXT;
ALTER TABLE grant_reports ADD COLUMN attachment_size BIGINT;
-- Only the first attachment of each report fits the old columns.
UPDATE grant_reports SET
    attachment_name = (SELECT a.name FROM report_attachments a WHERE a.report_id = grant_reports.id AND a.id = grant_reports.id),
    attachment_type = (SELECT a.media_type FROM report_attachments a WHERE a.report_id = grant_reports.id AND a.id = grant_reports.id),
    attachment_size = (SELECT a.size FROM report_attachments a WHERE a.report_id = grant_reports.id AND a.id = grant_reports.id);
DROP TABLE report_attachments;
