//! Error tables with the real names and codes. Every Nosana enum starts at 6000, so codes
//! collide between programs and the shared `NosanaError`: decode by name from the program log.

/// One program error: its number, its Rust name and the message Anchor logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorDef {
    pub code: u32,
    pub name: &'static str,
    pub message: &'static str,
}

macro_rules! error_table {
    ($(#[$doc:meta])* $module:ident { $($konst:ident = $code:literal, $name:literal, $msg:literal;)* }) => {
        $(#[$doc])*
        pub mod $module {
            use super::ErrorDef;
            $(pub const $konst: ErrorDef = ErrorDef { code: $code, name: $name, message: $msg };)*
            pub const ALL: &[ErrorDef] = &[$($konst),*];
        }
    };
}

error_table! {
    /// `nosana_common::NosanaError`, thrown by every program.
    common {
        UNAUTHORIZED = 6000, "Unauthorized", "This account is not authorized to perform this action.";
        INVALID_OWNER = 6001, "InvalidOwner", "This account is owned by an invalid program.";
        LAMPORTS_NON_NULL = 6002, "LamportsNonNull", "This account has lamports.";
        MISSING_SIGNATURE = 6003, "MissingSignature", "This account is missing a signature.";
        INVALID_ACCOUNT = 6004, "InvalidAccount", "This account is not valid.";
        INVALID_TOKEN_ACCOUNT = 6005, "InvalidTokenAccount", "This token account is not valid.";
        INVALID_MINT = 6006, "InvalidMint", "This mint is invalid.";
        INVALID_VAULT = 6007, "InvalidVault", "This account has an invalid vault.";
        INVALID_PAYER = 6008, "InvalidPayer", "This payer account is not valid.";
        VAULT_EMPTY = 6009, "VaultEmpty", "This vault is empty.";
        VAULT_NOT_EMPTY = 6010, "VaultNotEmpty", "This vault is not empty.";
        INVALID_ATA = 6011, "InvalidATA", "This associated token account is not valid.";
    }
}

error_table! {
    /// `NosanaJobsError`.
    jobs {
        INVALID_MARKET_ACCOUNT = 6000, "InvalidMarketAccount", "This market account is not valid.";
        MARKET_IN_WRONG_STATE = 6001, "MarketInWrongState", "This market does not have the right status.";
        NOT_IN_MARKET_QUEUE = 6002, "NotInMarketQueue", "Account cannot be find account in market queue.";
        INVALID_JOB_ACCOUNT = 6003, "InvalidJobAccount", "This job account is not valid.";
        JOB_IN_WRONG_STATE = 6004, "JobInWrongState", "This job does not have the right status.";
        JOB_NOT_EXPIRED = 6005, "JobNotExpired", "The job has not yet expired.";
        JOB_RESULT_NULL = 6006, "JobResultNull", "The job result can not be null.";
        JOB_INVALID_PROJECT = 6007, "JobInvalidProject", "The job has a different project owner.";
        JOB_TIMEOUT_NOT_GREATER = 6008, "JobTimeoutNotGreater", "The new job timeout should be larger than the current one.";
        JOB_INVALID_RUN_ACCOUNT = 6009, "JobInvalidRunAccount", "The run account does not match the job.";
        JOB_RESULTS_ALREADY_SET = 6010, "JobResultsAlreadySet", "The job results are already set.";
        NODE_QUEUE_DOES_NOT_MATCH = 6011, "NodeQueueDoesNotMatch", "This node queue does not match.";
        NODE_STAKE_UNAUTHORIZED = 6012, "NodeStakeUnauthorized", "This node is not authorizing this stake.";
        NODE_NOT_ENOUGH_STAKE = 6013, "NodeNotEnoughStake", "This node has not staked enough tokens.";
        NODE_ALREADY_QUEUED = 6014, "NodeAlreadyQueued", "This node is already present in the queue.";
        NODE_NFT_WRONG_METADATA = 6015, "NodeNftWrongMetadata", "This metadata does not have the correct address.";
        NODE_NFT_WRONG_OWNER = 6016, "NodeNftWrongOwner", "This NFT is not owned by this node.";
        NODE_NFT_INVALID_AMOUNT = 6017, "NodeNftInvalidAmount", "Access NFT amount cannot be 0.";
        NODE_KEY_INVALID_COLLECTION = 6018, "NodeKeyInvalidCollection", "This access key does not belong to a verified collection.";
    }
}

error_table! {
    /// `NosanaStakingError`.
    staking {
        AMOUNT_NOT_ENOUGH = 6000, "AmountNotEnough", "This amount is not enough.";
        ALREADY_INITIALIZED = 6001, "AlreadyInitialized", "This stake is already running.";
        ALREADY_CLAIMED = 6002, "AlreadyClaimed", "This stake is already claimed.";
        ALREADY_STAKED = 6003, "AlreadyStaked", "This stake is already staked.";
        ALREADY_UNSTAKED = 6004, "AlreadyUnstaked", "This stake is already unstaked.";
        NOT_UNSTAKED = 6005, "NotUnstaked", "This stake is not yet unstaked.";
        LOCKED = 6006, "Locked", "This stake is still locked.";
        DURATION_TOO_SHORT = 6007, "DurationTooShort", "This stake duration is not long enough.";
        DURATION_TOO_LONG = 6008, "DurationTooLong", "This stake duration is too long.";
        DOES_NOT_EXIST = 6009, "DoesNotExist", "This stake account does not exist.";
        DECREASED = 6010, "Decreased", "This stake is not allowed to decrease.";
        HAS_REWARD = 6011, "HasReward", "This stake still has a reward account.";
        INVALID_STAKE_ACCOUNT = 6012, "InvalidStakeAccount", "This stake does not belong to the authority.";
    }
}

error_table! {
    /// `NosanaPoolsError`.
    pools {
        NOT_STARTED = 6000, "NotStarted", "This pool has not started yet.";
        UNDERFUNDED = 6001, "Underfunded", "This pool does not have enough funds.";
        NOT_CLOSEABLE = 6002, "NotCloseable", "This pool is not closeable.";
        WRONG_CLAIM_TYPE = 6003, "WrongClaimType", "This pool has a different claim type.";
        WRONG_BENEFICIARY = 6004, "WrongBeneficiary", "This pool does not match the beneficiary.";
    }
}

error_table! {
    /// `NosanaNodesError`.
    nodes {
        ARCHITECTURE_UNKNOWN = 6000, "ArchitectureUnknown", "This architecture does not exist.";
        COUNTRY_CODE_UNKNOWN = 6001, "CountryCodeUnknown", "This country does not exist.";
        CPU_INVALID = 6002, "CpuInvalid", "CPU cannot be 0.";
        GPU_INVALID = 6003, "GpuInvalid", "GPU cannot be 0.";
        MEMORY_INVALID = 6004, "MemoryInvalid", "Memory cannot be 0.";
        IOPS_INVALID = 6005, "IopsInvalid", "IOPS cannot be 0.";
        STORAGE_INVALID = 6006, "StorageInvalid", "Storage cannot be 0.";
    }
}

error_table! {
    /// Anchor framework errors (`anchor_lang::error::ErrorCode`) the programs can hit.
    anchor {
        INSTRUCTION_MISSING = 100, "InstructionMissing", "8 byte instruction identifier not provided";
        INSTRUCTION_FALLBACK_NOT_FOUND = 101, "InstructionFallbackNotFound", "Fallback functions are not supported";
        INSTRUCTION_DID_NOT_DESERIALIZE = 102, "InstructionDidNotDeserialize", "The program could not deserialize the given instruction";
        CONSTRAINT_MUT = 2000, "ConstraintMut", "A mut constraint was violated";
        CONSTRAINT_HAS_ONE = 2001, "ConstraintHasOne", "A has one constraint was violated";
        CONSTRAINT_SIGNER = 2002, "ConstraintSigner", "A signer constraint was violated";
        CONSTRAINT_RAW = 2003, "ConstraintRaw", "A raw constraint was violated";
        CONSTRAINT_OWNER = 2004, "ConstraintOwner", "An owner constraint was violated";
        CONSTRAINT_SEEDS = 2006, "ConstraintSeeds", "A seeds constraint was violated";
        CONSTRAINT_ADDRESS = 2012, "ConstraintAddress", "An address constraint was violated";
        CONSTRAINT_TOKEN_MINT = 2014, "ConstraintTokenMint", "A token mint constraint was violated";
        CONSTRAINT_TOKEN_OWNER = 2015, "ConstraintTokenOwner", "A token owner constraint was violated";
        REQUIRE_VIOLATED = 2500, "RequireViolated", "A require expression was violated";
        REQUIRE_GT_VIOLATED = 2505, "RequireGtViolated", "A require_gt expression was violated";
        REQUIRE_GTE_VIOLATED = 2506, "RequireGteViolated", "A require_gte expression was violated";
        ACCOUNT_DISCRIMINATOR_NOT_FOUND = 3001, "AccountDiscriminatorNotFound", "No discriminator was found on the account";
        ACCOUNT_DISCRIMINATOR_MISMATCH = 3002, "AccountDiscriminatorMismatch", "Account discriminator did not match what was expected";
        ACCOUNT_DID_NOT_DESERIALIZE = 3003, "AccountDidNotDeserialize", "Failed to deserialize the account";
        ACCOUNT_DID_NOT_SERIALIZE = 3004, "AccountDidNotSerialize", "Failed to serialize the account";
        ACCOUNT_NOT_ENOUGH_KEYS = 3005, "AccountNotEnoughKeys", "Not enough account keys given to the instruction";
        ACCOUNT_NOT_MUTABLE = 3006, "AccountNotMutable", "The given account is not mutable";
        ACCOUNT_OWNED_BY_WRONG_PROGRAM = 3007, "AccountOwnedByWrongProgram", "The given account is owned by a different program than expected";
        INVALID_PROGRAM_ID = 3008, "InvalidProgramId", "Program ID was not as expected";
        ACCOUNT_NOT_SIGNER = 3010, "AccountNotSigner", "The given account did not sign";
        ACCOUNT_NOT_SYSTEM_OWNED = 3011, "AccountNotSystemOwned", "The given account is not owned by the system program";
        ACCOUNT_NOT_INITIALIZED = 3012, "AccountNotInitialized", "The program expected this account to be already initialized";
        ACCOUNT_SYSVAR_MISMATCH = 3015, "AccountSysvarMismatch", "The given public key does not match the required sysvar";
    }
}

error_table! {
    /// SPL Token's `TokenError`.
    token {
        NOT_RENT_EXEMPT = 0, "NotRentExempt", "Lamport balance below rent-exempt threshold";
        INSUFFICIENT_FUNDS = 1, "InsufficientFunds", "Insufficient funds";
        INVALID_MINT = 2, "InvalidMint", "Invalid Mint";
        MINT_MISMATCH = 3, "MintMismatch", "Account not associated with this Mint";
        OWNER_MISMATCH = 4, "OwnerMismatch", "Owner does not match";
        ALREADY_IN_USE = 6, "AlreadyInUse", "Already in use";
        UNINITIALIZED_STATE = 9, "UninitializedState", "State is unititialized";
        MINT_DECIMALS_MISMATCH = 18, "MintDecimalsMismatch", "The provided decimals value different from the Mint decimals";
        NON_NATIVE_HAS_BALANCE = 11, "NonNativeHasBalance", "Non-native account can only be closed if its balance is zero";
        OVERFLOW = 14, "Overflow", "Operation overflowed";
        FIXED_SUPPLY = 5, "FixedSupply", "Fixed supply";
    }
}

/// Looks a name up in a table.
pub fn by_name(table: &[ErrorDef], name: &str) -> Option<ErrorDef> {
    table.iter().copied().find(|e| e.name == name)
}
