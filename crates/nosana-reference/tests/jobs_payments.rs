//! Money: exact payouts and refunds, free markets, the legacy `list`, atomicity of failed
//! transactions, and what a `list` transaction records (logs, inner instructions, balances).

mod common;

use common::{PRICE, PROJECT_NOS, TIMEOUT, World, default_params};
use nosana_layouts::errors::common as ce;
use nosana_layouts::ids::{self, NOS_MINT};
use nosana_layouts::pda;
use nosana_layouts::spl::{SystemInstruction, TokenInstruction};
use nosana_reference::client::jobs::{self, RunParties};
use nosana_reference::client::spl;
use nosana_reference::genesis::address;
use nosana_reference::{ProgramConfig, Pubkey};

#[test]
fn the_node_is_paid_for_at_most_the_timeout_and_the_vault_returns_to_its_prior_balance() {
    let mut w = World::new();
    let (market, project, vault) = (w.market, w.project, w.vault());
    w.ok(&project, &[spl::transfer(&pda::nos_ata(&project), &vault, &project, 5_000)]);
    let prior = w.g.bank.token_balance(&vault);

    // Capped: 1000 s elapsed on a 300 s job pays 300 s, and nothing is refunded.
    let n0 = w.nodes[0];
    w.work(&n0);
    let (job, run) = w.list(300);
    w.g.warp(1_000);
    let before = w.balance(&project);
    // The node queued first, so the project's `list` paid for the run.
    let parties = RunParties { job_payer: project, run_payer: project, node: n0 };
    w.ok(&n0, &[jobs::finish(&job, &run, &market, &parties, PRICE, [1; 32])]);
    assert_eq!(w.balance(&n0), PRICE * 300);
    assert_eq!(w.balance(&project), before);
    assert_eq!(w.g.bank.token_balance(&vault), prior);

    // Pro rata: 123 s of a one-hour job; the rest of the deposit goes back.
    let n1 = w.nodes[1];
    w.work(&n1);
    let (job, run) = w.list(TIMEOUT);
    w.g.warp(123);
    let before = w.balance(&project);
    let parties = RunParties { job_payer: project, run_payer: project, node: n1 };
    w.ok(&n1, &[jobs::finish(&job, &run, &market, &parties, PRICE, [1; 32])]);
    assert_eq!(w.balance(&n1), PRICE * 123);
    assert_eq!(w.balance(&project), before + PRICE * (TIMEOUT as u64 - 123), "refund = deposit - pay");
    assert_eq!(w.g.bank.token_balance(&vault), prior);
}

#[test]
fn a_free_market_moves_no_tokens_and_settles_into_the_vault_slot() {
    let mut params = default_params();
    params.job_price = 0;
    let mut w = World::with(ProgramConfig::default(), params, ids::SYSTEM_PROGRAM_ID);
    let (job, run) = w.running_job(TIMEOUT);
    let n0 = w.nodes[0];
    w.g.warp(60);
    let market = w.market;
    let tx = w.ok(&n0, &[jobs::finish(&job, &run, &market, &w.parties(&n0), 0, [2; 32])]);
    assert!(tx.meta.inner_instructions.is_empty(), "no token CPI at all");
    assert_eq!(tx.message.instructions[0].accounts[3], tx.message.instructions[0].accounts[4], "deposit = vault");
    assert_eq!(w.job(&job).state, 2);
    assert_eq!((w.balance(&n0), w.balance(&w.project)), (0, PROJECT_NOS));

    let (job2, run2) = w.running_job(TIMEOUT);
    let project = w.project;
    w.ok(&project, &[jobs::end(&job2, &market, &run2, &w.parties(&n0), &project, 0)]);
    assert_eq!(w.job(&job2).state, 2);
}

#[test]
fn the_legacy_list_without_timeout_deposits_price_times_the_market_timeout() {
    let mut w = World::new();
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    let ix = jobs::list_legacy(&job, &market, &run, &project, &project, [4; 32]);
    assert_eq!(ix.data.len(), 40);
    w.ok(&project, &[ix]);
    assert_eq!(w.job(&job).timeout, TIMEOUT);
    assert_eq!(w.g.bank.token_balance(&w.vault()), PRICE * TIMEOUT as u64);
    assert_eq!(w.market().queue, vec![job]);
}

