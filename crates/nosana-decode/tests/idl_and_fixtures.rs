//! The decoder against the reference material: every instruction of the five IDL files, and
//! the real mainnet jobs, markets and addresses recorded in the fixtures (vendored by
//! nosana-layouts). The fixtures hold identifiers and amounts, not transaction bytes, so the
//! transactions are rebuilt as the 2024 program executed them.

mod support;

use nosana_decode::{FlowKind, JobEventKind, Program, check_balances, decode_transaction};
use nosana_layouts::Pubkey;
use nosana_layouts::cid::cid_to_bytes;
use nosana_layouts::ids::{self, JOBS_PROGRAM_ID, REWARDS_PROGRAM_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
use nosana_layouts::instructions::jobs::JobsInstruction;
use nosana_layouts::instructions::rewards::RewardsInstruction;
use nosana_layouts::pda;
use nosana_layouts::spl::{SystemInstruction, TokenInstruction};
use serde_json::Value;
use support::build::TxBuilder;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../nosana-layouts/tests/fixtures");

fn json(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{path}")).expect("fixture file");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn key(v: &Value) -> Pubkey {
    v.as_str().expect("a base58 string").parse().expect("a pubkey")
}

/// Borsh bytes of a value of IDL type `ty` (zeros; empty strings).
fn zero_value(ty: &Value) -> Vec<u8> {
    match ty {
        Value::String(s) => match s.as_str() {
            "u8" | "bool" => vec![0],
            "u16" => vec![0; 2],
            "u64" | "i64" => vec![0; 8],
            "u128" => vec![0; 16],
            "pubkey" => vec![0; 32],
            "string" => vec![0; 4],
            other => panic!("IDL type {other}"),
        },
        Value::Object(o) if o.contains_key("array") => {
            let a = o["array"].as_array().unwrap();
            zero_value(&a[0]).repeat(a[1].as_u64().unwrap() as usize)
        }
        other => panic!("IDL type {other}"),
    }
}

#[test]
fn every_idl_instruction_decodes_with_the_idl_account_names_in_order() {
    let mut decoded = 0;
    for program in ["nosana_jobs", "nosana_staking", "nosana_rewards", "nosana_pools", "nosana_nodes"] {
        let idl = json(&format!("idl/{program}.json"));
        let program_id = key(&idl["address"]);
        for ix in idl["instructions"].as_array().unwrap() {
            let name = ix["name"].as_str().unwrap();
            let mut data: Vec<u8> =
                ix["discriminator"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect();
            for arg in ix["args"].as_array().unwrap() {
                data.extend(zero_value(&arg["type"]));
            }
            let idl_accounts: Vec<&str> =
                ix["accounts"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
            let keys: Vec<Pubkey> = idl_accounts.iter().map(|_| Pubkey::new_unique()).collect();
            let mut b = TxBuilder::new(0);
            b.top(program_id, &keys, data);
            let d = decode_transaction(&b.build());
            assert!(d.quarantine.is_empty(), "{program}.{name}: {:?}", d.quarantine);
            let got = &d.instructions[0];
            assert_eq!((got.program.name(), got.name), (program, name));
            let expected: Vec<(&str, Pubkey)> = idl_accounts.into_iter().zip(keys).collect();
            assert_eq!(got.accounts, expected, "{program}.{name}");
            let arg_names: Vec<&str> =
                ix["args"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
            let json_names: Vec<&str> = got.args.as_object().unwrap().keys().map(String::as_str).collect();
            let mut sorted = arg_names.clone();
            sorted.sort_unstable();
            assert_eq!(json_names, sorted, "{program}.{name} arguments");
            decoded += 1;
        }
    }
    assert_eq!(decoded, 43);
}

#[test]
fn the_mainnet_singletons_are_the_accounts_the_decoder_sees_in_fee_flows() {
    let a = json("mainnet-addresses.json");
    let pdas = &a["pdas_computed"];
    assert_eq!(key(&pdas["rewards_vault [NOS mint] @rewards"]), pda::rewards_vault().0);
    assert_eq!(key(&pdas["rewards_reflection ['reflection'] @rewards"]), pda::rewards_reflection().0);
    assert_eq!(key(&a["nos_mint"]["address"]), ids::NOS_MINT);
    assert_eq!(Program::of(&key(&a["programs"]["nosana_jobs"])), Some(Program::Jobs));
    assert_eq!(Program::of(&key(&a["programs"]["merkle_distributor_used_by_kit"])), None);
}

/// NOS base units of a decimal NOS amount as the CLI prints it.
fn nos_units(s: &str) -> u64 {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<6}");
    whole.parse::<u64>().unwrap() * 1_000_000 + frac[..6].parse::<u64>().unwrap()
}

/// The July-2024 `list` of a docs job as that program executed it: the legacy 40-byte data,
/// the deposit `price × market.job_timeout` and the fee `price / 10` through `add_fee`
/// (spec §2.6, §2.8).
fn legacy_list(record: &Value, block_time: i64) -> (nosana_decode::RawTransaction, u64, u64) {
    let (job, market, poster) = (key(&record["job"]), key(&record["market"]), key(&record["poster_wallet"]));
    let price = nos_units(record["price_nos_per_s"].as_str().unwrap());
    let deposit = nos_units(record["total_nos_shown"].as_str().unwrap());
    assert_eq!(deposit, price * 7_200, "the CLI total is the deposit of the market's 2-hour timeout");
    let fee = price / 10;
    let ipfs_job = cid_to_bytes(record["ipfs_job_cid"].as_str().unwrap()).unwrap();
    let (run, user, vault) = (Pubkey::new_unique(), pda::nos_ata(&poster), pda::market_vault(&market).0);
    let (reflection, rewards_vault) = (pda::rewards_reflection().0, pda::rewards_vault().0);
    let accounts = [
        job,
        market,
        run,
        user,
        vault,
        poster,
        reflection,
        rewards_vault,
        poster,
        REWARDS_PROGRAM_ID,
        TOKEN_PROGRAM_ID,
        SYSTEM_PROGRAM_ID,
    ];
    let mut b = TxBuilder::new(block_time);
    let top = b.top(JOBS_PROGRAM_ID, &accounts, JobsInstruction::List { ipfs_job, timeout: None }.encode());
    let create = SystemInstruction::CreateAccount { lamports: 2_561_280, space: 232, owner: JOBS_PROGRAM_ID };
    b.inner(top, 2, SYSTEM_PROGRAM_ID, &[poster, job], create.encode());
    b.inner(top, 2, TOKEN_PROGRAM_ID, &[user, vault, poster], TokenInstruction::Transfer { amount: deposit }.encode());
    b.inner(
        top,
        2,
        REWARDS_PROGRAM_ID,
        &[user, reflection, rewards_vault, poster, TOKEN_PROGRAM_ID],
        RewardsInstruction::AddFee { amount: fee }.encode(),
    );
    b.inner(
        top,
        3,
        TOKEN_PROGRAM_ID,
        &[user, rewards_vault, poster],
        TokenInstruction::Transfer { amount: fee }.encode(),
    );
    b.nos_balance(user, poster, 100 * 1_000_000, 100 * 1_000_000 - deposit - fee);
    b.nos_balance(vault, vault, 0, deposit);
    b.nos_balance(rewards_vault, rewards_vault, 5_000_000, 5_000_000 + fee);
    (b.build(), deposit, fee)
}

#[test]
fn the_mainnet_jobs_from_the_docs_decode_as_legacy_lists_with_their_deposit_and_fee() {
    let fixtures = json("mainnet-jobs-from-docs.json");
    let mut checked = 0;
    for record in fixtures["jobs_with_list_tx"].as_array().unwrap().iter().filter(|r| r["market"].is_string()) {
        // July 2024, before list gained its timeout.
        let (tx, deposit, fee) = legacy_list(record, 1_722_365_093);
        let d = decode_transaction(&tx);
        assert!(d.quarantine.is_empty());
        check_balances(&tx, &d).unwrap();
        let e = &d.job_events[0];
        assert_eq!(d.job_events.len(), 1);
        assert_eq!(
            (e.kind, e.job, e.market, e.project, e.payer, e.timeout),
            (
                JobEventKind::List,
                key(&record["job"]),
                key(&record["market"]),
                key(&record["poster_wallet"]),
                key(&record["poster_wallet"]),
                None
            )
        );
        assert_eq!(d.instructions[0].args["ipfs_job"], record["ipfs_job_cid"]);
        let flows: Vec<(FlowKind, u64, Pubkey)> = d.flows.iter().map(|f| (f.kind, f.amount, f.subject)).collect();
        assert_eq!(
            flows,
            [(FlowKind::Deposit, deposit, key(&record["job"])), (FlowKind::Fee, fee, key(&record["job"]))]
        );
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
fn the_finished_docs_jobs_pay_their_node_the_cost_the_cli_printed() {
    let fixtures = json("mainnet-jobs-from-docs.json");
    let mut checked = 0;
    for record in fixtures["jobs_with_list_tx"].as_array().unwrap() {
        let (Some(node), Some(cost), Some(market)) =
            (record["node"].as_str(), record["total_cost_shown"].as_str(), record["market"].as_str())
        else {
            continue;
        };
        let (job, poster, market) =
            (key(&record["job"]), key(&record["poster_wallet"]), market.parse::<Pubkey>().unwrap());
        let node: Pubkey = node.parse().unwrap();
        let cost = nos_units(cost.trim_end_matches(" NOS"));
        let deposit = nos_units(record["total_nos_shown"].as_str().unwrap());
        let (vault, deposit_ata, user) = (pda::market_vault(&market).0, pda::nos_ata(&poster), pda::nos_ata(&node));
        let run = Pubkey::new_unique();
        // The ten accounts of the program of the time (spec §2.4.15: payer, project).
        let accounts = [job, run, market, vault, deposit_ata, user, poster, poster, node, TOKEN_PROGRAM_ID];
        // One docs job printed no result CID; any non-zero digest stands in for it.
        let ipfs_result = record["ipfs_result_cid"].as_str().map_or([1; 32], |c| cid_to_bytes(c).unwrap());
        let mut b = TxBuilder::new(1_722_365_101);
        let top = b.top(JOBS_PROGRAM_ID, &accounts, JobsInstruction::Finish { ipfs_result }.encode());
        b.inner(top, 2, TOKEN_PROGRAM_ID, &[vault, user, vault], TokenInstruction::Transfer { amount: cost }.encode());
        b.inner(
            top,
            2,
            TOKEN_PROGRAM_ID,
            &[vault, deposit_ata, vault],
            TokenInstruction::Transfer { amount: deposit - cost }.encode(),
        );
        b.nos_balance(vault, vault, deposit, 0);
        b.nos_balance(user, node, 0, cost);
        b.nos_balance(deposit_ata, poster, 0, deposit - cost);
        let tx = b.build();
        let d = decode_transaction(&tx);
        check_balances(&tx, &d).unwrap();
        let e = &d.job_events[0];
        assert_eq!((e.kind, e.job, e.node, e.project), (JobEventKind::Finish, job, node, poster));
        if record["ipfs_result_cid"].is_string() {
            assert_eq!(d.instructions[0].args["ipfs_result"], record["ipfs_result_cid"]);
        }
        let flows: Vec<(FlowKind, u64, Pubkey)> = d.flows.iter().map(|f| (f.kind, f.amount, f.wallet)).collect();
        assert_eq!(flows, [(FlowKind::Payout, cost, node), (FlowKind::Refund, deposit - cost, poster)]);
        checked += 1;
    }
    assert_eq!(checked, 6);
}
