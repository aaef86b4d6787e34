//! Mainnet addresses: program ids, the NOS mint, admin keys and the Solana programs they call.

use solana_pubkey::Pubkey;

pub const JOBS_PROGRAM_ID: Pubkey = Pubkey::from_str_const("nosJhNRqr2bc9g1nfGDcXXTXvYUmxD4cVwy2pMWhrYM");
pub const STAKING_PROGRAM_ID: Pubkey = Pubkey::from_str_const("nosScmHY2uR24Zh751PmGj9ww9QRNHewh9H59AfrTJE");
pub const REWARDS_PROGRAM_ID: Pubkey = Pubkey::from_str_const("nosRB8DUV67oLNrL45bo2pFLrmsWPiewe2Lk2DRNYCp");
pub const POOLS_PROGRAM_ID: Pubkey = Pubkey::from_str_const("nosPdZrfDzND1LAR28FLMDEATUPK53K8xbRBXAirevD");
pub const NODES_PROGRAM_ID: Pubkey = Pubkey::from_str_const("nosNeZR64wiEhQc5j251bsP4WqDabT6hmz4PHyoHLGD");

/// The five Nosana programs, in a fixed order.
pub const NOSANA_PROGRAM_IDS: [Pubkey; 5] =
    [JOBS_PROGRAM_ID, STAKING_PROGRAM_ID, REWARDS_PROGRAM_ID, POOLS_PROGRAM_ID, NODES_PROGRAM_ID];

/// The NOS SPL mint (6 decimals, 100M total supply).
pub const NOS_MINT: Pubkey = Pubkey::from_str_const("nosXBVoaCTtYdLvKY6Csb4AC8JCdQKKAaWYtx2ZMoo7");
pub const NOS_DECIMALS: u8 = 6;
/// 1 NOS in base units.
pub const NOS: u64 = 1_000_000;
/// 100,000,000 NOS in base units.
pub const NOS_TOTAL_SUPPLY: u64 = 100_000_000 * NOS;

/// Initial staking slash authority; signer of `nodes.audit`.
pub const AUTHORITY: Pubkey = Pubkey::from_str_const("NosanarMxfrZbyCx5CotBVrzxiPcrnhj6ickpX9vRkB");
/// Signer of `close_admin`, `quit_admin`, `clean_admin`.
pub const MARKET_ADMIN: Pubkey = Pubkey::from_str_const("AdmMVMMU3po5BP3bVWsF9GgN6NNEfpfxpTDGTzjgb72S");
/// Initial slash destination token account.
pub const TOKEN_ACCOUNT: Pubkey = Pubkey::from_str_const("A9V8JkR5HihvFpHq1ZbwrpPAGBhsGfeWw5TVcUdGf2dg");
pub const NFT_COLLECTION: Pubkey = Pubkey::from_str_const("nftNgYSG5pbwL7kHeJ5NeDrX8c4KrG1CzWhEXT8RMJ3");

pub const SYSTEM_PROGRAM_ID: Pubkey = Pubkey::from_str_const("11111111111111111111111111111111");
pub const TOKEN_PROGRAM_ID: Pubkey = Pubkey::from_str_const("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
pub const ASSOCIATED_TOKEN_PROGRAM_ID: Pubkey = Pubkey::from_str_const("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
pub const METADATA_PROGRAM_ID: Pubkey = Pubkey::from_str_const("metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s");
pub const RENT_SYSVAR_ID: Pubkey = Pubkey::from_str_const("SysvarRent111111111111111111111111111111111");
pub const CLOCK_SYSVAR_ID: Pubkey = Pubkey::from_str_const("SysvarC1ock11111111111111111111111111111111");
pub const SYSVAR_OWNER_ID: Pubkey = Pubkey::from_str_const("Sysvar1111111111111111111111111111111111111");
pub const NATIVE_LOADER_ID: Pubkey = Pubkey::from_str_const("NativeLoader1111111111111111111111111111111");
pub const BPF_LOADER_ID: Pubkey = Pubkey::from_str_const("BPFLoader2111111111111111111111111111111111");
pub const BPF_LOADER_UPGRADEABLE_ID: Pubkey = Pubkey::from_str_const("BPFLoaderUpgradeab1e11111111111111111111111");

/// Short program name for logs and tables, or `None` for a program we do not model.
pub fn program_name(id: &Pubkey) -> Option<&'static str> {
    Some(match *id {
        JOBS_PROGRAM_ID => "nosana_jobs",
        STAKING_PROGRAM_ID => "nosana_staking",
        REWARDS_PROGRAM_ID => "nosana_rewards",
        POOLS_PROGRAM_ID => "nosana_pools",
        NODES_PROGRAM_ID => "nosana_nodes",
        SYSTEM_PROGRAM_ID => "system",
        TOKEN_PROGRAM_ID => "spl_token",
        ASSOCIATED_TOKEN_PROGRAM_ID => "spl_associated_token_account",
        _ => return None,
    })
}
