//! The invariants, checked after every action. Each returns a proptest failure naming what
//! broke; `all` runs the ledger-wide ones.

use std::collections::{BTreeMap, BTreeSet};

use nosana_layouts::accounts::{AnchorAccount, MarketAccount, NosanaAccount, ReflectionAccount};
use nosana_layouts::enums::{job_state, queue_type};
use nosana_layouts::ids::{self, NOS_MINT};
use nosana_layouts::math;
use nosana_layouts::pda;
use nosana_layouts::spl::{TOKEN_ACCOUNT_LEN, TokenAccount};
use nosana_reference::{Account, ExecutedTransaction, Pubkey, TransactionError};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::world::World;

type Accounts = BTreeMap<Pubkey, Account>;

/// Invariants 1 and 2: `execute` rejected the transaction and changed nothing, or included it;
/// an included failure changed nothing but the fee payer's lamports (minus the fee).
pub fn atomicity(
    before: &Accounts,
    after: &Accounts,
    payer: &Pubkey,
    result: &Result<ExecutedTransaction, TransactionError>,
) -> Result<(), TestCaseError> {
    match result {
        Err(e) => prop_assert!(before == after, "rejected transaction ({e}) changed accounts"),
        Ok(tx) if tx.succeeded() => {
            // Only accounts the message declared writable may change.
            for key in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
                if before.get(key) != after.get(key) {
                    let i = tx.message.index_of(key);
                    let writable = i.is_some_and(|i| tx.message.is_writable(i as usize));
                    prop_assert!(writable, "successful transaction changed {key}, which it did not hold writable");
                }
            }
        }
        Ok(tx) => {
            let mut expected = before.clone();
            let fee_payer = expected.get_mut(payer).expect("the fee payer existed");
            fee_payer.lamports -= tx.meta.fee;
            for key in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
                prop_assert!(
                    expected.get(key) == after.get(key),
                    "failed transaction ({:?}) changed {key} beyond the fee\nlogs:\n{}",
                    tx.meta.status,
                    tx.meta.log_messages.join("\n")
                );
            }
        }
    }
    Ok(())
}

/// Every ledger-wide invariant.
pub fn all(w: &World) -> Result<(), TestCaseError> {
    nos_conserved(w)?;
    lamports_conserved(w)?;
    markets(w)?;
    market_vaults(w)?;
    rewards(w)?;
    stakes(w)
}

/// Invariant 3: the NOS in token accounts is the supply, and the supply moved only by the
/// test's own burns.
fn nos_conserved(w: &World) -> Result<(), TestCaseError> {
    let held: u128 =
        w.g.bank
            .accounts()
            .values()
            .filter(|a| a.owner == ids::TOKEN_PROGRAM_ID && a.data.len() == TOKEN_ACCOUNT_LEN)
            .filter_map(|a| TokenAccount::unpack(&a.data).ok())
            .filter(|t| t.mint == NOS_MINT)
            .map(|t| u128::from(t.amount))
            .sum();
    let supply = w.g.bank.mint(&NOS_MINT).expect("NOS mint").supply;
    prop_assert_eq!(held, u128::from(supply), "NOS in token accounts != NOS supply");
    prop_assert_eq!(supply, w.expected_supply, "NOS supply moved by something other than the test's burns");
    Ok(())
}

/// Invariant 4: lamports are neither created nor destroyed, except the fees the bank burns.
fn lamports_conserved(w: &World) -> Result<(), TestCaseError> {
    let now = w.total_lamports() + u128::from(w.fees_charged);
    prop_assert_eq!(now, w.initial_lamports, "Σ lamports + Σ fees != lamports at setup");
    Ok(())
}

