//! Instruction builders for the hot paths with every PDA and ATA precomputed. Deriving a PDA
//! costs tens of microseconds, and a simulated year builds millions of instructions, so the
//! key lists of `nosana_reference::client` are repeated here over cached keys; a test checks
//! that both give identical instructions.

use nosana_layouts::ids;
use nosana_layouts::instruction::{Instruction, InstructionSpec};
use nosana_layouts::instructions::jobs::{self as jspec, JobsInstruction};
use nosana_layouts::instructions::pools::{self as pspec, PoolsInstruction};
use nosana_layouts::instructions::rewards::{self as rspec, RewardsInstruction};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

/// The rewards singletons every fee-paying instruction touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Singletons {
    /// The rewards reflection PDA.
    pub reflection: Pubkey,
    /// The rewards vault PDA.
    pub rewards_vault: Pubkey,
}

impl Singletons {
    /// Derives the keys (PDA searches).
    pub fn derive() -> Self {
        Singletons { reflection: pda::rewards_reflection().0, rewards_vault: pda::rewards_vault().0 }
    }
}

/// A market's account and vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketKeys {
    /// The market account.
    pub market: Pubkey,
    /// The market vault PDA.
    pub vault: Pubkey,
}

/// A wallet and its NOS ATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalletKeys {
    /// The wallet (signer).
    pub wallet: Pubkey,
    /// Its NOS associated token account.
    pub ata: Pubkey,
}

/// A node's access NFT slots on gated markets: its NFT token account and the metadata PDA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessSlots {
    /// The node's token account holding the access NFT.
    pub nft: Pubkey,
    /// The NFT's Metaplex metadata PDA.
    pub metadata: Pubkey,
}

fn jobs(s: &InstructionSpec, keys: &[Pubkey], ix: JobsInstruction) -> Instruction {
    s.instruction(ids::JOBS_PROGRAM_ID, keys, ix.encode())
}

/// `list` (see `client::jobs::list`).
#[allow(clippy::too_many_arguments)]
pub fn list(
    s: &Singletons,
    job: &Pubkey,
    market: &MarketKeys,
    run: &Pubkey,
    payer: &WalletKeys,
    authority: &Pubkey,
    ipfs_job: [u8; 32],
    timeout: i64,
) -> Instruction {
    let keys = [
        *job,
        market.market,
        *run,
        payer.ata,
        market.vault,
        payer.wallet,
        s.reflection,
        s.rewards_vault,
        *authority,
        ids::REWARDS_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
        ids::SYSTEM_PROGRAM_ID,
    ];
    jobs(&jspec::LIST, &keys, JobsInstruction::List { ipfs_job, timeout: Some(timeout) })
}

/// `work` (see `client::jobs::work`); `stake` is the node's stake PDA.
pub fn work(
    run: &Pubkey,
    market: &MarketKeys,
    node: &Pubkey,
    stake: &Pubkey,
    access: Option<&AccessSlots>,
) -> Instruction {
    let (nft, metadata) = access.map_or((ids::SYSTEM_PROGRAM_ID, ids::SYSTEM_PROGRAM_ID), |a| (a.nft, a.metadata));
    let keys = [*run, market.market, *node, *stake, nft, metadata, *node, ids::SYSTEM_PROGRAM_ID];
    jobs(&jspec::WORK, &keys, JobsInstruction::Work)
}

/// `claim` (see `client::jobs::claim`).
pub fn claim(
    job: &Pubkey,
    run: &Pubkey,
    market: &MarketKeys,
    node: &Pubkey,
    stake: &Pubkey,
    access: Option<&AccessSlots>,
) -> Instruction {
    let (nft, metadata) = access.map_or((ids::SYSTEM_PROGRAM_ID, ids::SYSTEM_PROGRAM_ID), |a| (a.nft, a.metadata));
    let keys = [*job, *run, market.market, *stake, nft, metadata, *node, *node, ids::SYSTEM_PROGRAM_ID];
    jobs(&jspec::CLAIM, &keys, JobsInstruction::Claim)
}

