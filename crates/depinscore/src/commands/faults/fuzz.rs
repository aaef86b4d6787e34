//! Decoder fuzzing: the chain's own transactions (getBlock) and program accounts
//! (getProgramAccounts) from the campaign's node, mutated (bit flips, random bytes, truncation,
//! extension, discriminators and data spliced from other inputs, out-of-range indices) and fed
//! to `decode_transaction` and `decode_account` for a while. Any panic is a failure; the first
//! one's message is printed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use depinscore_indexer::rpc::RpcClient;
use nosana_decode::{RawAccount, RawInstruction, RawTransaction, decode_account, decode_transaction};
use nosana_layouts::ids::NOSANA_PROGRAM_IDS;

use super::chain::Ports;
use super::{Args, Report, Rng};

/// Blocks sampled from the node for the corpus.
const CORPUS_BLOCKS: u64 = 400;

pub(crate) fn campaign(args: &Args, ports: &Ports, report: &mut Report) -> anyhow::Result<()> {
    if args.fuzz_secs == 0 {
        return Ok(());
    }
    let (transactions, accounts) = corpus(ports.rpc)?;
    eprintln!(
        "fuzzing the decoders for {} s ({} transactions, {} accounts)",
        args.fuzz_secs,
        transactions.len(),
        accounts.len()
    );
    let outcome = fuzz(&transactions, &accounts, Duration::from_secs(args.fuzz_secs), args.seed);
    report.check(
        "decoders never panic on mutated input",
        outcome.panics == 0 && outcome.transactions > 0 && outcome.accounts > 0,
        format!(
            "{} transactions and {} accounts decoded in {} s ({:.0}/s), {} panics{}",
            outcome.transactions,
            outcome.accounts,
            args.fuzz_secs,
            (outcome.transactions + outcome.accounts) as f64 / args.fuzz_secs as f64,
            outcome.panics,
            outcome.first_panic.map(|m| format!("; first: {m}")).unwrap_or_default()
        ),
    );
    Ok(())
}

/// Nosana transactions from a sample of the node's blocks, and every program account.
fn corpus(rpc_port: u16) -> anyhow::Result<(Vec<RawTransaction>, Vec<RawAccount>)> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let rpc = RpcClient::new(&format!("http://127.0.0.1:{rpc_port}"), Duration::from_secs(30))?;
        let head = rpc.slot("confirmed").await?;
        let step = (head / CORPUS_BLOCKS).max(1);
        let mut transactions = Vec::new();
        for slot in (1..=head).step_by(step as usize) {
            if let Some(block) = rpc.block(slot).await? {
                transactions.extend(block.transactions);
            }
        }
        let mut accounts = Vec::new();
        for program in NOSANA_PROGRAM_IDS {
            accounts.extend(rpc.program_accounts(&program, &[]).await?.1);
        }
        anyhow::ensure!(!transactions.is_empty() && !accounts.is_empty(), "the node served nothing to fuzz with");
        Ok((transactions, accounts))
    })
}

#[derive(Debug, Default)]
struct Outcome {
    transactions: u64,
    accounts: u64,
    panics: u64,
    first_panic: Option<String>,
}

/// Mutates and decodes for `length`; panics are caught and counted, not printed.
fn fuzz(transactions: &[RawTransaction], accounts: &[RawAccount], length: Duration, seed: u64) -> Outcome {
    let first: Arc<Mutex<Option<String>>> = Arc::default();
    let previous = std::panic::take_hook();
    let seen = first.clone();
    std::panic::set_hook(Box::new(move |info| {
        let mut slot = seen.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert_with(|| info.to_string());
    }));
    let mut rng = Rng::new(seed);
    let mut out = Outcome::default();
    let end = Instant::now() + length;
    while Instant::now() < end {
        for _ in 0..64 {
            let tx = mutate_transaction(&mut rng, transactions);
            if catch_unwind(AssertUnwindSafe(|| decode_transaction(&tx))).is_err() {
                out.panics += 1;
            }
            out.transactions += 1;
            let account = mutate_account(&mut rng, accounts);
            if catch_unwind(AssertUnwindSafe(|| decode_account(&account))).is_err() {
                out.panics += 1;
            }
            out.accounts += 1;
        }
    }
    std::panic::set_hook(previous);
    out.first_panic = first.lock().unwrap_or_else(|p| p.into_inner()).take();
    out
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

/// One to three mutations of bytes: flips, random bytes, truncation, extension, or a splice
/// of `other` (e.g. another input's discriminator).
fn mutate_bytes(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..=rng.below(3) {
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len() as u64) as usize;
                data[i] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = rng.below(data.len() as u64) as usize;
                data[i] = rng.below(256) as u8;
            }
            2 => data.truncate(rng.below(data.len() as u64 + 1) as usize),
            3 => data.extend((0..rng.below(64)).map(|_| rng.below(256) as u8)),
            4 if !other.is_empty() => {
                let n = (8 + rng.below(32) as usize).min(other.len());
                let at = rng.below(data.len().saturating_sub(n) as u64 + 1) as usize;
                let end = (at + n).min(data.len());
                data.splice(at..end, other[..n].iter().copied());
            }
            _ => {
                // Extreme lengths and values where a layout reads a length or an amount.
                let i = rng.below(data.len() as u64 + 1) as usize;
                let value = [0u8, 0xFF][rng.below(2) as usize];
                data.splice(i..i, std::iter::repeat_n(value, 4 + rng.below(8) as usize));
            }
        }
    }
}

