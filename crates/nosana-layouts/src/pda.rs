//! PDA recipes of the five programs (seeds from `common/src/constants.rs`).

use std::cell::RefCell;
use std::hash::{DefaultHasher, Hash, Hasher};

use solana_pubkey::Pubkey;

use crate::ids::*;

/// Entries of each thread's memo of derived addresses (direct-mapped by a hash of program and
/// seeds; about 5 MB per thread when full).
const MEMO_SLOTS: usize = 1 << 16;

/// A derivation's key (the program, then each seed behind its length), its address and bump.
type MemoEntry = (Vec<u8>, Pubkey, u8);

thread_local! {
    static MEMO: RefCell<Vec<Option<MemoEntry>>> = RefCell::new(vec![None; MEMO_SLOTS]);
}

/// `Pubkey::find_program_address`, remembered. A derivation hashes bump after bump and checks
/// each result is off the curve (a point decompression); the simulation and the reference
/// program derive the same few addresses of each wallet over and over (a tenth of the
/// reference node's time before this memo).
fn find(seeds: &[&[u8]], program: &Pubkey) -> (Pubkey, u8) {
    let mut key = Vec::with_capacity(32 + seeds.iter().map(|s| s.len() + 1).sum::<usize>());
    key.extend_from_slice(program.as_ref());
    for seed in seeds {
        // Seeds are at most 32 bytes (MAX_SEED_LEN); a longer one makes the derivation panic below.
        key.push(seed.len().min(255) as u8);
        key.extend_from_slice(seed);
    }
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    let slot = (hasher.finish() % MEMO_SLOTS as u64) as usize;
    MEMO.with_borrow_mut(|memo| {
        if let Some((k, address, bump)) = &memo[slot]
            && *k == key
        {
            return (*address, *bump);
        }
        let (address, bump) = Pubkey::find_program_address(seeds, program);
        memo[slot] = Some((key, address, bump));
        (address, bump)
    })
}

pub fn stake(authority: &Pubkey) -> (Pubkey, u8) {
    find(&[b"stake", NOS_MINT.as_ref(), authority.as_ref()], &STAKING_PROGRAM_ID)
}

pub fn stake_vault(authority: &Pubkey) -> (Pubkey, u8) {
    find(&[b"vault", NOS_MINT.as_ref(), authority.as_ref()], &STAKING_PROGRAM_ID)
}

pub fn staking_settings() -> (Pubkey, u8) {
    find(&[b"settings"], &STAKING_PROGRAM_ID)
}

pub fn reward(authority: &Pubkey) -> (Pubkey, u8) {
    find(&[b"reward", authority.as_ref()], &REWARDS_PROGRAM_ID)
}

pub fn rewards_reflection() -> (Pubkey, u8) {
    find(&[b"reflection"], &REWARDS_PROGRAM_ID)
}

pub fn rewards_vault() -> (Pubkey, u8) {
    find(&[NOS_MINT.as_ref()], &REWARDS_PROGRAM_ID)
}

pub fn market_vault(market: &Pubkey) -> (Pubkey, u8) {
    find(&[market.as_ref(), NOS_MINT.as_ref()], &JOBS_PROGRAM_ID)
}

pub fn pool_vault(pool: &Pubkey) -> (Pubkey, u8) {
    find(&[b"vault", pool.as_ref()], &POOLS_PROGRAM_ID)
}

pub fn node(authority: &Pubkey) -> (Pubkey, u8) {
    find(&[b"node", authority.as_ref()], &NODES_PROGRAM_ID)
}

pub fn metadata(nft_mint: &Pubkey) -> (Pubkey, u8) {
    find(&[b"metadata", METADATA_PROGRAM_ID.as_ref(), nft_mint.as_ref()], &METADATA_PROGRAM_ID)
}

/// The associated token account of `owner` for `mint`.
pub fn associated_token_account(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    find(&[owner.as_ref(), TOKEN_PROGRAM_ID.as_ref(), mint.as_ref()], &ASSOCIATED_TOKEN_PROGRAM_ID).0
}

/// The NOS ATA of `owner`.
pub fn nos_ata(owner: &Pubkey) -> Pubkey {
    associated_token_account(owner, &NOS_MINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_derivations_equal_fresh_ones_for_every_wallet_and_seed_split() {
        let owners: Vec<Pubkey> = (0..600u32)
            .map(|i| {
                let mut bytes = [7u8; 32];
                bytes[..4].copy_from_slice(&i.to_le_bytes());
                Pubkey::new_from_array(bytes)
            })
            .collect();
        // Twice: the second pass reads the memo.
        for _ in 0..2 {
            for owner in &owners {
                let fresh = Pubkey::find_program_address(&[b"node", owner.as_ref()], &NODES_PROGRAM_ID);
                assert_eq!(node(owner), fresh);
                let fresh_stake =
                    Pubkey::find_program_address(&[b"stake", NOS_MINT.as_ref(), owner.as_ref()], &STAKING_PROGRAM_ID);
                assert_eq!(stake(owner), fresh_stake);
            }
        }
        // Other programs, seeds and splits of the same bytes are entries of their own.
        for (seeds, program) in [
            (&[&b"ab"[..], b"c"][..], NODES_PROGRAM_ID),
            (&[&b"a"[..], b"bc"][..], NODES_PROGRAM_ID),
            (&[&b"a"[..], b"bc"][..], JOBS_PROGRAM_ID),
            (&[&b"abc"[..]][..], JOBS_PROGRAM_ID),
        ] {
            assert_eq!(find(seeds, &program), Pubkey::find_program_address(seeds, &program));
        }
    }

    #[test]
    fn the_singleton_pdas_are_the_mainnet_addresses() {
        assert_eq!(rewards_reflection(), (Pubkey::from_str_const("6tjbAfNHnUusWLZqFznMKyBrjs1ZX92eyKwiUi2Bsg3x"), 255));
        assert_eq!(rewards_vault(), (Pubkey::from_str_const("37xZ4jY3bSMBgxwekwdALRZK1kAUCh7YkkPabA4P2tq8"), 255));
        assert_eq!(staking_settings().0, Pubkey::from_str_const("HHt4ZXNMZb3eftbgPNjJvxCYGGitZmqJQXFgudV8dMcd"));
    }
}
