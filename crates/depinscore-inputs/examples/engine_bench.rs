//! Engine benchmark: a simulated year of the default world (2,800 nodes, about a million jobs)
//! runs through the reference bank (unsigned: signing is the node's cost, not the engine's),
//! every transaction is decoded by `nosana-decode` into the rows the indexer would store, and
//! the frames are written as Parquet. A fresh process then loads them and times full score
//! recomputes, printing elapsed time and the process's peak memory; then the daily update: a
//! score following the chain up to the last day takes that day's rows and scores again.
//!
//! `cargo run --release -p depinscore-inputs --example engine_bench -- [DAYS] [SECONDS_PER_SLOT] [DIR]`
//! (defaults: 365 days, 300 s slots, `target/engine-bench`). With DIR already holding an export,
//! the simulation is skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use depinscore_engine::frames::{ChainRange, Inputs, SupplyFacts};
use depinscore_engine::{Evidence, HardwareTable, Methodology, Published, Rules};
use depinscore_inputs::{Interner, NOS_MAX_SUPPLY};
use nosana_chain::{Block, BlockTransaction, Signature, Signer};
use nosana_decode::{RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction, decode_transaction};
use nosana_reference::{Clock, CompiledInstruction, Message, TokenBalance, TransactionError, TransactionMeta};
use nosana_sim::{Scenario, Simulation};
use polars::prelude::*;

const METHODOLOGY: &str = include_str!("../../../reports/methodology/v1.toml");
const EVIDENCE: &str = include_str!("../../../reports/evidence/nosana.toml");
const HARDWARE: &str = include_str!("../../../reports/hardware/v1.toml");
const PUBLISHED: &str = include_str!("../../../reports/published/depin-builders-nosana-2026-05-29.toml");

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("--engine") {
        let dir = PathBuf::from(args.next().expect("--engine DIR"));
        engine(&dir);
        return;
    }
    let days: i64 = first.and_then(|a| a.parse().ok()).unwrap_or(365);
    let step: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "target/engine-bench".into()));
    if !dir.join("facts.json").exists() {
        simulate(days, step, &dir);
    }
    // The engine in a fresh process, so its peak memory is its own.
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--engine")
        .arg(&dir)
        .status()
        .expect("re-running the benchmark for the engine");
    std::process::exit(status.code().unwrap_or(1));
}

fn engine(dir: &Path) {
    let t = Instant::now();
    let inputs = depinscore_inputs::import(dir).expect("reading the export");
    let load_s = t.elapsed().as_secs_f64();
    let rss_loaded = peak_rss_mb();
    let methodology = Methodology::parse(METHODOLOGY).unwrap();
    let evidence = Evidence::parse(EVIDENCE).unwrap();
    let hardware = HardwareTable::parse(HARDWARE).unwrap();
    let published = vec![Published::parse(PUBLISHED).unwrap()];
    let rules = Rules {
        methodology: &methodology,
        methodology_text: METHODOLOGY,
        evidence: &evidence,
        evidence_text: EVIDENCE,
        hardware: &hardware,
        published: &published,
        price_source: "simulation",
    };
    let as_of = inputs.chain.last_time;
    let mut times = Vec::new();
    let mut snapshot = None;
    for _ in 0..3 {
        let t = Instant::now();
        snapshot = Some(depinscore_engine::snapshot(&inputs, &rules, as_of).expect("score"));
        times.push(t.elapsed().as_secs_f64());
    }
    let peak_full = peak_rss_mb();
    // The daily update: the score follows the chain up to the start of the last whole day, then
    // takes that day's rows (and the partial day after it) and scores again.
    let day_start = (as_of / 86_400 - 1) * 86_400;
    let before = |df: &DataFrame| df.clone().lazy().filter(col("time").lt(lit(day_start))).collect().unwrap();
    let after = |df: &DataFrame| df.clone().lazy().filter(col("time").gt_eq(lit(day_start))).collect().unwrap();
    let held = Inputs {
        flows: before(&inputs.flows),
        job_events: before(&inputs.job_events),
        chain: ChainRange { last_time: day_start - 1, ..inputs.chain },
        ..inputs.clone()
    };
    let t = Instant::now();
    let max_age = methodology.parameters.price_max_age_s;
    let mut rolling = depinscore_engine::Rolling::new(held, inputs.keys.len(), max_age).expect("following");
    let follow_s = t.elapsed().as_secs_f64();
    let update = depinscore_engine::Update {
        flows: after(&inputs.flows),
        job_events: after(&inputs.job_events),
        keys_kept: inputs.keys.len(),
        new_keys: Vec::new(),
        stable_keys: inputs.keys.len(),
        prices: inputs.prices.clone(),
        nodes: inputs.nodes.clone(),
        markets: inputs.markets.clone(),
        stakes: inputs.stakes.clone(),
        supply: inputs.supply.clone(),
        chain: inputs.chain,
    };
    let day_rows = update.flows.height() + update.job_events.height();
    let t = Instant::now();
    rolling.update(update).expect("the daily update");
    let fold_s = t.elapsed().as_secs_f64();
    let followed = rolling.snapshot(&rules, as_of).expect("the followed score");
    let daily_update_s = t.elapsed().as_secs_f64();
    let s = snapshot.unwrap();
    assert_eq!(followed.id, s.id, "the daily update must give the full recompute's snapshot");
    let m = &s.body.metrics;
    println!(
        "{}",
        serde_json::json!({
            "rows": inputs.row_counts(),
            "addresses": inputs.keys.len() - 1,
            "parquet_load_s": load_s,
            "rss_after_load_mb": rss_loaded,
            "full_recompute_s": times,
            "peak_rss_full_recompute_mb": peak_full,
            "follow_from_scratch_s": follow_s,
            "daily_update_rows": day_rows,
            "daily_update_s": daily_update_s,
            "daily_update_fold_s": fold_s,
            "daily_update_same_snapshot": followed.id == s.id,
            "peak_rss_mb": peak_rss_mb(),
            "composite": s.body.score.composite,
            "active_nodes": m.decentralization.active_nodes,
            "jobs_listed_in_window": m.demand.jobs_listed,
            "arr_usd": m.demand.arr_usd,
        })
    );
}

