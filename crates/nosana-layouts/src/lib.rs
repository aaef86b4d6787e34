//! Byte-exact layouts of Nosana's five on-chain programs (jobs, staking, rewards, pools, nodes)
//! and the slice of SPL Token they use: addresses, PDA recipes, Anchor discriminators, account
//! structs, instruction data and account lists, error tables and the programs' integer math.
//!
//! Pure data and functions, no IO. The reference program executes these layouts; the indexer's
//! decoders read them. Layout facts follow `shared/reference/nosana-programs.md`.

pub mod accounts;
pub mod base58;
pub mod cid;
pub mod discriminator;
pub mod enums;
pub mod error;
pub mod errors;
pub mod ids;
pub mod instruction;
pub mod instructions;
pub mod math;
pub mod pda;
pub mod spl;

pub use error::LayoutError;
pub use solana_pubkey::Pubkey;