/// Invariant 5: queue shape. An empty queue is typed Empty and only it is; a job queue holds
/// queued jobs of its own market that no run points to; a node queue holds distinct wallets.
fn markets(w: &World) -> Result<(), TestCaseError> {
    let accounts = w.nosana_accounts();
    let running: BTreeSet<Pubkey> = w.runs_in_bank().iter().map(|r| r.job).collect();
    for (key, account) in &accounts {
        let NosanaAccount::Market(m) = account else { continue };
        let len = w.g.bank.get(key).map_or(0, |a| a.data.len());
        prop_assert!(
            m.queue.len() <= MarketAccount::queue_capacity(len),
            "market {key}: queue of {} exceeds its capacity",
            m.queue.len()
        );
        prop_assert!(
            [queue_type::JOB, queue_type::NODE, queue_type::EMPTY].contains(&m.queue_type),
            "market {key}: raw queue type {}",
            m.queue_type
        );
        prop_assert_eq!(
            m.queue.is_empty(),
            m.queue_type == queue_type::EMPTY,
            "market {}: empty queue <=> type Empty (type {}, {} entries)",
            key,
            m.queue_type,
            m.queue.len()
        );
        if m.queue_type == queue_type::JOB {
            for job_key in &m.queue {
                // `clean_admin` closes any job without a state check and leaves the queue as it
                // is (spec §2.4.19), so a job it closed may stay queued as a dead key.
                if w.admin_cleaned.contains(job_key) {
                    continue;
                }
                let job = w.job(job_key);
                prop_assert!(job.is_some(), "market {key}: queued job {job_key} is not a live job");
                let job = job.expect("checked");
                prop_assert_eq!(job.market, *key, "market {}: queued job {} belongs to {}", key, job_key, job.market);
                prop_assert_eq!(
                    job.state,
                    job_state::QUEUED,
                    "market {}: queued job {} in state {}",
                    key,
                    job_key,
                    job.state
                );
                prop_assert!(!running.contains(job_key), "market {key}: queued job {job_key} has a live run");
            }
        }
        if m.queue_type == queue_type::NODE {
            let distinct: BTreeSet<&Pubkey> = m.queue.iter().collect();
            prop_assert_eq!(distinct.len(), m.queue.len(), "market {}: a node is queued twice", key);
            for node in &m.queue {
                let owner = w.g.bank.get(node).map(|a| a.owner);
                prop_assert!(
                    owner.is_none() || owner == Some(ids::SYSTEM_PROGRAM_ID),
                    "market {key}: node queue holds {node}, a program-owned account ({owner:?})"
                );
            }
        }
    }
    Ok(())
}

/// Invariant 6: a market vault holds at least the deposits of its jobs still Queued (running
/// ones and those orphaned by `quit_admin` included) or Stopped.
///
/// Restrictions, both behaviour of the on-chain program:
/// - a market closed by `close`/`close_admin` is skipped: both empty the vault whatever jobs
///   are outstanding (spec §2.4.3-4);
/// - a market where `claim` gave a job a second live run is skipped: `claim` checks only
///   `state == Stopped` (spec §2.4.13) and `finish`/`end`/`quit` have no state check
///   (§2.4.10, 15, 16), so the second run can settle or re-stop a job whose deposit was
///   already paid out, and the payout comes out of other jobs' deposits.
fn market_vaults(w: &World) -> Result<(), TestCaseError> {
    let mut owed: BTreeMap<Pubkey, u128> = BTreeMap::new();
    for (_, account) in w.nosana_accounts() {
        let NosanaAccount::Job(job, _) = account else { continue };
        if job.state == job_state::QUEUED || job.state == job_state::STOPPED {
            let deposit = u128::from(job.price) * job.timeout.max(0) as u128;
            *owed.entry(job.market).or_default() += deposit;
        }
    }
    for m in &w.markets {
        if w.closed_markets.contains(&m.key) || w.double_claimed_markets.contains(&m.key) {
            continue;
        }
        let Some(NosanaAccount::Market(market)) = w.decode(&m.key) else { continue };
        let vault = w.g.bank.token_account(&market.vault);
        prop_assert!(vault.is_some(), "market {}: its vault {} is gone", m.key, market.vault);
        let balance = u128::from(vault.expect("checked").amount);
        let due = owed.get(&m.key).copied().unwrap_or(0);
        prop_assert!(balance >= due, "market {}: vault holds {balance}, deposits outstanding {due}", m.key);
    }
    Ok(())
}

