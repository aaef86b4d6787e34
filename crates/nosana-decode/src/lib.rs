//! Decoders from raw Solana transactions and account writes (see [`model`]) to the rows the
//! indexer stores (see [`output`]): every Nosana instruction top level and CPI, job lifecycle
//! events, typed NOS token flows and account states. Pure functions, no IO; malformed input is
//! returned as [`output::Quarantined`], never a panic.

pub mod model;
pub mod output;

pub use model::{RawAccount, RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction};
pub use output::*;
