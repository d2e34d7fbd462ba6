-- The processing log (issue 33): who processed whose personal data, when, in which role, and
-- what (VNG's "Verwerkingenlogging"). Append-only: nothing updates a row; the retention
-- policy removes rows past their term.
CREATE TABLE processing_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    activity TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    subject_id TEXT
);
CREATE INDEX processing_log_by_subject ON processing_log (subject_id, at);
CREATE INDEX processing_log_by_time ON processing_log (at);
