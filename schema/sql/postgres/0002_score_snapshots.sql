-- Score snapshots (PostgreSQL dialect; sqlite/0002_score_snapshots.sql is the same schema).
-- `id` is a hash of the snapshot's content: the same data and methodology give the same id,
-- and storing it again changes nothing. `body` is the snapshot's canonical JSON.
CREATE TABLE score_snapshots (
    id                   TEXT             NOT NULL PRIMARY KEY,
    created_at           BIGINT           NOT NULL,
    as_of                BIGINT           NOT NULL,
    last_slot            BIGINT           NOT NULL CHECK (last_slot >= 0),
    methodology_version  TEXT             NOT NULL,
    composite            DOUBLE PRECISION NOT NULL,
    input_hash           TEXT             NOT NULL,
    body                 TEXT             NOT NULL
);
CREATE INDEX score_snapshots_by_as_of ON score_snapshots (as_of);