fn mutate_instruction(rng: &mut Rng, ix: &mut RawInstruction, keys: usize, other: &[u8]) {
    match rng.below(4) {
        0 => mutate_bytes(rng, &mut ix.data, other),
        1 => ix.program_id_index = rng.below(keys as u64 + 3) as u8,
        2 if !ix.accounts.is_empty() => {
            let i = rng.below(ix.accounts.len() as u64) as usize;
            ix.accounts[i] = rng.below(256) as u8;
        }
        _ => ix.accounts.truncate(rng.below(ix.accounts.len() as u64 + 1) as usize),
    }
}

fn mutate_transaction(rng: &mut Rng, corpus: &[RawTransaction]) -> RawTransaction {
    let mut tx = pick(rng, corpus).clone();
    let donor = pick(rng, corpus);
    let other = donor.instructions.first().map(|i| i.data.clone()).unwrap_or_default();
    let keys = tx.account_keys.len();
    for _ in 0..=rng.below(2) {
        match rng.below(7) {
            0 | 1 if !tx.instructions.is_empty() => {
                let i = rng.below(tx.instructions.len() as u64) as usize;
                mutate_instruction(rng, &mut tx.instructions[i], keys, &other);
            }
            2 if !tx.inner_instructions.is_empty() => {
                let g = rng.below(tx.inner_instructions.len() as u64) as usize;
                let group = &mut tx.inner_instructions[g];
                if rng.below(4) == 0 || group.instructions.is_empty() {
                    group.index = rng.below(256) as u8;
                } else {
                    let i = rng.below(group.instructions.len() as u64) as usize;
                    mutate_instruction(rng, &mut group.instructions[i], keys, &other);
                }
            }
            3 => tx.account_keys.truncate(rng.below(keys as u64 + 1) as usize),
            4 if !tx.post_token_balances.is_empty() => {
                let i = rng.below(tx.post_token_balances.len() as u64) as usize;
                let b = &mut tx.post_token_balances[i];
                b.account_index = rng.below(256) as u8;
                b.amount = rng.next();
            }
            5 => tx.err = if tx.err.is_some() { None } else { Some("InstructionError(0, Custom(1))".into()) },
            _ => {
                // Another transaction's instructions under this one's keys.
                tx.instructions.clone_from(&donor.instructions);
                tx.inner_instructions.clone_from(&donor.inner_instructions);
            }
        }
    }
    tx
}

fn mutate_account(rng: &mut Rng, corpus: &[RawAccount]) -> RawAccount {
    let mut account = pick(rng, corpus).clone();
    let other = pick(rng, corpus).data.clone();
    match rng.below(5) {
        0 => account.owner = *pick(rng, &NOSANA_PROGRAM_IDS),
        1 => account.data.clone_from(&other),
        _ => mutate_bytes(rng, &mut account.data, &other),
    }
    if rng.below(20) == 0 {
        account.lamports = 0;
    }
    account
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_deterministic_and_change_the_input() {
        let mut a = Rng::new(1);
        let mut b = Rng::new(1);
        let base: Vec<u8> = (0..64).collect();
        let (mut x, mut y) = (base.clone(), base.clone());
        mutate_bytes(&mut a, &mut x, &[9; 40]);
        mutate_bytes(&mut b, &mut y, &[9; 40]);
        assert_eq!(x, y);
        let changed = (0..200u64)
            .filter(|s| {
                let mut d = base.clone();
                mutate_bytes(&mut Rng::new(*s), &mut d, &[9; 40]);
                d != base
            })
            .count();
        assert!(changed > 150, "{changed} of 200 mutations changed the bytes");
    }

    #[test]
    fn a_short_run_decodes_mutations_of_a_jobs_instruction_and_a_market_without_panicking() {
        let jobs = NOSANA_PROGRAM_IDS[0];
        let tx = RawTransaction {
            slot: 1,
            index: 0,
            block_time: 1_767_225_600,
            signature: [7; 64],
            account_keys: vec![nosana_layouts::ids::NOS_MINT, jobs],
            num_required_signatures: 1,
            instructions: vec![RawInstruction {
                program_id_index: 1,
                accounts: vec![0, 0, 0],
                data: vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                stack_height: Some(1),
            }],
            inner_instructions: Vec::new(),
            pre_token_balances: Vec::new(),
            post_token_balances: Vec::new(),
            fee: 5000,
            compute_units: None,
            err: None,
        };
        let account = RawAccount {
            pubkey: nosana_layouts::ids::NOS_MINT,
            owner: jobs,
            lamports: 1,
            data: vec![0xAB; 300],
            slot: 1,
            write_version: 1,
            txn_signature: None,
        };
        let out = fuzz(&[tx], &[account], Duration::from_millis(300), 3);
        assert!(out.transactions > 100 && out.accounts > 100, "{out:?}");
        assert_eq!(out.panics, 0, "{out:?}");
    }
}
