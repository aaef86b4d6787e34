//! Hand-built transactions: historic layouts the reference program no longer runs, and
//! malformed input that must be quarantined rather than decoded or panicked on.

mod support;

use nosana_decode::{FlowKind, JobEventKind, Position, REMAINING_ACCOUNT, check_balances, decode_transaction};
use nosana_layouts::Pubkey;
use nosana_layouts::ids::{JOBS_PROGRAM_ID, NOS_MINT, STAKING_PROGRAM_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
use nosana_layouts::instructions::jobs::{FINISH, JobsInstruction, PAYER_SPLIT_TIME, UPDATE};
use nosana_layouts::spl::TokenInstruction;
use support::build::TxBuilder;

fn keys(n: usize) -> Vec<Pubkey> {
    (0..n).map(|_| Pubkey::new_unique()).collect()
}

fn finish_data() -> Vec<u8> {
    JobsInstruction::Finish { ipfs_result: [5; 32] }.encode()
}

/// A finish with `accounts`, paying `pay` to `accounts[5]` (user) and refunding `refund` to
/// `accounts[4]` (deposit) out of `accounts[3]` (vault).
fn finish_tx(block_time: i64, accounts: &[Pubkey], pay: u64, refund: u64) -> nosana_decode::RawTransaction {
    let mut b = TxBuilder::new(block_time);
    let top = b.top(JOBS_PROGRAM_ID, accounts, finish_data());
    let (vault, deposit, user) = (accounts[3], accounts[4], accounts[5]);
    b.inner(top, 2, TOKEN_PROGRAM_ID, &[vault, user, vault], TokenInstruction::Transfer { amount: pay }.encode());
    b.inner(top, 2, TOKEN_PROGRAM_ID, &[vault, deposit, vault], TokenInstruction::Transfer { amount: refund }.encode());
    let total = pay + refund;
    b.nos_balance(vault, vault, total, 0);
    if user == deposit {
        b.nos_balance(user, Pubkey::new_unique(), 0, total);
    } else {
        b.nos_balance(user, Pubkey::new_unique(), 0, pay);
        b.nos_balance(deposit, Pubkey::new_unique(), 0, refund);
    }
    b.build()
}

#[test]
fn a_finish_before_the_payer_split_names_payer_and_project() {
    let k = keys(10);
    let tx = finish_tx(PAYER_SPLIT_TIME - 86_400, &k, 30, 70);
    let d = decode_transaction(&tx);
    let names: Vec<&str> = d.instructions[0].accounts.iter().map(|(n, _)| *n).collect();
    assert_eq!(names[6..8], ["payer", "project"]);
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.payer, e.project, e.node), (JobEventKind::Finish, k[6], k[7], k[8]));
    assert_eq!(
        d.flows.iter().map(|f| (f.kind, f.amount)).collect::<Vec<_>>(),
        [(FlowKind::Payout, 30), (FlowKind::Refund, 70)]
    );
    check_balances(&tx, &d).unwrap();
}

#[test]
fn a_finish_after_the_payer_split_or_of_unknown_time_names_both_payers() {
    let k = keys(10);
    for time in [0, PAYER_SPLIT_TIME + 1] {
        let d = decode_transaction(&finish_tx(time, &k, 30, 70));
        let names: Vec<&str> = d.instructions[0].accounts.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, FINISH.accounts.iter().map(|a| a.name).collect::<Vec<_>>());
        assert_eq!((d.job_events[0].payer, d.job_events[0].project), (k[7], Pubkey::default()));
    }
}

#[test]
fn an_eleven_account_finish_follows_the_kit_idl() {
    let k = keys(11);
    let d = decode_transaction(&finish_tx(PAYER_SPLIT_TIME + 1, &k, 30, 70));
    let names: Vec<&str> = d.instructions[0].accounts.iter().map(|(n, _)| *n).collect();
    assert_eq!(names[6..10], ["payer_job", "payer_run", "project", "authority"]);
    let e = &d.job_events[0];
    assert_eq!((e.payer, e.project, e.node), (k[6], k[8], k[9]));
}

#[test]
fn when_the_node_is_paid_into_the_refund_account_the_payout_comes_first() {
    let mut k = keys(10);
    k[5] = k[4];
    let tx = finish_tx(0, &k, 30, 70);
    let d = decode_transaction(&tx);
    assert_eq!(
        d.flows.iter().map(|f| (f.kind, f.amount)).collect::<Vec<_>>(),
        [(FlowKind::Payout, 30), (FlowKind::Refund, 70)]
    );
    check_balances(&tx, &d).unwrap();
}

