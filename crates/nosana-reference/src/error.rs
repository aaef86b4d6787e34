//! Errors as the Solana runtime reports them, and the richer error a program raises.

use nosana_layouts::errors::ErrorDef;
use serde::{Deserialize, Serialize};
use solana_pubkey::Pubkey;

/// `solana_instruction::error::InstructionError`, the variants this runtime can produce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum InstructionError {
    #[error("invalid program argument")]
    InvalidArgument,
    #[error("invalid instruction data")]
    InvalidInstructionData,
    #[error("invalid account data for instruction")]
    InvalidAccountData,
    #[error("insufficient funds for instruction")]
    InsufficientFunds,
    #[error("missing required signature for instruction")]
    MissingRequiredSignature,
    #[error("instruction requires an uninitialized account")]
    AccountAlreadyInitialized,
    #[error("sum of account balances before and after instruction do not match")]
    UnbalancedInstruction,
    #[error("instruction illegally modified the program id of an account")]
    ModifiedProgramId,
    #[error("instruction spent from the balance of an account it does not own")]
    ExternalAccountLamportSpend,
    #[error("instruction modified data of an account it does not own")]
    ExternalAccountDataModified,
    #[error("instruction changed the balance of a read-only account")]
    ReadonlyLamportChange,
    #[error("instruction modified data of a read-only account")]
    ReadonlyDataModified,
    #[error("custom program error: {0:#x}")]
    Custom(u32),
    #[error("program returned invalid error code")]
    InvalidError,
    #[error("insufficient account keys for instruction")]
    NotEnoughAccountKeys,
    #[error("instruction expected an executable account")]
    AccountNotExecutable,
    #[error("An account required by the instruction is missing")]
    MissingAccount,
    #[error("Cross-program invocation with unauthorized signer or writable account")]
    PrivilegeEscalation,
    #[error("Unsupported program id")]
    UnsupportedProgramId,
    #[error("Computational budget exceeded")]
    ComputationalBudgetExceeded,
    #[error("Program arithmetic overflowed")]
    ArithmeticOverflow,
    #[error("Cross-program invocation reentrancy not allowed for this instruction")]
    ReentrancyNotAllowed,
    #[error("Incorrect program id for instruction")]
    IncorrectProgramId,
    #[error("Provided seeds do not result in a valid address")]
    InvalidSeeds,
    #[error("instruction tries to borrow reference for an account which is already borrowed")]
    AccountBorrowFailed,
}

/// `solana_transaction_error::TransactionError`, the variants this runtime can produce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TransactionError {
    #[error("Attempt to debit an account but found no record of a prior credit.")]
    AccountNotFound,
    #[error("Insufficient funds for fee")]
    InsufficientFundsForFee,
    #[error("This transaction has already been processed")]
    AlreadyProcessed,
    #[error("Transaction loads a writable account that cannot be written")]
    InvalidWritableAccount,
    #[error("Transaction failed to sanitize accounts offsets correctly")]
    SanitizeFailure,
    #[error("Transaction results in an account ({0}) with insufficient funds for rent")]
    InsufficientFundsForRent(u8),
    #[error("Error processing Instruction {0}: {1}")]
    InstructionError(u8, InstructionError),
}

/// What a program raises. Program-specific errors carry their name so that the log line says
/// which one, since Nosana's error numbers collide across programs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramError {
    /// A runtime error (bad signer, missing account, …).
    Runtime(InstructionError),
    /// An Anchor error (framework constraint or a program's `#[error_code]`), optionally
    /// caused by a named account.
    Anchor { error: ErrorDef, account: Option<&'static str> },
    /// An SPL Token error.
    Token(ErrorDef),
    /// A System program error (`SystemError`), with its log line.
    System { code: u32, log: String },
}

impl ProgramError {
    pub fn anchor(error: ErrorDef) -> Self {
        ProgramError::Anchor { error, account: None }
    }

    pub fn anchor_on(error: ErrorDef, account: &'static str) -> Self {
        ProgramError::Anchor { error, account: Some(account) }
    }

    /// The error the runtime records for the instruction.
    pub fn instruction_error(&self) -> InstructionError {
        match self {
            ProgramError::Runtime(e) => e.clone(),
            ProgramError::Anchor { error, .. } | ProgramError::Token(error) => InstructionError::Custom(error.code),
            ProgramError::System { code, .. } => InstructionError::Custom(*code),
        }
    }

    /// `Program log: …` lines the program prints before failing.
    pub fn log_lines(&self) -> Vec<String> {
        match self {
            ProgramError::Runtime(_) => vec![],
            ProgramError::Anchor { error, account } => {
                let cause = match account {
                    Some(a) => format!("AnchorError caused by account: {a}."),
                    None => "AnchorError occurred.".to_string(),
                };
                vec![format!(
                    "Program log: {cause} Error Code: {}. Error Number: {}. Error Message: {}.",
                    error.name, error.code, error.message
                )]
            }
            ProgramError::Token(error) => vec![format!("Program log: Error: {}", error.message)],
            ProgramError::System { log, .. } => vec![log.clone()],
        }
    }

    pub fn name(&self) -> String {
        match self {
            ProgramError::Anchor { error, .. } | ProgramError::Token(error) => error.name.to_string(),
            other => other.instruction_error().to_string(),
        }
    }
}

impl From<InstructionError> for ProgramError {
    fn from(e: InstructionError) -> Self {
        ProgramError::Runtime(e)
    }
}

pub type ProgramResult<T = ()> = Result<T, ProgramError>;

/// A helper for the many `require!`-style checks: `ensure(cond, err)?`.
pub fn ensure(cond: bool, err: ErrorDef) -> ProgramResult {
    if cond { Ok(()) } else { Err(ProgramError::anchor(err)) }
}

/// `require_keys_eq!`-style check naming the account.
pub fn ensure_key(actual: &Pubkey, expected: &Pubkey, err: ErrorDef, account: &'static str) -> ProgramResult {
    if actual == expected { Ok(()) } else { Err(ProgramError::anchor_on(err, account)) }
}
