//! The decoder against the simulation's ground truth: a world runs through the reference bank
//! and the block producer, every transaction and account write is decoded, and the flows, job
//! events and account states must add up to what the simulation knows happened.

mod support;

use std::collections::BTreeMap;
use std::time::Instant;

use nosana_chain::Block;
use nosana_decode::{
    AccountDecode, FlowKind, JobEventKind, Quarantined, RawAccount, check_balances, decode_account, decode_transaction,
};
use nosana_layouts::Pubkey;
use nosana_sim::truth::{RewardKind, StakeKind, Truth};
use nosana_sim::{JobOutcome, Scenario};

/// What the decoder saw over a run.
#[derive(Default)]
struct Seen {
    transactions: u64,
    failed: u64,
    instructions: u64,
    flows: BTreeMap<FlowKind, u64>,
    flow_counts: BTreeMap<FlowKind, u64>,
    /// Job → kind → sum of flows whose subject is the job.
    per_job: BTreeMap<Pubkey, BTreeMap<FlowKind, u64>>,
    /// Job → wallets its payouts went to.
    payout_wallets: BTreeMap<Pubkey, Vec<Pubkey>>,
    /// Pool → kind → sum.
    per_pool: BTreeMap<Pubkey, BTreeMap<FlowKind, u64>>,
    events: std::collections::HashMap<JobEventKind, u64>,
    balance_errors: Vec<String>,
    flows_of_failed: usize,
    events_of_failed: usize,
    quarantined: Vec<Quarantined>,
    writes: u64,
    write_kinds: BTreeMap<String, u64>,
    write_quarantine: Vec<Quarantined>,
}

impl Seen {
    fn block(&mut self, block: &Block) {
        for tx in &block.transactions {
            let raw = support::from_block(block, tx);
            let d = decode_transaction(&raw);
            self.transactions += 1;
            self.instructions += d.instructions.len() as u64;
            self.quarantined.extend(d.quarantine.iter().cloned());
            if !raw.succeeded() {
                self.failed += 1;
                self.flows_of_failed += d.flows.len();
                self.events_of_failed += d.job_events.len();
                continue;
            }
            if let Err(e) = check_balances(&raw, &d) {
                self.balance_errors.push(e);
            }
            for f in &d.flows {
                *self.flows.entry(f.kind).or_default() += f.amount;
                *self.flow_counts.entry(f.kind).or_default() += 1;
                match f.kind {
                    FlowKind::Deposit | FlowKind::Payout | FlowKind::Refund | FlowKind::Fee => {
                        *self.per_job.entry(f.subject).or_default().entry(f.kind).or_default() += f.amount;
                    }
                    FlowKind::PoolFund | FlowKind::PoolReturn | FlowKind::Emission => {
                        *self.per_pool.entry(f.subject).or_default().entry(f.kind).or_default() += f.amount;
                    }
                    _ => {}
                }
                if f.kind == FlowKind::Payout {
                    self.payout_wallets.entry(f.subject).or_default().push(f.wallet);
                }
            }
            for e in &d.job_events {
                *self.events.entry(e.kind).or_default() += 1;
            }
        }
        for w in &block.account_writes {
            self.writes += 1;
            match decode_account(&support::write(block.slot, w)) {
                AccountDecode::State(s) => {
                    *self
                        .write_kinds
                        .entry(format!("{:?}{}", s.kind, if s.closed { " closed" } else { "" }))
                        .or_default() += 1
                }
                AccountDecode::Quarantine(q) => self.write_quarantine.push(q),
                AccountDecode::Ignored => *self.write_kinds.entry("ignored".into()).or_default() += 1,
            }
        }
    }

    fn sum(&self, kinds: &[FlowKind]) -> u64 {
        kinds.iter().map(|k| self.flows.get(k).copied().unwrap_or(0)).sum()
    }

    fn count(&self, kind: JobEventKind) -> u64 {
        self.events.get(&kind).copied().unwrap_or(0)
    }
}

