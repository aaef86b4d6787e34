//! A deterministic Solana-like chain over the reference program: keypairs derived from a seed,
//! transactions signed and serialised in Solana's wire format (legacy and v0), blocks with
//! parent links, blockhashes and block times, account writes, and commitment progression.
//! Pure: no IO, no clocks; the node drives it.

pub mod block;
pub mod commitment;
pub mod keys;
pub mod producer;
pub mod request;
pub mod signing;
pub mod wire;

pub use block::{AccountWrite, Block, BlockTransaction, Commitment, Hash, SlotStatus};
pub use commitment::{CommitmentTracker, Lags};
pub use keys::{Keypair, Signature, Signer, derive_keypair};
pub use producer::{Chain, Rejected};
pub use request::{MessageVersion, TxRequest};
