-- depinscore's relational side store, first version (SQLite dialect; postgres/0001_init.sql is
-- the same schema). Times are unix seconds; slots are Solana slots.

-- Where each indexer stream has got to. A stream's slot only moves forward.
CREATE TABLE checkpoints (
    stream      TEXT    NOT NULL PRIMARY KEY,
    slot        INTEGER NOT NULL CHECK (slot >= 0),
    block_time  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Off-chain node specs and location, with the location's H3 cell at resolution 5.
CREATE TABLE nodes (
    address     TEXT    NOT NULL PRIMARY KEY,
    market      TEXT,
    gpu         TEXT,
    gpu_count   INTEGER NOT NULL CHECK (gpu_count >= 0),
    vram_mb     INTEGER,
    country     TEXT,
    lat         REAL    NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng         REAL    NOT NULL CHECK (lng BETWEEN -180 AND 180),
    h3_res5     TEXT    NOT NULL,
    operator    TEXT,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX nodes_by_market ON nodes (market);
CREATE INDEX nodes_by_h3_res5 ON nodes (h3_res5);

-- Market metadata from the backend (GPU tier names, VRAM floor, USD reward).
CREATE TABLE markets (
    address              TEXT    NOT NULL PRIMARY KEY,
    name                 TEXT    NOT NULL,
    slug                 TEXT    NOT NULL,
    kind                 TEXT    NOT NULL,
    gpu_types            TEXT    NOT NULL,
    lowest_vram_gb       INTEGER NOT NULL,
    usd_reward_per_hour  REAL    NOT NULL,
    sft                  TEXT,
    updated_at           INTEGER NOT NULL
);

-- NOS/USD price points by source.
CREATE TABLE prices (
    time    INTEGER NOT NULL,
    source  TEXT    NOT NULL,
    usd     REAL    NOT NULL CHECK (usd >= 0),
    PRIMARY KEY (time, source)
);

-- One row per import run (off-chain data, backfills), newest has the highest id.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    rows         INTEGER NOT NULL CHECK (rows >= 0),
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('ok', 'failed')),
    message      TEXT    NOT NULL
);