#[test]
fn a_failed_transaction_changes_nothing_but_the_fee_payers_lamports() {
    let mut w = World::new();
    let n0 = w.nodes[0];
    w.work(&n0);
    let before = w.g.bank.accounts().clone();
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    // The deposit would come from someone else's token account: rejected after the job
    // account was already created by the System program CPI.
    let mut ix = jobs::list(&job, &market, &run, &project, &project, [1; 32], TIMEOUT);
    ix.accounts[3].pubkey = pda::nos_ata(&n0);
    let tx = w.fails(&project, &[ix], 0, ce::INVALID_ATA);
    assert!(tx.meta.log_messages.iter().any(|l| l == "Program 11111111111111111111111111111111 success"));
    let after = w.g.bank.accounts();
    let fee = tx.meta.fee;
    for (key, account) in &before {
        let now = after.get(key).expect("nothing disappeared");
        if *key == project {
            assert_eq!(now.lamports, account.lamports - fee);
            assert_eq!(now.data, account.data);
        } else {
            assert_eq!(now, account, "{key} changed");
        }
    }
    assert_eq!(after.len(), before.len(), "nothing appeared");
}

#[test]
fn a_list_transaction_records_its_logs_inner_transfer_and_token_balances() {
    let mut w = World::new();
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    let tx = w.ok(&project, &[jobs::list(&job, &market, &run, &project, &project, [1; 32], TIMEOUT)]);
    let deposit = PRICE * TIMEOUT as u64;
    let logs = &tx.meta.log_messages;
    let jobs_id = ids::JOBS_PROGRAM_ID.to_string();
    assert_eq!(logs[0], format!("Program {jobs_id} invoke [1]"));
    assert_eq!(logs[1], "Program log: Instruction: List");
    assert!(logs.contains(&format!("Program {} invoke [2]", ids::TOKEN_PROGRAM_ID)));
    assert!(logs.contains(&"Program log: Instruction: Transfer".to_string()));
    let consumed = &logs[logs.len() - 2];
    assert!(
        consumed.starts_with(&format!("Program {jobs_id} consumed ")) && consumed.ends_with(" compute units"),
        "{consumed}"
    );
    assert_eq!(logs[logs.len() - 1], format!("Program {jobs_id} success"));

    let inner = &tx.meta.inner_instructions;
    assert_eq!(inner.len(), 1);
    assert_eq!(inner[0].index, 0);
    let keys = &tx.message.account_keys;
    let decoded: Vec<(u32, Pubkey, &[u8])> = inner[0]
        .instructions
        .iter()
        .map(|i| (i.stack_height, keys[i.instruction.program_id_index as usize], i.instruction.data.as_slice()))
        .collect();
    assert_eq!(decoded.len(), 2, "create the job, then the deposit");
    assert_eq!((decoded[0].0, decoded[0].1), (2, ids::SYSTEM_PROGRAM_ID));
    assert!(matches!(SystemInstruction::decode(decoded[0].2), Ok(SystemInstruction::CreateAccount { space: 240, .. })));
    assert_eq!((decoded[1].0, decoded[1].1), (2, ids::TOKEN_PROGRAM_ID));
    assert_eq!(TokenInstruction::decode(decoded[1].2), Ok(TokenInstruction::Transfer { amount: deposit }));

    let (user, vault) = (pda::nos_ata(&project), w.vault());
    assert_eq!(tx.token_delta(&user), -(deposit as i128));
    assert_eq!(tx.token_delta(&vault), deposit as i128);
    let vault_index = tx.message.index_of(&vault).expect("vault in message");
    let post = tx.meta.post_token_balances.iter().find(|b| b.account_index == vault_index).expect("vault balance");
    assert_eq!((post.mint, post.owner, post.amount, post.decimals), (NOS_MINT, vault, deposit, 6));
    assert!(tx.meta.compute_units_consumed > 0);
    assert!(tx.meta.pre_token_balances.iter().any(|b| b.amount == PROJECT_NOS));
}

#[test]
fn the_deposit_must_come_from_the_payers_ata() {
    let mut w = World::new();
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    let payer = address("sponsor");
    w.g.fund(&payer, 1_000_000_000);
    let mut ix = jobs::list(&job, &market, &run, &payer, &project, [1; 32], TIMEOUT);
    ix.accounts[3].pubkey = pda::nos_ata(&project);
    w.fails(&project, &[ix], 0, ce::INVALID_ATA);
}