fn instruction(ix: &CompiledInstruction, stack_height: Option<u32>) -> RawInstruction {
    RawInstruction {
        program_id_index: ix.program_id_index,
        accounts: ix.accounts.clone(),
        data: ix.data.clone(),
        stack_height,
    }
}

fn balance(b: &TokenBalance) -> RawTokenBalance {
    RawTokenBalance { account_index: b.account_index, mint: b.mint, owner: Some(b.owner), amount: b.amount }
}

/// The executed transaction as the indexer's converters would hand it to the decoder.
fn raw(message: &Message, meta: &TransactionMeta, slot: u64, index: u32, block_time: i64) -> RawTransaction {
    RawTransaction {
        slot,
        index,
        block_time,
        signature: [0; 64],
        account_keys: message.account_keys.clone(),
        num_required_signatures: message.header.num_required_signatures,
        instructions: message.instructions.iter().map(|ix| instruction(ix, Some(1))).collect(),
        inner_instructions: meta
            .inner_instructions
            .iter()
            .map(|g| RawInnerInstructions {
                index: g.index,
                instructions: g
                    .instructions
                    .iter()
                    .map(|i| instruction(&i.instruction, Some(i.stack_height)))
                    .collect(),
            })
            .collect(),
        pre_token_balances: meta.pre_token_balances.iter().map(balance).collect(),
        post_token_balances: meta.post_token_balances.iter().map(balance).collect(),
        fee: meta.fee,
        compute_units: Some(meta.compute_units_consumed),
        err: meta.status.as_ref().err().map(|e| e.to_string()),
    }
}

#[derive(Default)]
struct Columns {
    f_time: Vec<i64>,
    f_slot: Vec<u64>,
    f_kind: Vec<&'static str>,
    f_wallet: Vec<u32>,
    f_subject: Vec<u32>,
    f_market: Vec<u32>,
    f_amount: Vec<u64>,
    e_time: Vec<i64>,
    e_slot: Vec<u64>,
    e_kind: Vec<&'static str>,
    e_keys: [Vec<u32>; 6],
}

/// The decoder's kinds serialise as snake_case names; each distinct one is leaked once as a
/// static string for the frame columns.
fn kind_name<T: serde::Serialize + std::fmt::Debug>(
    cache: &mut HashMap<String, &'static str>,
    kind: &T,
) -> &'static str {
    let debug = format!("{kind:?}");
    if let Some(name) = cache.get(&debug) {
        return name;
    }
    let name = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or(debug.clone());
    let name: &'static str = Box::leak(name.into_boxed_str());
    cache.insert(debug, name);
    name
}

