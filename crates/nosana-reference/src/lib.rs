//! The reference program: Nosana's jobs, staking, rewards, pools and nodes programs in native
//! Rust, byte-compatible with mainnet, plus the System, SPL Token and Associated Token Account
//! programs they call. A [`Bank`] holds the accounts and runs compiled [`Message`]s atomically,
//! producing what a Solana node records for a transaction: the instruction trace with inner
//! (CPI) instructions, logs in the real format, balances, token balances, fee and compute units.

pub mod anchor;
pub mod bank;
pub mod client;
mod compact;
pub mod error;
pub mod genesis;
pub mod invoke;
pub mod message;
pub mod meta;
pub mod programs;

pub use bank::{Account, Bank, Clock, ProgramConfig};
pub use error::{InstructionError, ProgramError, TransactionError};
pub use message::{CompiledInstruction, Message, MessageHeader};
pub use meta::{ExecutedTransaction, InnerInstruction, InnerInstructions, TokenBalance, TransactionMeta};
pub use nosana_layouts::instruction::{AccountMeta, Instruction};
pub use solana_pubkey::Pubkey;