#[test]
fn an_update_from_2023_reads_the_timeout_third() {
    // Spec §2.8: before 2023-09 the order was expiration, price, timeout, type, minimum.
    let mut data = UPDATE.discriminator.to_vec();
    data.extend(86_400i64.to_le_bytes());
    data.extend(43u64.to_le_bytes());
    data.extend(7_200i64.to_le_bytes());
    data.push(4);
    data.extend(1_000u128.to_le_bytes());
    let mut b = TxBuilder::new(1_680_000_000);
    b.top(JOBS_PROGRAM_ID, &keys(3), data.clone());
    let d = decode_transaction(&b.build());
    let args = &d.instructions[0].args;
    assert_eq!((args["job_timeout"].as_i64(), args["job_type"].as_u64()), (Some(7_200), Some(4)));
    assert_eq!(args["node_stake_minimum"], "1000");
    // The same bytes in a block of today read in today's order.
    let mut b = TxBuilder::new(0);
    b.top(JOBS_PROGRAM_ID, &keys(3), data);
    let d = decode_transaction(&b.build());
    assert_eq!(d.instructions[0].args["job_type"].as_u64(), Some(0x20), "the first byte of 7200 read as the type");
}

#[test]
fn extra_accounts_are_named_remaining() {
    let k = keys(4);
    let mut b = TxBuilder::new(0);
    b.top(JOBS_PROGRAM_ID, &k, JobsInstruction::Complete { ipfs_result: [1; 32] }.encode());
    let d = decode_transaction(&b.build());
    let names: Vec<&str> = d.instructions[0].accounts.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["job", "authority", REMAINING_ACCOUNT, REMAINING_ACCOUNT]);
}

#[test]
fn a_mint_or_burn_of_another_token_is_not_a_flow() {
    let (other_mint, account, owner) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
    let mut b = TxBuilder::new(0);
    b.top(TOKEN_PROGRAM_ID, &[other_mint, account, owner], TokenInstruction::MintTo { amount: 5 }.encode());
    b.top(TOKEN_PROGRAM_ID, &[account, other_mint, owner], TokenInstruction::Burn { amount: 5 }.encode());
    b.top(
        TOKEN_PROGRAM_ID,
        &[account, other_mint, account, owner],
        TokenInstruction::TransferChecked { amount: 1, decimals: 6 }.encode(),
    );
    let d = decode_transaction(&b.build());
    assert!(d.flows.is_empty() && d.quarantine.is_empty());
}

/// One top-level instruction of `program` with `accounts` (indices into 4 unique keys, which
/// include `program` at index 0) and `data`.
fn single(program: Pubkey, accounts: Vec<u8>, data: Vec<u8>) -> nosana_decode::RawTransaction {
    let mut b = TxBuilder::new(0);
    b.key(program);
    for _ in 0..3 {
        b.key(Pubkey::new_unique());
    }
    let mut tx = b.build();
    tx.instructions.push(nosana_decode::RawInstruction { program_id_index: 0, accounts, data, stack_height: None });
    tx
}

#[test]
fn an_unknown_discriminator_is_quarantined_with_its_data() {
    let data = vec![1, 2, 3, 4, 5, 6, 7, 8, 9];
    let d = decode_transaction(&single(JOBS_PROGRAM_ID, vec![1, 2], data.clone()));
    assert!(d.instructions.is_empty());
    let q = &d.quarantine[0];
    assert_eq!(
        (q.at, q.program, q.account, &q.data),
        (Some(Position { ix: 0, inner: 0, stack_height: 1 }), JOBS_PROGRAM_ID, Pubkey::default(), &data)
    );
    assert!(q.reason.contains("unknown discriminator 0102030405060708"), "{}", q.reason);
}

#[test]
fn truncated_arguments_are_quarantined() {
    let data = JobsInstruction::Extend { timeout: 9 }.encode();
    let d = decode_transaction(&single(JOBS_PROGRAM_ID, vec![1; 10], data[..12].to_vec()));
    assert!(d.quarantine[0].reason.contains("too short"), "{}", d.quarantine[0].reason);
    let d = decode_transaction(&single(STAKING_PROGRAM_ID, vec![1; 10], vec![7; 5]));
    assert!(d.quarantine[0].reason.contains("instruction data: 5 bytes is too short"), "{}", d.quarantine[0].reason);
}

#[test]
fn too_few_accounts_are_quarantined() {
    let d = decode_transaction(&single(JOBS_PROGRAM_ID, vec![1, 2], JobsInstruction::Work.encode()));
    assert_eq!(d.quarantine[0].reason, "nosana_jobs.work needs 8 accounts, got 2");
    let d = decode_transaction(&single(JOBS_PROGRAM_ID, vec![1; 9], finish_data()));
    assert_eq!(d.quarantine[0].reason, "nosana_jobs.finish needs 10 accounts, got 9");
}

