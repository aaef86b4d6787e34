-- Who writes each indexer stream (postgres dialect; sqlite/0005_stream_leases.sql is the same
-- schema). One active writer per stream: an indexer holds the lease while it renews it before
-- `expires_at` (unix seconds); a standby takes it over once it has expired.
CREATE TABLE stream_leases (
    stream      TEXT    NOT NULL PRIMARY KEY,
    holder      TEXT    NOT NULL,
    acquired_at BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
