//! The bank as a Solana node: atomic transactions, rejected vs failed, runtime checks, and the
//! metadata recorded for each transaction.

mod support;

use nosana_layouts::ids::{self, NOS, NOS_MINT};
use nosana_layouts::pda;
use nosana_reference::client::spl;
use nosana_reference::genesis::address;
use nosana_reference::{InstructionError, Message, TransactionError};
use support::*;

#[test]
fn a_transaction_whose_second_instruction_fails_leaves_no_trace_of_the_first() {
    let mut g = world();
    let alice = g.wallet("alice", 100 * NOS).unwrap();
    let bob = g.wallet("bob", 0).unwrap();
    let (a, b) = (pda::nos_ata(&alice), pda::nos_ata(&bob));
    let before = g.bank.accounts().clone();
    let tx =
        g.run(&alice, &[spl::transfer(&a, &b, &alice, 60 * NOS), spl::transfer(&a, &b, &alice, 60 * NOS)]).unwrap();
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(1, InstructionError::Custom(1))));
    assert!(tx.meta.log_messages.iter().any(|l| l == "Program log: Error: Insufficient funds"));
    assert_eq!(g.bank.token_balance(&a), 100 * NOS);
    assert_eq!(g.bank.token_balance(&b), 0);
    for (k, acc) in g.bank.accounts() {
        if *k == alice {
            assert_eq!(acc.lamports, before[k].lamports - tx.meta.fee);
        } else {
            assert_eq!(Some(acc), before.get(k), "{k} changed");
        }
    }
    assert_eq!(tx.meta.post_balances[0], tx.meta.pre_balances[0] - tx.meta.fee);
}

#[test]
fn a_fee_payer_that_cannot_pay_is_rejected_and_nothing_changes() {
    let mut g = world();
    let alice = g.wallet("alice", 10 * NOS).unwrap();
    let pauper = address("pauper");
    let before = g.bank.accounts().clone();
    let ix = spl::transfer(&pda::nos_ata(&alice), &pda::nos_ata(&alice), &alice, 1);
    assert_eq!(g.run(&pauper, std::slice::from_ref(&ix)).unwrap_err(), TransactionError::AccountNotFound);
    g.fund(&pauper, 4_999);
    let before_funded = g.bank.accounts().clone();
    assert_eq!(g.run(&pauper, &[ix]).unwrap_err(), TransactionError::InsufficientFundsForFee);
    assert_eq!(g.bank.accounts(), &before_funded);
    assert_eq!(before.len() + 1, before_funded.len());
}

#[test]
fn a_malformed_message_is_rejected_without_a_panic() {
    let mut g = world();
    let alice = g.wallet("alice", NOS).unwrap();
    let ix = spl::transfer(&pda::nos_ata(&alice), &pda::nos_ata(&alice), &alice, 1);
    let good = Message::compile(&alice, &[ix], g.bank.blockhash()).unwrap();
    let mut bad = good.clone();
    bad.instructions[0].accounts.push(200);
    assert_eq!(g.bank.execute(&bad).unwrap_err(), TransactionError::SanitizeFailure);
    let mut bad = good.clone();
    bad.instructions[0].program_id_index = 0;
    assert_eq!(g.bank.execute(&bad).unwrap_err(), TransactionError::SanitizeFailure);
    let mut bad = good.clone();
    bad.header.num_required_signatures = 0;
    assert_eq!(g.bank.execute(&bad).unwrap_err(), TransactionError::SanitizeFailure);
    let mut bad = good;
    bad.account_keys.push(bad.account_keys[1]);
    assert_eq!(g.bank.execute(&bad).unwrap_err(), TransactionError::SanitizeFailure);
}

#[test]
fn a_program_writing_an_account_the_message_marks_readonly_fails() {
    let mut g = world();
    let alice = g.wallet("alice", 10 * NOS).unwrap();
    let bob = g.wallet("bob", 0).unwrap();
    let mut ix = spl::transfer(&pda::nos_ata(&alice), &pda::nos_ata(&bob), &alice, NOS);
    ix.accounts[1].is_writable = false;
    let tx = g.run(&alice, &[ix]).unwrap();
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(0, InstructionError::ReadonlyDataModified)));
    assert_eq!(g.bank.token_balance(&pda::nos_ata(&bob)), 0);
}

