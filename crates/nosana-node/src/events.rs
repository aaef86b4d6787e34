//! What the producer announces to the serving side, in order: each block (content first),
//! then slot statuses as they are reached.

use std::sync::Arc;

use nosana_chain::{Block, SlotStatus};

#[derive(Clone, Debug)]
pub enum NodeEvent {
    /// A produced block (canonical or dead): its account writes, transactions, then the block
    /// itself and its meta, in that order, for every subscriber whose filters ask.
    Block(Arc<Block>),
    /// A slot reached a status. `parent` is known for produced slots.
    Status { slot: u64, parent: Option<u64>, status: SlotStatus },
}

impl NodeEvent {
    pub fn slot(&self) -> u64 {
        match self {
            NodeEvent::Block(b) => b.slot,
            NodeEvent::Status { slot, .. } => *slot,
        }
    }
}

/// The broadcast channel events travel on.
pub type EventSender = tokio::sync::broadcast::Sender<NodeEvent>;
