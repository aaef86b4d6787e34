-- Latest state per account. `version` = slot * 2^20 + order of the write within the slot,
-- so the newest write wins and a replayed write is the same row. A closed account keeps a
-- row with closed = 1.

CREATE TABLE IF NOT EXISTS {db}.account_states
(
    pubkey String,
    kind String,
    program String,
    slot UInt64,
    version UInt64,
    closed UInt8,
    lamports UInt64,
    authority String,
    market String,
    amount UInt64,
    state String,
    indexed_at DateTime
)
ENGINE = ReplacingMergeTree(version)
ORDER BY pubkey;

-- Anything that did not decode: kept with its raw bytes, never dropped.
CREATE TABLE IF NOT EXISTS {db}.quarantine
(
    slot UInt64,
    signature String,
    ix Int32,
    inner Int32,
    account String,
    source String,
    program String,
    reason String,
    data String,
    block_time DateTime
)
ENGINE = ReplacingMergeTree()
ORDER BY (slot, signature, ix, inner, account);
