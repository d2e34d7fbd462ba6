-- A report carries up to ten attachments, each its own row (issue 30): one added later is
-- appended, never put over the first. The attachment a report had keeps the report's id as
-- its own, so its file (stored under the report's id) is found where it lies.
CREATE TABLE report_attachments (
    id TEXT PRIMARY KEY NOT NULL,
    report_id TEXT NOT NULL REFERENCES grant_reports (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_at TIMESTAMP NOT NULL
);
-- Two attachments added at once cannot take one place (nor together pass the limit).
CREATE UNIQUE INDEX report_attachments_place ON report_attachments (report_id, position);

INSERT INTO report_attachments (id, report_id, position, name, media_type, size, added_at)
SELECT id, id, 0, attachment_name, attachment_type, attachment_size,
       COALESCE(filed_at, CURRENT_TIMESTAMP)
FROM grant_reports
WHERE attachment_name IS NOT NULL AND attachment_type IS NOT NULL AND attachment_size IS NOT NULL;

ALTER TABLE grant_reports DROP COLUMN attachment_name;
ALTER TABLE grant_reports DROP COLUMN attachment_type;
ALTER TABLE grant_reports DROP COLUMN attachment_size;
