//! PDA recipes of the five programs (seeds from `common/src/constants.rs`).

use solana_pubkey::Pubkey;

use crate::ids::*;

pub fn stake(authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"stake", NOS_MINT.as_ref(), authority.as_ref()], &STAKING_PROGRAM_ID)
}

pub fn stake_vault(authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"vault", NOS_MINT.as_ref(), authority.as_ref()], &STAKING_PROGRAM_ID)
}

pub fn staking_settings() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"settings"], &STAKING_PROGRAM_ID)
}

pub fn reward(authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"reward", authority.as_ref()], &REWARDS_PROGRAM_ID)
}

pub fn rewards_reflection() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"reflection"], &REWARDS_PROGRAM_ID)
}

pub fn rewards_vault() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[NOS_MINT.as_ref()], &REWARDS_PROGRAM_ID)
}

pub fn market_vault(market: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[market.as_ref(), NOS_MINT.as_ref()], &JOBS_PROGRAM_ID)
}

pub fn pool_vault(pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"vault", pool.as_ref()], &POOLS_PROGRAM_ID)
}

pub fn node(authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"node", authority.as_ref()], &NODES_PROGRAM_ID)
}

pub fn metadata(nft_mint: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"metadata", METADATA_PROGRAM_ID.as_ref(), nft_mint.as_ref()], &METADATA_PROGRAM_ID)
}

/// The associated token account of `owner` for `mint`.
pub fn associated_token_account(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[owner.as_ref(), TOKEN_PROGRAM_ID.as_ref(), mint.as_ref()],
        &ASSOCIATED_TOKEN_PROGRAM_ID,
    )
    .0
}

/// The NOS ATA of `owner`.
pub fn nos_ata(owner: &Pubkey) -> Pubkey {
    associated_token_account(owner, &NOS_MINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_singleton_pdas_are_the_mainnet_addresses() {
        assert_eq!(rewards_reflection(), (Pubkey::from_str_const("6tjbAfNHnUusWLZqFznMKyBrjs1ZX92eyKwiUi2Bsg3x"), 255));
        assert_eq!(rewards_vault(), (Pubkey::from_str_const("37xZ4jY3bSMBgxwekwdALRZK1kAUCh7YkkPabA4P2tq8"), 255));
        assert_eq!(staking_settings().0, Pubkey::from_str_const("HHt4ZXNMZb3eftbgPNjJvxCYGGitZmqJQXFgudV8dMcd"));
    }
}
