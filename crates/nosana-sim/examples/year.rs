//! Timing check: plans and executes a simulated year (or `DAYS`) of the default world in large
//! time steps through the reference bank, and prints jobs, transactions and elapsed seconds.
//!
//! `cargo run --release -p nosana-sim --example year -- [DAYS] [SECONDS_PER_SLOT]`

use std::time::{Duration, Instant};

use nosana_chain::{Block, BlockTransaction, Signature, Signer};
use nosana_reference::{Clock, TransactionError};
use nosana_sim::{Scenario, Simulation};

fn main() {
    let mut args = std::env::args().skip(1);
    let days: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(365);
    let step: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);

    let t0 = Instant::now();
    let scenario = Scenario::default_scenario();
    let (mut sim, mut bank) = match Simulation::new(&scenario, 1) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let genesis = t0.elapsed();
    println!(
        "world: {} nodes, {} markets, {} operators, {} pure stakers, {} projects; genesis {:.2}s",
        sim.truth().nodes.len(),
        sim.truth().markets.len(),
        sim.truth().operators.len(),
        scenario.stakers.count,
        sim.truth().projects.len(),
        genesis.as_secs_f64()
    );

    let (mut plan, mut exec) = (Duration::ZERO, Duration::ZERO);
    let start = sim.start_time();
    let slots = (days * 86_400 / step) as u64;
    for slot in 1..=slots {
        let time = start + slot as i64 * step;
        bank.clock = Clock { slot, unix_timestamp: time };
        let t = Instant::now();
        let requests = sim.plan_slot(&bank, slot, time);
        plan += t.elapsed();
        let t = Instant::now();
        let mut transactions = Vec::with_capacity(requests.len());
        let mut rejected: Vec<(usize, TransactionError)> = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            match bank.execute_instructions(&r.payer.pubkey(), &r.instructions) {
                Ok(tx) => transactions.push(BlockTransaction {
                    index: transactions.len() as u32,
                    request: i,
                    signatures: vec![Signature::default()],
                    version: r.version,
                    message: tx.message,
                    wire: Vec::new(),
                    meta: tx.meta,
                }),
                Err(e) => rejected.push((i, e)),
            }
        }
        exec += t.elapsed();
        let block = Block {
            slot,
            parent_slot: slot - 1,
            blockhash: [0; 32],
            parent_blockhash: [0; 32],
            block_height: slot,
            block_time: time,
            transactions,
            account_writes: Vec::new(),
            dead: false,
        };
        let t = Instant::now();
        sim.observe(&block, &rejected);
        plan += t.elapsed();
        if slot % (30 * 86_400 / step as u64) == 0 {
            let tot = &sim.truth().totals;
            println!(
                "day {:>3}: jobs {:>8} txs {:>9} failed {:>6}  plan+observe {:>6.1}s execute {:>6.1}s",
                slot as i64 * step / 86_400,
                tot.jobs_listed,
                tot.transactions_planned,
                tot.transactions_failed + tot.transactions_rejected,
                plan.as_secs_f64(),
                exec.as_secs_f64()
            );
        }
    }
    let t = sim.truth();
    let tot = &t.totals;
    println!("---");
    println!("simulated days        {days} ({slots} slots of {step}s)");
    println!("jobs listed           {}", tot.jobs_listed);
    println!("  completed / ended   {} / {}", tot.jobs_completed, tot.jobs_ended);
    println!("  delisted / recovered {} / {}", tot.jobs_delisted, tot.jobs_recovered);
    println!("  held back arrivals  {}", tot.arrivals_held_back);
    println!("transactions planned  {}", tot.transactions_planned);
    println!("  succeeded           {}", tot.transactions_succeeded);
    println!("  failed / rejected   {} / {}", tot.transactions_failed, tot.transactions_rejected);
    println!("  failures by action  {:?}", tot.failures_by_action);
    println!("  failures by error   {:?}", tot.failures_by_error);
    println!("stake events          {}", t.stake_events.len());
    println!("reward events         {}", t.reward_events.len());
    println!("emissions / burns / mints {} / {} / {}", t.emissions.len(), t.burns.len(), t.mints.len());
    println!("NOS paid to nodes     {:.0}", tot.payouts as f64 / 1e6);
    println!(
        "elapsed: plan+observe {:.1}s, execute {:.1}s, total {:.1}s",
        plan.as_secs_f64(),
        exec.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
}
