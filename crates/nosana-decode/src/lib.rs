//! Decoders from raw Solana transactions and account writes (see [`model`]) to the rows the
//! indexer stores (see [`output`]): every Nosana instruction top level and CPI, job lifecycle
//! events, typed NOS token flows and account states. Pure functions, no IO; malformed input is
//! returned as [`output::Quarantined`], never a panic.
//!
//! - [`decode_transaction`]: instructions, job events and flows of one transaction;
//! - [`decode_account`]: the state of one account write;
//! - [`check_balances`]: that a transaction's flows explain its NOS token balance changes;
//! - [`wire::parse_transaction`]: a signed transaction's wire bytes (JSON-RPC's `base64`).

mod account;
mod args;
mod balances;
pub mod error;
mod flows;
mod jobs;
pub mod model;
mod nosana;
pub mod output;
mod token;
mod trace;
mod transaction;
pub mod wire;

pub use account::decode_account;
pub use balances::check_balances;
pub use error::DecodeError;
pub use model::{RawAccount, RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction};
pub use nosana::REMAINING_ACCOUNT;
pub use output::*;
pub use transaction::decode_transaction;