#[test]
fn a_missing_signature_on_a_token_authority_fails() {
    let mut g = world();
    let alice = g.wallet("alice", 10 * NOS).unwrap();
    let mallory = g.wallet("mallory", 0).unwrap();
    let mut ix = spl::transfer(&pda::nos_ata(&alice), &pda::nos_ata(&mallory), &alice, NOS);
    ix.accounts[2].is_signer = false;
    let tx = g.run(&mallory, &[ix]).unwrap();
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(0, InstructionError::MissingRequiredSignature)));
    assert!(tx.meta.log_messages.last().unwrap().ends_with("failed: missing required signature for instruction"));
}

#[test]
fn token_balances_before_and_after_are_recorded_with_owner_mint_and_decimals() {
    let mut g = world();
    let alice = g.wallet("alice", 10 * NOS).unwrap();
    let bob = g.wallet("bob", 0).unwrap();
    let tx = ok(&mut g, &alice, &[spl::transfer(&pda::nos_ata(&alice), &pda::nos_ata(&bob), &alice, 3 * NOS)]);
    let bob_index = tx.message.index_of(&pda::nos_ata(&bob)).unwrap();
    let post = tx.meta.post_token_balances.iter().find(|b| b.account_index == bob_index).unwrap();
    assert_eq!((post.mint, post.owner, post.amount, post.decimals), (NOS_MINT, bob, 3 * NOS, 6));
    assert_eq!(post.program_id, ids::TOKEN_PROGRAM_ID);
    let pre = tx.meta.pre_token_balances.iter().find(|b| b.account_index == bob_index).unwrap();
    assert_eq!(pre.amount, 0);
    assert_eq!(tx.token_delta(&pda::nos_ata(&alice)), -3 * NOS as i128);
}

#[test]
fn an_associated_token_account_is_created_through_cpis_and_only_once() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let carol = address("carol");
    let create = spl::create_ata_idempotent(&alice, &carol, &NOS_MINT);
    let tx = ok(&mut g, &alice, std::slice::from_ref(&create));
    let heights: Vec<u32> = tx.meta.inner_instructions[0].instructions.iter().map(|i| i.stack_height).collect();
    assert_eq!(heights, vec![2, 2], "system create_account then token InitializeAccount3");
    let account = g.bank.token_account(&pda::nos_ata(&carol)).unwrap();
    assert_eq!((account.owner, account.mint, account.amount), (carol, NOS_MINT, 0));
    // Idempotent: a second create succeeds and does nothing.
    let again = ok(&mut g, &alice, &[create]);
    assert!(again.meta.inner_instructions.is_empty());
    // The System program logs no compute units; BPF programs do.
    assert!(!tx.meta.log_messages.iter().any(|l| l.starts_with("Program 11111111111111111111111111111111 consumed")));
    assert!(
        tx.meta
            .log_messages
            .iter()
            .any(|l| l.starts_with("Program ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL consumed"))
    );
}

#[test]
fn burns_and_mints_are_the_only_changes_to_supply() {
    let mut g = world();
    let alice = g.wallet("alice", 10 * NOS).unwrap();
    assert_eq!(g.bank.mint(&NOS_MINT).unwrap().supply, 10 * NOS);
    ok(&mut g, &alice, &[spl::burn(&pda::nos_ata(&alice), &NOS_MINT, &alice, 4 * NOS)]);
    ok(&mut g, &alice, &[spl::burn_checked(&pda::nos_ata(&alice), &NOS_MINT, &alice, NOS, 6)]);
    assert_eq!(g.bank.mint(&NOS_MINT).unwrap().supply, 5 * NOS);
    let tx = g.run(&alice, &[spl::burn_checked(&pda::nos_ata(&alice), &NOS_MINT, &alice, NOS, 9)]).unwrap();
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(0, InstructionError::Custom(18))));
    let mallory = g.wallet("mallory", 0).unwrap();
    let mint_authority = g.mint_authority;
    let tx = g.run(&mallory, &[spl::mint_to(&NOS_MINT, &pda::nos_ata(&mallory), &mallory, NOS)]).unwrap();
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(0, InstructionError::Custom(4))));
    ok(&mut g, &mint_authority, &[spl::mint_to(&NOS_MINT, &pda::nos_ata(&mallory), &mint_authority, NOS)]);
    assert_eq!(g.bank.mint(&NOS_MINT).unwrap().supply, 6 * NOS);
    assert_nos_conserved(&g);
}
