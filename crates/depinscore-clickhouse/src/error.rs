use std::time::Duration;

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
    /// A page cursor that this build did not issue (or that was altered): a client error.
    #[error("invalid cursor: {0}")]
    InvalidCursor(String),
    /// A filter value out of range (e.g. `limit` 0 or above 500): a client error.
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    /// The store's write fence is closed: this process no longer holds the stream's lease
    /// (or its lease ran out while it was paused), so it must not write.
    #[error("not writing: this indexer's lease of the stream has run out or was taken over")]
    Fenced,
    /// The server answered something this build cannot read.
    #[error("unexpected answer from ClickHouse: {0}")]
    UnexpectedAnswer(String),
    /// The write fence's margin must outlast the server's `http_receive_timeout` (an INSERT
    /// cut off by a pause fails on the server before a standby takes over), and cannot take
    /// more than half of the lease.
    #[error(
        "a lease of {} s cannot fence ClickHouse writes: the fence must close {} s before the lease \
         ends (the server's http_receive_timeout and a second), more than half of the lease; set \
         http_receive_timeout lower in the server's default profile \
         (schema/clickhouse-users/insert-timeout.xml) or indexer.lease_secs to at least {}",
        lease.as_secs(), margin.as_secs_f64().ceil(), (margin.as_secs_f64() * 2.0).ceil()
    )]
    FenceTooNarrow { margin: Duration, lease: Duration },
}

impl ChError {
    /// Whether the caller sent something invalid (HTTP 400) rather than the store failing.
    pub fn is_client_error(&self) -> bool {
        matches!(self, ChError::InvalidCursor(_) | ChError::InvalidFilter(_))
    }

    /// Whether the server could not be reached or did not answer in time (down, restarting):
    /// worth retrying, unlike a refusal or a malformed setting.
    pub fn is_unreachable(&self) -> bool {
        let e = match self {
            ChError::Client(e) | ChError::Migration { source: e, .. } => e,
            _ => return false,
        };
        matches!(e, clickhouse::error::Error::Network(_) | clickhouse::error::Error::TimedOut)
    }
}