fn simulate(days: i64, step: i64, dir: &Path) {
    let t0 = Instant::now();
    let scenario = Scenario::default_scenario();
    let (mut sim, mut bank) = Simulation::new(&scenario, 1).expect("default scenario");
    let mut keys = Interner::default();
    let mut c = Columns::default();
    let mut kinds: HashMap<String, &'static str> = HashMap::new();
    let start = sim.start_time();
    let slots = (days * 86_400 / step) as u64;
    let mut transactions = 0u64;
    for slot in 1..=slots {
        let time = start + slot as i64 * step;
        bank.clock = Clock { slot, unix_timestamp: time };
        let requests = sim.plan_slot(&bank, slot, time);
        let mut included = Vec::with_capacity(requests.len());
        let mut rejected: Vec<(usize, TransactionError)> = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            match bank.execute_instructions(&r.payer.pubkey(), &r.instructions) {
                Ok(tx) => {
                    let index = included.len() as u32;
                    let d = decode_transaction(&raw(&tx.message, &tx.meta, slot, index, time));
                    if tx.meta.status.is_ok() {
                        for f in &d.flows {
                            c.f_kind.push(kind_name(&mut kinds, &f.kind));
                            c.f_time.push(time);
                            c.f_slot.push(slot);
                            c.f_wallet.push(keys.id(&key(&f.wallet)));
                            c.f_subject.push(keys.id(&key(&f.subject)));
                            c.f_market.push(keys.id(&key(&f.market)));
                            c.f_amount.push(f.amount);
                        }
                        for e in &d.job_events {
                            c.e_kind.push(kind_name(&mut kinds, &e.kind));
                            c.e_time.push(time);
                            c.e_slot.push(slot);
                            for (col, k) in
                                c.e_keys.iter_mut().zip([&e.job, &e.run, &e.market, &e.node, &e.project, &e.payer])
                            {
                                col.push(keys.id(&key(k)));
                            }
                        }
                    }
                    transactions += 1;
                    included.push(BlockTransaction {
                        index,
                        request: i,
                        signatures: vec![Signature::default()],
                        version: r.version,
                        message: tx.message,
                        wire: Vec::new(),
                        meta: tx.meta,
                    });
                }
                Err(e) => rejected.push((i, e)),
            }
        }
        let block = Block {
            slot,
            parent_slot: slot - 1,
            blockhash: [0; 32],
            parent_blockhash: [0; 32],
            block_height: slot,
            block_time: time,
            transactions: included,
            account_writes: Vec::new(),
            dead: false,
        };
        sim.observe(&block, &rejected);
        if slot % (30 * 86_400 / step as u64) == 0 {
            eprintln!(
                "day {:>3}: {} transactions, {} flows, {:.0}s",
                slot as i64 * step / 86_400,
                transactions,
                c.f_time.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    }
    let truth = sim.truth();
    let [job, run, market, node, project, payer] = std::mem::take(&mut c.e_keys);
    let flows = df!(
        "time" => c.f_time, "slot" => c.f_slot, "kind" => c.f_kind, "wallet" => c.f_wallet,
        "subject" => c.f_subject, "market" => c.f_market, "amount" => c.f_amount,
    )
    .unwrap();
    let job_events = df!(
        "time" => c.e_time, "slot" => c.e_slot, "kind" => c.e_kind, "job" => job, "run" => run,
        "market" => market, "node" => node, "project" => project, "payer" => payer,
    )
    .unwrap();
    let prices = df!(
        "time" => truth.prices.iter().map(|p| p.time).collect::<Vec<_>>(),
        "usd" => truth.prices.iter().map(|p| p.usd).collect::<Vec<_>>(),
    )
    .unwrap();
    let registered: Vec<_> = truth.nodes.iter().filter(|n| n.registered).collect();
    let nodes = df!(
        "node" => registered.iter().map(|n| keys.id(&n.authority.to_string())).collect::<Vec<u32>>(),
        "market" => registered.iter().map(|n| Some(keys.id(&truth.markets[n.market as usize].address.to_string()))).collect::<Vec<Option<u32>>>(),
        "lat" => registered.iter().map(|n| Some(n.lat)).collect::<Vec<Option<f64>>>(),
        "lng" => registered.iter().map(|n| Some(n.lng)).collect::<Vec<Option<f64>>>(),
        "operator" => registered.iter().map(|n| Some(keys.id(&truth.operators[n.operator as usize]))).collect::<Vec<Option<u32>>>(),
    )
    .unwrap();
    let markets = df!(
        "market" => truth.markets.iter().map(|m| keys.id(&m.address.to_string())).collect::<Vec<u32>>(),
        "tier" => truth.markets.iter().map(|m| m.name.as_str()).collect::<Vec<&str>>(),
    )
    .unwrap();
    let stakes = depinscore_engine::frames::empty_frame(depinscore_engine::frames::STAKES);
    let supply = SupplyFacts {
        max_supply: NOS_MAX_SUPPLY,
        total_supply_now: Some(truth.genesis_supply + truth.totals.minted - truth.totals.burned),
        locked_now: 0,
    };
    let last_time = start + slots as i64 * step;
    let chain = ChainRange { first_slot: 1, last_slot: slots, first_time: start + step, last_time };
    let inputs = Inputs { flows, job_events, prices, nodes, markets, stakes, keys: keys.into_keys(), supply, chain };
    depinscore_inputs::export(&inputs, dir).expect("writing the export");
    eprintln!(
        "simulated {days} days: {} jobs, {transactions} transactions, rows {:?}, {:.0}s",
        truth.totals.jobs_listed,
        inputs.row_counts(),
        t0.elapsed().as_secs_f64()
    );
}

fn key(k: &nosana_layouts::Pubkey) -> String {
    if k.to_bytes() == [0u8; 32] { String::new() } else { k.to_string() }
}
