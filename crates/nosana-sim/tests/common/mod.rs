//! A local executor for tests: runs each planned request on the bank (the real chain signs;
//! signatures do not matter to the bank) and hands `observe` a minimal block.

#![allow(dead_code)]

use nosana_chain::{Block, BlockTransaction, Signature, Signer, TxRequest};
use nosana_reference::{Bank, Clock, TransactionError};
use nosana_sim::{Scenario, Simulation};

/// A small world with a 10 % network fee and payers that need top-ups: 60 nodes over three markets (one open, two gated; the 4090 tier overloaded so
/// queues form), 20 busy stakers, 8 projects, daily burns, hourly cranks, pools rotated every 2 days.
pub const SMALL_WORLD: &str = r#"
[chain]
fee_fraction = 10
[nodes]
count = 60
quit_probability = 0.05
operators = 15
largest_operator_share = 0.25
[projects]
count = 8
initial_nos = 1000.0
topup_below_nos = 500.0
topup_nos = 2000.0
[stakers]
count = 20
reward_claims_per_year = 60.0
topups_per_year = 20.0
extends_per_year = 20.0
unstakes_per_year = 20.0
withdraw_interval_days = 1.0
slashes_per_year = 100.0
[jobs]
rate_scale = 1.0
[treasury]
burn_interval_hours = 24.0
[pools]
rotation_seconds = 172800

[[markets]]
name = "Market 3060"
slug = "nvidia-3060"
mainnet_address = "7AtiXMSH6R1jjBxrcYjehCkkSF7zvYWte63gwEDBcGHq"
kind = "COMMUNITY"
gpu_types = ["NVIDIA GeForce RTX 3060"]
gpu_count = 1
vram_gb = 12
price = 43
job_timeout = 7200
job_expiration = 86400
xnos_minimum_nos = 0
gated = true
node_weight = 2.0
jobs_per_day = 40.0
duration_median_s = 3600.0
duration_sigma = 1.2

[[markets]]
name = "Market 3090"
slug = "nvidia-3090"
mainnet_address = "CA5pMpqkYFKtme7K31pNB1s62X2SdhEv1nN9RdxKCpuQ"
kind = "COMMUNITY"
gpu_types = ["NVIDIA GeForce RTX 3090"]
gpu_count = 1
vram_gb = 24
price = 110
job_timeout = 7200
job_expiration = 86400
xnos_minimum_nos = 1000
gated = false
node_weight = 2.0
jobs_per_day = 40.0
duration_median_s = 3600.0
duration_sigma = 1.2

[[markets]]
name = "Market 4090"
slug = "nvidia-4090"
mainnet_address = "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf"
kind = "PREMIUM"
gpu_types = ["NVIDIA GeForce RTX 4090"]
gpu_count = 1
vram_gb = 24
price = 220
job_timeout = 7200
job_expiration = 86400
xnos_minimum_nos = 2000
gated = true
node_weight = 1.0
jobs_per_day = 160.0
duration_median_s = 3600.0
duration_sigma = 1.2
"#;

pub fn small_world() -> Scenario {
    Scenario::from_toml(SMALL_WORLD).expect("small world parses")
}

/// Plans `slot` at `time`, executes every request on `bank` and lets the simulation observe.
/// Returns the requests that were planned.
pub fn step(sim: &mut Simulation, bank: &mut Bank, slot: u64, time: i64) -> Vec<TxRequest> {
    bank.clock = Clock { slot, unix_timestamp: time };
    let requests = sim.plan_slot(bank, slot, time);
    let mut transactions = Vec::new();
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
    let block = Block {
        slot,
        parent_slot: slot.saturating_sub(1),
        blockhash: [0; 32],
        parent_blockhash: [0; 32],
        block_height: slot,
        block_time: time,
        transactions,
        account_writes: Vec::new(),
        dead: false,
    };
    sim.observe(&block, &rejected);
    requests
}

/// Runs `slots` slots of `seconds` each from genesis; returns every planned request.
pub fn run(sim: &mut Simulation, bank: &mut Bank, slots: u64, seconds: i64) -> Vec<TxRequest> {
    let start = sim.start_time();
    let mut all = Vec::new();
    for slot in 1..=slots {
        all.extend(step(sim, bank, slot, start + slot as i64 * seconds));
    }
    all
}
