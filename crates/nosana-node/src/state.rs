//! State the producer owns and the servers read.

use std::sync::{Arc, RwLock};

use nosana_chain::Chain;

/// The chain (its head bank) shared between the producer (the only writer) and the servers.
/// Readers take the lock only long enough to copy what they answer with.
pub type SharedChain = Arc<RwLock<Chain>>;
