//! Shared setup for the rewards and pools tests.
#![allow(dead_code)]

use nosana_layouts::accounts::StakeAccount;
use nosana_layouts::ids;
use nosana_layouts::math;
use nosana_layouts::pda;
use nosana_reference::error::{InstructionError, TransactionError};
use nosana_reference::genesis::{Genesis, store_anchor};
use nosana_reference::{ExecutedTransaction, ProgramConfig, Pubkey};

/// A world at a fixed time with the NOS mint, staking settings and rewards reflection.
pub fn world() -> Genesis {
    let mut g = Genesis::new(ProgramConfig::default());
    g.bank.clock.unix_timestamp = 1_750_000_000;
    g.bank.clock.slot = 300_000_000;
    g
}

/// Places an active stake for `owner` directly, as if staked before genesis.
pub fn place_stake(g: &mut Genesis, owner: &Pubkey, amount: u64, duration: u64) -> StakeAccount {
    let (vault, vault_bump) = pda::stake_vault(owner);
    let stake = StakeAccount {
        amount,
        authority: *owner,
        duration,
        time_unstake: 0,
        vault,
        vault_bump,
        xnos: math::xnos(amount, duration),
    };
    store_anchor(&mut g.bank, pda::stake(owner).0, ids::STAKING_PROGRAM_ID, &stake);
    stake
}

/// Runs and requires success, with the logs in the panic message otherwise.
pub fn ok(g: &mut Genesis, payer: &Pubkey, ixs: &[nosana_reference::Instruction]) -> ExecutedTransaction {
    let tx = g.run(payer, ixs).expect("transaction included");
    assert!(tx.succeeded(), "failed: {:?}\n{}", tx.meta.status, tx.meta.log_messages.join("\n"));
    tx
}

/// Runs and requires failure with custom error `code`, logged under `name`.
pub fn fails_with(g: &mut Genesis, payer: &Pubkey, ixs: &[nosana_reference::Instruction], code: u32, name: &str) {
    let tx = g.run(payer, ixs).expect("transaction included");
    match &tx.meta.status {
        Err(TransactionError::InstructionError(_, InstructionError::Custom(c))) if *c == code => {}
        other => panic!("expected custom error {code} ({name}), got {other:?}\n{}", tx.meta.log_messages.join("\n")),
    }
    assert!(
        tx.meta.log_messages.iter().any(|l| l.contains(&format!("Error Code: {name}."))),
        "no log line names {name}:\n{}",
        tx.meta.log_messages.join("\n")
    );
}

/// Every NOS base unit in a token account adds up to the mint's supply.
pub fn assert_nos_conserved(g: &Genesis) {
    let supply = g.bank.mint(&ids::NOS_MINT).expect("NOS mint").supply;
    let held: u64 = g
        .bank
        .accounts()
        .keys()
        .filter_map(|k| g.bank.token_account(k))
        .filter(|t| t.mint == ids::NOS_MINT)
        .map(|t| t.amount)
        .sum();
    assert_eq!(held, supply, "token accounts hold {held}, supply is {supply}");
}