/// Invariant 7: the reflection totals are the sums over the entries, and the rewards vault
/// covers every pending reward.
///
/// Rounding allowance: `pending = reflection / rate - xnos` floors per entry, while `rate`
/// itself is a floored `total_reflection / total_xnos`; a floored rate makes every
/// `reflection / rate` at most one unit too large, so the vault may fall short of the sum of
/// pending rewards by at most one base unit per entry.
fn rewards(w: &World) -> Result<(), TestCaseError> {
    let reflection_key = pda::rewards_reflection().0;
    let reflection: Option<ReflectionAccount> = w.g.bank.get(&reflection_key).and_then(|a| {
        (a.owner == ids::REWARDS_PROGRAM_ID).then(|| ReflectionAccount::from_account_data(&a.data).ok()).flatten()
    });
    prop_assert!(reflection.is_some(), "the reflection account is gone");
    let reflection = reflection.expect("checked");
    let (mut total_reflection, mut total_xnos, mut pending, mut entries) = (0u128, 0u128, 0u128, 0u128);
    for (key, account) in w.nosana_accounts() {
        let NosanaAccount::Reward(reward) = account else { continue };
        prop_assert_eq!(key, pda::reward(&reward.authority).0, "reward {} is not its authority's PDA", key);
        total_reflection += reward.reflection;
        total_xnos += reward.xnos;
        entries += 1;
        if reflection.rate != 0 {
            let p = math::pending_reward(&reward, reflection.rate);
            prop_assert!(p.is_some(), "reward {key}: pending underflows ({reward:?}, rate {})", reflection.rate);
            pending += p.expect("checked");
        }
    }
    prop_assert_eq!(reflection.total_reflection, total_reflection, "total_reflection != Σ reward.reflection");
    prop_assert!(
        reflection.total_xnos >= total_xnos,
        "total_xnos {} < Σ reward.xnos {total_xnos}",
        reflection.total_xnos
    );
    // With rate 0 (a fee added while nobody was entered, spec §4: rate = 0 / total_xnos),
    // pending rewards are undefined: every claim and sync fails on the division.
    if reflection.rate != 0 {
        let vault = u128::from(w.g.bank.token_balance(&reflection.vault));
        prop_assert!(vault + entries >= pending, "rewards vault {vault} < Σ pending {pending} (allowance {entries})");
    }
    Ok(())
}

/// Invariant 8: every stake is at its PDA with its vault, xNOS follows the formula, and the
/// vault holds exactly the amount while active.
///
/// `amount` moves with the vault in `stake`, `topup` and `slash`, and `restake` resets it to
/// the vault balance; only `withdraw` (after `unstake`) takes from the vault alone. So while
/// active, vault == amount, and once unstaked vault <= amount. NOS sent to a vault by anything
/// else (recover's `user`, finish's `user` and a market `close`'s `user` accept any NOS token
/// account, spec §2.4.3, 8, 15) only adds, so for such vaults the test checks vault >= amount
/// while active.
fn stakes(w: &World) -> Result<(), TestCaseError> {
    let mut staked: BTreeSet<Pubkey> = BTreeSet::new();
    for (key, account) in w.nosana_accounts() {
        let NosanaAccount::Stake(stake) = account else { continue };
        let (stake_pda, vault_pda, _) = w.pdas_of(&stake.authority);
        prop_assert_eq!(key, stake_pda, "stake {} is not its authority's PDA", key);
        prop_assert_eq!(stake.vault, vault_pda, "stake {}: vault is not the PDA", key);
        staked.insert(stake.authority);
        let vault = w.g.bank.token_account(&stake.vault);
        prop_assert!(vault.is_some(), "stake {key}: vault {} does not exist", stake.vault);
        let vault = vault.expect("checked");
        prop_assert!(
            vault.mint == NOS_MINT && vault.owner == stake.vault,
            "stake {key}: vault is not a self-owned NOS account"
        );
        prop_assert_eq!(
            stake.xnos,
            math::stake_xnos(stake.amount, stake.duration, stake.time_unstake),
            "stake {}: xnos off the formula ({:?})",
            key,
            stake
        );
        prop_assert!(
            (math::DURATION_MIN..=math::DURATION_MAX).contains(&stake.duration),
            "stake {key}: duration {} out of range",
            stake.duration
        );
        let donated = w.donated_vaults.contains(&stake.vault);
        if stake.time_unstake == 0 {
            if donated {
                prop_assert!(
                    vault.amount >= stake.amount,
                    "stake {key}: active, vault {} < amount {}",
                    vault.amount,
                    stake.amount
                );
            } else {
                prop_assert_eq!(vault.amount, stake.amount, "stake {}: active, vault != amount", key);
            }
        } else if !donated {
            prop_assert!(
                vault.amount <= stake.amount,
                "stake {key}: unstaked, vault {} > amount {}",
                vault.amount,
                stake.amount
            );
        }
    }
    for who in w.stakeholders() {
        let vault = w.pdas_of(&who).1;
        prop_assert_eq!(
            w.g.bank.get(&vault).is_some(),
            staked.contains(&who),
            "stake vault {} of {} exists without its stake or the other way round",
            vault,
            who
        );
    }
    Ok(())
}