/// Every decoded total equals the truth's; returns a printable summary.
fn compare(truth: &Truth, seen: &Seen) -> String {
    let t = &truth.totals;
    assert!(
        seen.quarantined.is_empty(),
        "quarantined on a clean chain: {:#?}",
        &seen.quarantined[..seen.quarantined.len().min(5)]
    );
    assert!(
        seen.balance_errors.is_empty(),
        "{} balance mismatches, e.g. {:#?}",
        seen.balance_errors.len(),
        &seen.balance_errors[..seen.balance_errors.len().min(5)]
    );
    assert_eq!(
        (seen.flows_of_failed, seen.events_of_failed),
        (0, 0),
        "failed transactions yield neither flows nor events"
    );
    assert_eq!(seen.transactions, t.transactions_included);
    assert_eq!(seen.failed, t.transactions_failed);

    use FlowKind as F;
    let pairs = [
        ("deposits", seen.sum(&[F::Deposit]), t.deposits),
        ("payouts", seen.sum(&[F::Payout]), t.payouts),
        ("refunds", seen.sum(&[F::Refund]), t.refunds),
        ("network_fees", seen.sum(&[F::Fee]), t.network_fees),
        ("staked", seen.sum(&[F::Stake, F::Topup]), t.staked),
        ("withdrawn", seen.sum(&[F::Withdraw]), t.withdrawn),
        ("slashed", seen.sum(&[F::Slash]), t.slashed),
        ("rewards_claimed", seen.sum(&[F::Claim]), t.rewards_claimed),
        ("emitted", seen.sum(&[F::Emission]), t.emitted),
        ("burned", seen.sum(&[F::Burn]), t.burned),
        ("minted", seen.sum(&[F::Mint]), t.minted),
        ("pools funded", seen.sum(&[F::PoolFund]), truth.pools.iter().map(|p| p.funded).sum()),
        ("pools returned", seen.sum(&[F::PoolReturn]), truth.pools.iter().map(|p| p.returned).sum()),
        ("donations and other", seen.sum(&[F::Donation, F::Other]), 0),
    ];
    for (name, decoded, expected) in pairs {
        assert_eq!(decoded, expected, "{name}");
    }
    let stake_sum = |k: StakeKind| truth.stake_events.iter().filter(|e| e.kind == k).map(|e| e.amount).sum::<u64>();
    assert_eq!(seen.sum(&[F::Stake]), stake_sum(StakeKind::Stake), "stakes");
    assert_eq!(seen.sum(&[F::Topup]), stake_sum(StakeKind::Topup), "topups");
    let claims: u64 = truth.reward_events.iter().filter(|e| e.kind == RewardKind::Claim).map(|e| e.amount).sum();
    assert_eq!(seen.sum(&[F::Claim]), claims, "claims");

    // Per job: the flows whose subject is the job.
    let none = BTreeMap::new();
    for j in &truth.jobs {
        let f = seen.per_job.get(&j.address).unwrap_or(&none);
        let got = |k: FlowKind| f.get(&k).copied().unwrap_or(0);
        assert_eq!(
            (got(F::Deposit), got(F::Payout), got(F::Refund), got(F::Fee)),
            (j.deposit, j.payout, j.refund, j.network_fee),
            "job {} ({:?})",
            j.address,
            j.outcome
        );
        if let Some(node) = j.paid_node.filter(|_| j.payout > 0) {
            let wallet = truth.nodes[node as usize].authority;
            assert_eq!(seen.payout_wallets.get(&j.address), Some(&vec![wallet]), "payout wallet of {}", j.address);
        }
    }
    assert_eq!(seen.per_job.len(), truth.jobs.iter().filter(|j| j.deposit + j.network_fee > 0).count());
    // Per pool: funding, emissions and the return at close.
    for p in &truth.pools {
        let f = seen.per_pool.get(&p.address).unwrap_or(&none);
        let got = |k: FlowKind| f.get(&k).copied().unwrap_or(0);
        assert_eq!((got(F::PoolFund), got(F::PoolReturn)), (p.funded, p.returned), "pool {}", p.address);
    }
    let emitted_by_pool: u64 = truth.emissions.iter().map(|e| e.amount).sum();
    let decoded_by_pool: u64 = seen.per_pool.values().map(|f| f.get(&F::Emission).copied().unwrap_or(0)).sum();
    assert_eq!(decoded_by_pool, emitted_by_pool, "emissions attributed to pools");

    // Job events.
    use JobEventKind as E;
    let jobs = &truth.jobs;
    let count = |f: &dyn Fn(&nosana_sim::truth::JobTruth) -> bool| jobs.iter().filter(|j| f(j)).count() as u64;
    let events = [
        ("list", seen.count(E::List), t.jobs_listed),
        ("finish", seen.count(E::Finish), t.jobs_completed),
        ("end", seen.count(E::End), t.jobs_ended),
        ("delist", seen.count(E::Delist), t.jobs_delisted),
        ("recover", seen.count(E::Recover), t.jobs_recovered),
        ("extend", seen.count(E::Extend), jobs.iter().map(|j| j.extensions as u64).sum()),
        ("quit", seen.count(E::Quit), jobs.iter().map(|j| j.quits as u64).sum()),
        (
            "assign + claim",
            seen.count(E::Assign) + seen.count(E::Claim),
            jobs.iter().map(|j| j.nodes.len() as u64).sum(),
        ),
        (
            "clean",
            seen.count(E::Clean),
            count(&|j| j.cleaned_at.is_some() && !matches!(j.outcome, JobOutcome::Delisted | JobOutcome::Recovered)),
        ),
        ("complete", seen.count(E::Complete), count(&|j| j.outcome == JobOutcome::Ended && j.result_posted)),
    ];
    for (name, decoded, expected) in events {
        assert_eq!(decoded, expected, "{name} events");
    }
    format!(
        "{} txs ({} failed), {} Nosana instructions, {} account writes\nflows {:?}\nflow counts {:?}\nevents {:?}\nwrites {:?}",
        seen.transactions,
        seen.failed,
        seen.instructions,
        seen.writes,
        seen.flows,
        seen.flow_counts,
        seen.events,
        seen.write_kinds
    )
}

