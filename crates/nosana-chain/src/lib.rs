//! A deterministic Solana-like chain over the reference program: keypairs derived from a seed,
//! transactions signed and serialised in Solana's wire format (legacy and v0), blocks with
//! parent links, blockhashes and block times, account writes, and commitment progression.
//! Pure: no IO, no clocks; the node drives it.

pub mod block;
pub mod keys;
pub mod request;

pub use block::{AccountWrite, Block, BlockTransaction, Commitment, SlotStatus};
pub use keys::{Keypair, Signature, Signer, derive_keypair};
pub use request::{MessageVersion, TxRequest};
