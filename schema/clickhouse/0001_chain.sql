-- Slots, transactions and instructions: the chain as the indexer committed it.
-- Every table is insert-only and deduplicated on its logical key (ReplacingMergeTree);
-- read with FINAL or argMax. Times are DateTime (seconds) plus the slot.

CREATE TABLE IF NOT EXISTS {db}.slots
(
    slot UInt64,
    parent_slot UInt64,
    block_time DateTime,
    block_height UInt64,
    blockhash String,
    executed_transactions UInt32,
    indexed_transactions UInt32,
    indexed_at DateTime
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(block_time)
ORDER BY slot;

CREATE TABLE IF NOT EXISTS {db}.transactions
(
    slot UInt64,
    tx_index UInt32,
    block_time DateTime,
    signature String,
    fee_payer String,
    success UInt8,
    err String,
    fee UInt64,
    compute_units UInt64,
    programs Array(String),
    instructions UInt16
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(block_time)
ORDER BY (slot, tx_index);

CREATE TABLE IF NOT EXISTS {db}.instructions
(
    slot UInt64,
    tx_index UInt32,
    ix UInt16,
    inner UInt16,
    block_time DateTime,
    signature String,
    stack_height UInt8,
    program String,
    name String,
    account_names Array(String),
    accounts Array(String),
    args String,
    success UInt8
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(block_time)
ORDER BY (slot, tx_index, ix, inner);