/// The deposit and user slots of a settlement: ATAs, or the vault twice on free jobs.
fn settlement(market: &MarketKeys, job_payer: &WalletKeys, node: &WalletKeys, price: u64) -> (Pubkey, Pubkey) {
    if price == 0 { (market.vault, market.vault) } else { (job_payer.ata, node.ata) }
}

/// `finish` (see `client::jobs::finish`).
#[allow(clippy::too_many_arguments)]
pub fn finish(
    job: &Pubkey,
    run: &Pubkey,
    market: &MarketKeys,
    job_payer: &WalletKeys,
    run_payer: &Pubkey,
    node: &WalletKeys,
    price: u64,
    ipfs_result: [u8; 32],
) -> Instruction {
    let (deposit, user) = settlement(market, job_payer, node, price);
    let keys = [
        *job,
        *run,
        market.market,
        market.vault,
        deposit,
        user,
        *run_payer,
        job_payer.wallet,
        node.wallet,
        ids::TOKEN_PROGRAM_ID,
    ];
    jobs(&jspec::FINISH, &keys, JobsInstruction::Finish { ipfs_result })
}

/// `end` (see `client::jobs::end`).
#[allow(clippy::too_many_arguments)]
pub fn end(
    job: &Pubkey,
    market: &MarketKeys,
    run: &Pubkey,
    job_payer: &WalletKeys,
    run_payer: &Pubkey,
    node: &WalletKeys,
    authority: &Pubkey,
    price: u64,
) -> Instruction {
    let (deposit, user) = settlement(market, job_payer, node, price);
    let keys = [*job, market.market, *run, deposit, user, market.vault, *run_payer, *authority, ids::TOKEN_PROGRAM_ID];
    jobs(&jspec::END, &keys, JobsInstruction::End)
}

/// `extend` (see `client::jobs::extend`).
pub fn extend(
    s: &Singletons,
    job: &Pubkey,
    market: &MarketKeys,
    payer: &WalletKeys,
    authority: &Pubkey,
    timeout: i64,
) -> Instruction {
    let keys = [
        *job,
        market.market,
        payer.ata,
        market.vault,
        s.reflection,
        s.rewards_vault,
        *authority,
        payer.wallet,
        ids::REWARDS_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
    ];
    jobs(&jspec::EXTEND, &keys, JobsInstruction::Extend { timeout })
}

/// `delist` (see `client::jobs::delist`).
pub fn delist(job: &Pubkey, market: &MarketKeys, payer: &WalletKeys, authority: &Pubkey) -> Instruction {
    let keys = [*job, market.market, payer.ata, payer.wallet, market.vault, ids::TOKEN_PROGRAM_ID, *authority];
    jobs(&jspec::DELIST, &keys, JobsInstruction::Delist)
}

/// `recover` (see `client::jobs::recover`); the deposit returns to the payer's ATA.
pub fn recover(job: &Pubkey, market: &MarketKeys, payer: &WalletKeys, authority: &Pubkey) -> Instruction {
    let keys = [*job, market.market, market.vault, payer.ata, payer.wallet, *authority, ids::TOKEN_PROGRAM_ID];
    jobs(&jspec::RECOVER, &keys, JobsInstruction::Recover)
}

/// The keys of a staker's reward claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StakerKeys {
    /// The wallet (signer).
    pub wallet: WalletKeys,
    /// The stake PDA.
    pub stake: Pubkey,
    /// The stake vault PDA.
    pub stake_vault: Pubkey,
    /// The reward PDA.
    pub reward: Pubkey,
}

impl StakerKeys {
    /// Derives the keys (PDA searches).
    pub fn derive(wallet: WalletKeys) -> Self {
        StakerKeys {
            wallet,
            stake: pda::stake(&wallet.wallet).0,
            stake_vault: pda::stake_vault(&wallet.wallet).0,
            reward: pda::reward(&wallet.wallet).0,
        }
    }
}