/// Every account of the final bank decodes; Nosana and NOS accounts never come back ignored.
fn check_final_accounts(chain: &nosana_chain::Chain, slot: u64) -> BTreeMap<String, u64> {
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for (key, a) in chain.bank().accounts() {
        let raw = RawAccount {
            pubkey: *key,
            owner: a.owner,
            lamports: a.lamports,
            data: a.data.clone(),
            slot,
            write_version: 0,
            txn_signature: None,
        };
        match decode_account(&raw) {
            AccountDecode::State(s) => *kinds.entry(format!("{:?}", s.kind)).or_default() += 1,
            AccountDecode::Quarantine(q) => panic!("account {key} quarantined: {}", q.reason),
            AccountDecode::Ignored => {
                assert!(nosana_decode::Program::of(&a.owner).is_none(), "Nosana account {key} ignored");
            }
        }
    }
    kinds
}

fn slots(default: u64) -> u64 {
    std::env::var("DECODE_SIM_SLOTS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

#[test]
fn the_default_world_decodes_to_its_ground_truth() {
    // 1,500 one-minute slots: the set-up of every market, node and staker, then a day of jobs,
    // claims and cranks (about 16,000 transactions; DECODE_SIM_SLOTS runs longer).
    let t0 = Instant::now();
    let mut seen = Seen::default();
    let n = slots(1_500);
    let (sim, chain) = support::run(&Scenario::default_scenario(), 5, n, 60, |b| seen.block(b));
    let summary = compare(sim.truth(), &seen);
    assert!(seen.write_quarantine.is_empty(), "account writes quarantined: {:?}", &seen.write_quarantine[..1]);
    let kinds = check_final_accounts(&chain, n);
    println!("{summary}\nfinal accounts {kinds:?}\n{:.1}s", t0.elapsed().as_secs_f64());
    for kind in
        [JobEventKind::List, JobEventKind::Assign, JobEventKind::Work, JobEventKind::Finish, JobEventKind::Clean]
    {
        assert!(seen.count(kind) > 0, "no {kind:?} event");
    }
    for kind in [FlowKind::Deposit, FlowKind::Payout, FlowKind::Refund, FlowKind::Stake, FlowKind::Emission] {
        assert!(seen.sum(&[kind]) > 0, "no {kind:?} flow");
    }
}

/// The small world of nosana-sim's end-to-end test (`tests/common/mod.rs`), busier: a 10 %
/// network fee, payers topped up by mints, daily burns, pools rotated every two days and
/// frequent slashes, so every flow kind the simulation produces occurs.
const BUSY_WORLD: &str = r#"
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
slashes_per_year = 200.0
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
gated = false
node_weight = 1.0
jobs_per_day = 160.0
duration_median_s = 3600.0
duration_sigma = 1.2
"#;

#[test]
fn a_busy_world_with_fees_burns_mints_slashes_and_pool_rotations_decodes_to_its_ground_truth() {
    let t0 = Instant::now();
    let scenario = Scenario::from_toml(BUSY_WORLD).expect("busy world parses");
    let mut seen = Seen::default();
    // Ten days in two-minute slots.
    let n = slots(7_200);
    let (sim, chain) = support::run(&scenario, 9, n, 120, |b| seen.block(b));
    let summary = compare(sim.truth(), &seen);
    assert!(seen.write_quarantine.is_empty(), "account writes quarantined: {:?}", &seen.write_quarantine[..1]);
    let kinds = check_final_accounts(&chain, n);
    println!("{summary}\nfinal accounts {kinds:?}\n{:.1}s", t0.elapsed().as_secs_f64());
    use FlowKind as F;
    for kind in [
        F::Deposit,
        F::Payout,
        F::Refund,
        F::Fee,
        F::Stake,
        F::Topup,
        F::Withdraw,
        F::Slash,
        F::Claim,
        F::Emission,
        F::PoolFund,
        F::PoolReturn,
        F::Burn,
        F::Mint,
    ] {
        assert!(seen.sum(&[kind]) > 0, "no {kind:?} flow");
    }
    use JobEventKind as E;
    for kind in [
        E::List,
        E::Assign,
        E::Work,
        E::Finish,
        E::End,
        E::Complete,
        E::Quit,
        E::Claim,
        E::Extend,
        E::Delist,
        E::Recover,
        E::Stop,
        E::Clean,
    ] {
        assert!(seen.count(kind) > 0, "no {kind:?} event");
    }
}
