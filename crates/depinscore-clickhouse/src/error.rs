/// Errors of the ClickHouse adapter.
#[derive(Debug, thiserror::Error)]
pub enum ChError {
    #[error("clickhouse: {0}")]
    Client(#[from] clickhouse::error::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration { version: u32, name: &'static str, source: clickhouse::error::Error },
    #[error("invalid database name {0:?}: use letters, digits and underscores")]
    DatabaseName(String),
    #[error("batch covers slots {first}..={last} but holds a row of slot {slot}")]
    RowOutsideBatch { first: u64, last: u64, slot: u64 },
}
