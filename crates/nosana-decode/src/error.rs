//! Why something could not be decoded; the text becomes [`crate::Quarantined::reason`].

use nosana_layouts::LayoutError;
use thiserror::Error;

/// A reason to quarantine an instruction or an account.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The instruction's program index points past the account keys.
    #[error("program index {index} is out of range ({keys} account keys)")]
    ProgramIndexOutOfRange { index: u8, keys: usize },
    /// One of the instruction's account indices points past the account keys.
    #[error("account index {index} is out of range ({keys} account keys)")]
    AccountIndexOutOfRange { index: u8, keys: usize },
    /// Inner instructions filed under a top-level instruction the message does not have.
    #[error("inner instruction of top-level instruction {0}, which the message does not have")]
    OrphanInnerInstruction(u8),
    /// Fewer account keys than the instruction's account list declares.
    #[error("{program}.{name} needs {expected} accounts, got {got}")]
    TooFewAccounts { program: &'static str, name: &'static str, expected: usize, got: usize },
    /// The bytes do not follow the layout (unknown discriminator, truncated arguments, …).
    #[error("{0}")]
    Layout(#[from] LayoutError),
}
