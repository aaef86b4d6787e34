//! Our transaction errors as `solana_transaction_error::TransactionError`, whose serde form is
//! what JSON-RPC shows (`{"InstructionError":[0,{"Custom":6002}]}`) and whose bincode form is
//! what Geyser's `TransactionError.err` carries.

use nosana_reference::{InstructionError as Ix, TransactionError as Tx};
use solana_instruction_error::InstructionError as SolIx;
use solana_transaction_error::TransactionError as SolTx;

pub fn to_solana(e: &Tx) -> SolTx {
    match e {
        Tx::AccountNotFound => SolTx::AccountNotFound,
        Tx::InsufficientFundsForFee => SolTx::InsufficientFundsForFee,
        Tx::AlreadyProcessed => SolTx::AlreadyProcessed,
        Tx::InvalidWritableAccount => SolTx::InvalidWritableAccount,
        Tx::SanitizeFailure => SolTx::SanitizeFailure,
        Tx::InsufficientFundsForRent(i) => SolTx::InsufficientFundsForRent { account_index: *i },
        Tx::InstructionError(i, ix) => SolTx::InstructionError(*i, instruction(ix)),
    }
}

fn instruction(e: &Ix) -> SolIx {
    match e {
        Ix::InvalidArgument => SolIx::InvalidArgument,
        Ix::InvalidInstructionData => SolIx::InvalidInstructionData,
        Ix::InvalidAccountData => SolIx::InvalidAccountData,
        Ix::InsufficientFunds => SolIx::InsufficientFunds,
        Ix::MissingRequiredSignature => SolIx::MissingRequiredSignature,
        Ix::AccountAlreadyInitialized => SolIx::AccountAlreadyInitialized,
        Ix::UnbalancedInstruction => SolIx::UnbalancedInstruction,
        Ix::ModifiedProgramId => SolIx::ModifiedProgramId,
        Ix::ExternalAccountLamportSpend => SolIx::ExternalAccountLamportSpend,
        Ix::ExternalAccountDataModified => SolIx::ExternalAccountDataModified,
        Ix::ReadonlyLamportChange => SolIx::ReadonlyLamportChange,
        Ix::ReadonlyDataModified => SolIx::ReadonlyDataModified,
        Ix::Custom(code) => SolIx::Custom(*code),
        Ix::InvalidError => SolIx::InvalidError,
        // Deprecated upstream: current runtimes report a missing account instead.
        Ix::NotEnoughAccountKeys => SolIx::MissingAccount,
        Ix::AccountNotExecutable => SolIx::AccountNotExecutable,
        Ix::MissingAccount => SolIx::MissingAccount,
        Ix::PrivilegeEscalation => SolIx::PrivilegeEscalation,
        Ix::UnsupportedProgramId => SolIx::UnsupportedProgramId,
        Ix::ComputationalBudgetExceeded => SolIx::ComputationalBudgetExceeded,
        Ix::ArithmeticOverflow => SolIx::ArithmeticOverflow,
        Ix::ReentrancyNotAllowed => SolIx::ReentrancyNotAllowed,
        Ix::IncorrectProgramId => SolIx::IncorrectProgramId,
        Ix::InvalidSeeds => SolIx::InvalidSeeds,
        Ix::AccountBorrowFailed => SolIx::AccountBorrowFailed,
    }
}

/// `serde_json` form used by JSON-RPC's `meta.err` and `status.Err`.
pub fn to_json(e: &Tx) -> serde_json::Value {
    serde_json::to_value(to_solana(e)).unwrap_or(serde_json::Value::Null)
}

/// The bincode bytes Geyser puts in `TransactionError.err`.
pub fn to_bincode(e: &Tx) -> Vec<u8> {
    bincode::serialize(&to_solana(e)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_program_error_has_the_json_rpc_shape() {
        let e = Tx::InstructionError(0, Ix::Custom(6002));
        assert_eq!(to_json(&e), serde_json::json!({"InstructionError": [0, {"Custom": 6002}]}));
    }

    #[test]
    fn the_bincode_form_round_trips_through_solanas_type() {
        let e = Tx::InstructionError(2, Ix::Custom(1));
        let back: SolTx = bincode::deserialize(&to_bincode(&e)).unwrap();
        assert_eq!(back, SolTx::InstructionError(2, SolIx::Custom(1)));
        // Variant 8 (InstructionError), index 2, variant 25 (Custom), code 1.
        assert_eq!(to_bincode(&e), vec![8, 0, 0, 0, 2, 25, 0, 0, 0, 1, 0, 0, 0]);
    }
}
