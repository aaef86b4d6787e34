//! The reference node: drives the simulated chain slot by slot, keeps a ledger of what it
//! produced, and serves it as a Solana node with a Yellowstone Geyser plugin would.

pub mod convert;
pub mod driver;
pub mod events;
pub mod frozen;
pub mod grpc;
pub mod ledger;
pub mod offchain;
pub mod rpc;
pub mod service;
pub mod state;
pub mod truth;

pub use events::NodeEvent;
pub use ledger::Ledger;
pub use service::{NodeError, NodeOptions, RunningNode};
pub use state::SharedChain;