#[test]
fn account_and_program_indices_out_of_range_are_quarantined() {
    let d = decode_transaction(&single(
        JOBS_PROGRAM_ID,
        vec![1, 9],
        JobsInstruction::Complete { ipfs_result: [1; 32] }.encode(),
    ));
    assert_eq!(d.quarantine[0].reason, "account index 9 is out of range (4 account keys)");
    assert_eq!(d.quarantine[0].program, JOBS_PROGRAM_ID);
    let mut tx = single(SYSTEM_PROGRAM_ID, vec![], vec![]);
    tx.instructions[0].program_id_index = 200;
    let d = decode_transaction(&tx);
    assert_eq!(d.quarantine[0].reason, "program index 200 is out of range (4 account keys)");
    assert_eq!(d.quarantine[0].program, Pubkey::default());
}

#[test]
fn inner_instructions_of_a_missing_top_level_instruction_are_quarantined() {
    let mut tx = single(SYSTEM_PROGRAM_ID, vec![], vec![]);
    tx.inner_instructions.push(nosana_decode::RawInnerInstructions {
        index: 3,
        instructions: vec![nosana_decode::RawInstruction {
            program_id_index: 0,
            accounts: vec![],
            data: vec![1],
            stack_height: Some(2),
        }],
    });
    let d = decode_transaction(&tx);
    assert_eq!(d.quarantine.len(), 1);
    assert_eq!(d.quarantine[0].at, Some(Position { ix: 3, inner: 1, stack_height: 2 }));
}

#[test]
fn a_malformed_token_movement_is_quarantined_and_other_token_instructions_ignored() {
    let d = decode_transaction(&single(TOKEN_PROGRAM_ID, vec![1, 2, 3], vec![3, 1, 2]));
    assert_eq!(d.quarantine.len(), 1);
    assert_eq!(d.quarantine[0].program, TOKEN_PROGRAM_ID);
    let d = decode_transaction(&single(
        TOKEN_PROGRAM_ID,
        vec![1, 2],
        TokenInstruction::BurnChecked { amount: 1, decimals: 6 }.encode(),
    ));
    assert_eq!(d.quarantine[0].reason, "spl_token.BurnChecked needs 3 accounts, got 2");
    let d = decode_transaction(&single(TOKEN_PROGRAM_ID, vec![1, 2, 3], TokenInstruction::CloseAccount.encode()));
    assert!(d.quarantine.is_empty() && d.flows.is_empty());
}

#[test]
fn a_failed_transaction_still_quarantines_what_it_cannot_read() {
    let mut tx = single(JOBS_PROGRAM_ID, vec![1], vec![0xAA; 8]);
    tx.err = Some("custom program error: 0x1770".into());
    let d = decode_transaction(&tx);
    assert_eq!(d.quarantine.len(), 1);
    assert!(d.flows.is_empty() && d.job_events.is_empty());
}

#[test]
fn a_nos_transfer_is_recognised_from_either_side_of_the_token_balances() {
    // A deposit whose source account is closed afterwards: only the pre balance lists it.
    let k = keys(12);
    let data = JobsInstruction::List { ipfs_job: [1; 32], timeout: Some(10) }.encode();
    let mut b = TxBuilder::new(0);
    let top = b.top(JOBS_PROGRAM_ID, &k, data);
    let (user, vault) = (k[3], k[4]);
    b.inner(top, 2, TOKEN_PROGRAM_ID, &[user, vault, k[5]], TokenInstruction::Transfer { amount: 10 }.encode());
    let mut tx = b.build();
    let (ui, vi) = (
        tx.account_keys.iter().position(|x| *x == user).unwrap() as u8,
        tx.account_keys.iter().position(|x| *x == vault).unwrap() as u8,
    );
    tx.pre_token_balances.push(nosana_decode::RawTokenBalance {
        account_index: ui,
        mint: NOS_MINT,
        owner: Some(k[5]),
        amount: 10,
    });
    tx.post_token_balances.push(nosana_decode::RawTokenBalance {
        account_index: vi,
        mint: NOS_MINT,
        owner: None,
        amount: 10,
    });
    let d = decode_transaction(&tx);
    assert_eq!(d.flows.len(), 1);
    assert_eq!((d.flows[0].kind, d.flows[0].wallet), (FlowKind::Deposit, k[5]));
    check_balances(&tx, &d).unwrap();
    // Without any balance naming a side as NOS, a plain Transfer is not known to move NOS.
    tx.pre_token_balances.clear();
    tx.post_token_balances.clear();
    assert!(decode_transaction(&tx).flows.is_empty());
}