/// `rewards.claim` (see `client::rewards::claim`).
pub fn reward_claim(s: &Singletons, k: &StakerKeys) -> Instruction {
    let keys = [k.wallet.ata, s.rewards_vault, s.reflection, k.reward, k.stake, k.wallet.wallet, ids::TOKEN_PROGRAM_ID];
    rspec::CLAIM.instruction(ids::REWARDS_PROGRAM_ID, &keys, RewardsInstruction::Claim.encode())
}

/// `pools.claim_fee` (see `client::pools::claim_fee`).
pub fn claim_fee(s: &Singletons, pool: &Pubkey, pool_vault: &Pubkey, cranker: &Pubkey) -> Instruction {
    let keys =
        [*pool_vault, s.reflection, s.rewards_vault, *pool, *cranker, ids::TOKEN_PROGRAM_ID, ids::REWARDS_PROGRAM_ID];
    pspec::CLAIM_FEE.instruction(ids::POOLS_PROGRAM_ID, &keys, PoolsInstruction::ClaimFee.encode())
}

#[cfg(test)]
mod tests {
    use nosana_reference::client::jobs::{self as cj, RunParties};
    use nosana_reference::client::{pools, rewards};

    use super::*;

    fn k(i: u8) -> Pubkey {
        Pubkey::new_from_array([i; 32])
    }

    fn wallet(i: u8) -> WalletKeys {
        WalletKeys { wallet: k(i), ata: pda::nos_ata(&k(i)) }
    }

    #[test]
    fn the_cached_builders_match_the_client_builders() {
        let s = Singletons::derive();
        let m = MarketKeys { market: k(1), vault: cj::vault(&k(1)) };
        let (job, run, project, payer, node) = (k(2), k(3), k(4), wallet(5), wallet(6));
        let nft_mint = k(7);
        let access = AccessSlots {
            nft: pda::associated_token_account(&node.wallet, &nft_mint),
            metadata: pda::metadata(&nft_mint).0,
        };
        let stake = pda::stake(&node.wallet).0;
        assert_eq!(
            list(&s, &job, &m, &run, &payer, &project, [9; 32], 600),
            cj::list(&job, &m.market, &run, &payer.wallet, &project, [9; 32], 600)
        );
        assert_eq!(
            work(&run, &m, &node.wallet, &stake, None),
            cj::work(&run, &m.market, &node.wallet, &node.wallet, None)
        );
        assert_eq!(
            work(&run, &m, &node.wallet, &stake, Some(&access)),
            cj::work(&run, &m.market, &node.wallet, &node.wallet, Some(&nft_mint))
        );
        assert_eq!(
            claim(&job, &run, &m, &node.wallet, &stake, Some(&access)),
            cj::claim(&job, &run, &m.market, &node.wallet, &node.wallet, Some(&nft_mint))
        );
        for price in [0, 43] {
            let parties = RunParties { job_payer: payer.wallet, run_payer: project, node: node.wallet };
            assert_eq!(
                finish(&job, &run, &m, &payer, &project, &node, price, [1; 32]),
                cj::finish(&job, &run, &m.market, &parties, price, [1; 32])
            );
            assert_eq!(
                end(&job, &m, &run, &payer, &project, &node, &project, price),
                cj::end(&job, &m.market, &run, &parties, &project, price)
            );
        }
        assert_eq!(
            extend(&s, &job, &m, &payer, &project, 900),
            cj::extend(&job, &m.market, &payer.wallet, &project, 900)
        );
        assert_eq!(delist(&job, &m, &payer, &project), cj::delist(&job, &m.market, &payer.wallet, &project));
        assert_eq!(
            recover(&job, &m, &payer, &project),
            cj::recover(&job, &m.market, &payer.wallet, &project, &payer.ata)
        );
        let sk = StakerKeys::derive(node);
        assert_eq!(reward_claim(&s, &sk), rewards::claim(&node.wallet));
        let pool = k(8);
        assert_eq!(claim_fee(&s, &pool, &pda::pool_vault(&pool).0, &project), pools::claim_fee(&pool, &project));
    }
}
