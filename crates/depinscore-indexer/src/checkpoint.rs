//! Where the durable checkpoint (last contiguous committed slot) lives. The binary uses the
//! sqlx store; tests may use anything that keeps its promise: a saved slot never moves back.

use std::future::Future;

/// A durable checkpoint per stream name.
pub trait Checkpoints: Send + Sync + 'static {
    /// The last committed slot of `stream`, if any.
    fn load(&self, stream: &str) -> impl Future<Output = Result<Option<u64>, String>> + Send;
    /// Record `slot` (with its block time) as committed.
    fn save(&self, stream: &str, slot: u64, block_time: i64) -> impl Future<Output = Result<(), String>> + Send;
}
