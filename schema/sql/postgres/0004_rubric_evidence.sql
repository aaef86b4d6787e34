-- Rubric evidence files imported through the API (postgres dialect; sqlite/0004_rubric_evidence.sql is the same schema).
-- The newest import is what re-scores use; earlier ones stay, so every snapshot's
-- evidence_sha256 can be traced to the text it was scored with.
CREATE TABLE rubric_evidence (
    sha256      TEXT    NOT NULL PRIMARY KEY,
    body        TEXT    NOT NULL,
    imported_at BIGINT NOT NULL,
    key_id      TEXT    NOT NULL
);
CREATE INDEX rubric_evidence_by_time ON rubric_evidence (imported_at);
