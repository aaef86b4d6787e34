-- API keys and published reports (postgres dialect; sqlite/0003_api_access.sql is the same schema).
-- A key is stored only as the SHA-256 of its secret: the secret is shown once, when created.
CREATE TABLE api_keys (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    secret_sha256 TEXT  NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

-- Reports an administrator published: a snapshot id and when. Every stored snapshot can be
-- rendered; publishing marks the ones the operators stand behind.
CREATE TABLE published_reports (
    snapshot_id  TEXT    NOT NULL PRIMARY KEY REFERENCES score_snapshots (id),
    published_at BIGINT NOT NULL,
    key_id       TEXT    NOT NULL
);
