//! The simulation driver: plans each slot's transactions from due events, arrivals and timers,
//! and learns from each executed block what happened, in execution order, so its mirror of
//! the chain (market queues, runs, stakes) stays exact.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::sync::Arc;

use nosana_chain::{Block, BlockTransaction, Keypair, MessageVersion, TxRequest};
use nosana_reference::{Bank, Instruction, Pubkey, TransactionError};

use crate::error::SimError;
use crate::jobs::JobSim;
use crate::offchain::OffchainData;
use crate::price::PricePath;
use crate::rng::{SimRng, mix64};
use crate::scenario::Scenario;
use crate::treasury::PoolSim;
use crate::truth::{Truth, nos_deltas};
use crate::world::{self, World};

/// Something due at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Event {
    JobFinish { job: u32, epoch: u32 },
    JobQuit { job: u32, epoch: u32 },
    JobEnd { job: u32, epoch: u32 },
    JobExtend { job: u32, epoch: u32 },
    JobDelist { job: u32, epoch: u32 },
    JobRecover { job: u32, epoch: u32 },
    JobComplete { job: u32 },
    JobClean { job: u32 },
    NodeOffline { node: u32, epoch: u32 },
    NodeOnline { node: u32, epoch: u32 },
    NodeRetry { node: u32 },
    StakerAct { staker: u32, epoch: u32 },
}

/// What a planned request is for; read back when the block reports its outcome.
/// `UnknownInstruction` is an outdated client's call the program does not know; it always fails.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    OpenMarket { market: u16 },
    OpenPool { pool: u32 },
    ClosePool { pool: u32 },
    Crank { pool: u32 },
    Burn,
    Mint { payer: u32 },
    NodeSetup { node: u32 },
    StakerSetup { staker: u32 },
    List { job: u32, run: Arc<Keypair> },
    Work { node: u32, run: Arc<Keypair> },
    Claim { node: u32, job: u32, run: Arc<Keypair> },
    Finish { job: u32 },
    End { job: u32 },
    Extend { job: u32, timeout: i64 },
    Delist { job: u32 },
    Recover { job: u32 },
    Quit { job: u32 },
    Complete { job: u32 },
    Stop { node: u32 },
    Clean { jobs: Vec<u32> },
    Staking { staker: u32, op: crate::staking::StakeOp, pool: Option<u32> },
    Slash { staker: u32 },
    UnknownInstruction,
}

impl Action {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Action::OpenMarket { .. } => "open_market",
            Action::OpenPool { .. } => "open_pool",
            Action::ClosePool { .. } => "close_pool",
            Action::Crank { .. } => "crank",
            Action::Burn => "burn",
            Action::UnknownInstruction => "unknown_instruction",
            Action::Mint { .. } => "mint",
            Action::NodeSetup { .. } => "node_setup",
            Action::StakerSetup { .. } => "staker_setup",
            Action::List { .. } => "list",
            Action::Work { .. } => "work",
            Action::Claim { .. } => "claim",
            Action::Finish { .. } => "finish",
            Action::End { .. } => "end",
            Action::Extend { .. } => "extend",
            Action::Delist { .. } => "delist",
            Action::Recover { .. } => "recover",
            Action::Quit { .. } => "quit",
            Action::Complete { .. } => "complete",
            Action::Stop { .. } => "stop",
            Action::Clean { .. } => "clean",
            Action::Staking { op, .. } => op.name(),
            Action::Slash { .. } => "slash",
        }
    }
}

/// Order of the slot's transactions: cheap, conflict-free operations first, so that e.g. a
/// delist runs before a work could pop the job, and stops run before lists could pop the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    Setup = 0,
    Treasury = 1,
    Staking = 2,
    Project = 3,
    Node = 4,
    Work = 5,
    List = 6,
}

const STAGES: usize = 7;

/// Set-up transactions, planned a batch per slot from genesis on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Setup {
    Market(u16),
    Pool,
    Node(u32),
    Staker(u32),
}

/// The outcome of a planned request as [`Simulation::observe`] learns it.
pub(crate) struct Outcome<'a> {
    pub time: i64,
    pub slot: u64,
    /// The executed transaction, if it was included and succeeded.
    pub tx: Option<&'a BlockTransaction>,
}

impl Outcome<'_> {
    /// NOS balance changes of the successful transaction.
    pub fn deltas(&self) -> BTreeMap<Pubkey, i128> {
        self.tx.map(|tx| nos_deltas(&tx.message, &tx.meta)).unwrap_or_default()
    }
}

/// The simulated world: plans each slot's transactions and records what happened.
pub struct Simulation {
    pub(crate) s: Scenario,
    pub(crate) seed: u64,
    pub(crate) w: World,
    pub(crate) rng: SimRng,
    /// Draws of the outdated clients, apart so that turning them on changes no other draw.
    pub(crate) clients_rng: SimRng,
    pub(crate) truth: Truth,
    pub(crate) offchain: OffchainData,
    pub(crate) price: PricePath,
    pub(crate) events: BinaryHeap<Reverse<(i64, u64, Event)>>,
    pub(crate) event_seq: u64,
    pub(crate) now: i64,
    pub(crate) bootstrap: VecDeque<Setup>,
    pub(crate) jobs: BTreeMap<u32, JobSim>,
    pub(crate) next_job: u32,
    pub(crate) job_keys: crate::job_keys::JobKeys,
    pub(crate) to_work: VecDeque<u32>,
    pub(crate) clean_ready: Vec<u32>,
    pub(crate) pools: Vec<PoolSim>,
    pub(crate) next_crank: i64,
    pub(crate) next_rotation: i64,
    pub(crate) next_burn: i64,
    pub(crate) next_slash: i64,
    /// Cumulative arrival rates over open markets, and the markets they belong to.
    pub(crate) arrival_cumulative: Vec<f64>,
    pub(crate) arrival_markets: Vec<u16>,
    /// Markets and payers with per-slot counters to reset (cost follows activity, not size).
    pub(crate) touched_markets: Vec<u16>,
    pub(crate) touched_payers: Vec<u32>,
    out: [Vec<(TxRequest, Action)>; STAGES],
    pending: Vec<Action>,
    tx_counter: u64,
    last_price_day: i64,
}

impl Simulation {
    /// Builds the world; returns it with the genesis bank (NOS mint with our treasury as mint
    /// authority, staking settings with our slash authority, rewards singletons, funded wallets,
    /// access NFTs). Markets, pools and stakes are opened by transactions in the first slots.
    pub fn new(scenario: &Scenario, seed: u64) -> Result<(Simulation, Bank), SimError> {
        scenario.validate()?;
        let (w, bank, truth, mut offchain) = world::build(scenario, seed)?;
        let price = PricePath::new(&scenario.price, scenario.chain.start_time, seed);
        offchain.prices = price.points();
        let mut bootstrap: VecDeque<Setup> = (0..w.markets.len() as u16).map(Setup::Market).collect();
        bootstrap.push_back(Setup::Pool);
        bootstrap.extend((0..w.nodes.len() as u32).map(Setup::Node));
        bootstrap.extend((w.nodes.len() as u32..w.stakers.len() as u32).map(Setup::Staker));
        let start = scenario.chain.start_time;
        let mut sim = Simulation {
            s: scenario.clone(),
            seed,
            w,
            rng: SimRng::new(seed, 0x53_494D),          // "SIM"
            clients_rng: SimRng::new(seed, 0x55_4E_4B), // "UNK"
            truth,
            offchain,
            price,
            events: BinaryHeap::new(),
            event_seq: 0,
            now: start,
            bootstrap,
            jobs: BTreeMap::new(),
            next_job: 0,
            job_keys: crate::job_keys::JobKeys::new(seed),
            to_work: VecDeque::new(),
            clean_ready: Vec::new(),
            pools: Vec::new(),
            next_crank: i64::MAX,
            next_rotation: i64::MAX,
            next_burn: start + (scenario.treasury.burn_interval_hours * 3_600.0) as i64,
            next_slash: i64::MAX,
            arrival_cumulative: Vec::new(),
            arrival_markets: Vec::new(),
            touched_markets: Vec::new(),
            touched_payers: Vec::new(),
            out: Default::default(),
            pending: Vec::new(),
            tx_counter: 0,
            last_price_day: -1,
        };
        sim.schedule_next_slash(start);
        Ok((sim, bank))
    }

    /// Unix time of genesis: the first block's time.
    pub fn start_time(&self) -> i64 {
        self.s.chain.start_time
    }

    /// The scenario this world was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.s
    }

    /// The transactions to include in `slot`, whose block time is `unix_time`. Reads single
    /// accounts from `bank` (balances, stakes), never scans it. Call [`Simulation::observe`]
    /// with the executed block before planning the next slot; a slot planned but never observed
    /// counts as not included.
    pub fn plan_slot(&mut self, bank: &Bank, slot: u64, unix_time: i64) -> Vec<TxRequest> {
        if !self.pending.is_empty() {
            // The last slot was never observed (e.g. the node dropped it): nothing of it is known
            // to have landed, so release everything it held as not included.
            let stale = std::mem::take(&mut self.pending);
            for action in &stale {
                self.truth.totals.transactions_missing += 1;
                self.count_failure(action, "not observed");
                self.apply(action, Outcome { time: self.now, slot, tx: None });
            }
        }
        let from = self.now;
        let t = unix_time.max(self.now);
        self.now = t;
        for m in self.touched_markets.drain(..) {
            let m = &mut self.w.markets[m as usize];
            m.pending_work = 0;
            m.pending_list = 0;
        }
        for p in self.touched_payers.drain(..) {
            self.w.payers[p as usize].slot_spend = 0;
        }
        self.plan_bootstrap(t);
        // Timers first: a pool rotation marks the old pool closing before any claim could crank it.
        self.plan_treasury(bank, t);
        while let Some(Reverse((when, _, _))) = self.events.peek() {
            if *when > t {
                break;
            }
            let Some(Reverse((_, _, event))) = self.events.pop() else { break };
            self.handle_event(bank, event, t);
        }
        self.plan_idle_nodes(t);
        self.plan_arrivals(bank, from, t);
        self.plan_cleans();
        self.plan_unknown_instructions(from, t);

        let mut requests = Vec::new();
        self.pending.clear();
        for stage in self.out.iter_mut() {
            for (req, action) in stage.drain(..) {
                requests.push(req);
                self.pending.push(action);
            }
        }
        self.truth.totals.transactions_planned += requests.len() as u64;
        requests
    }

    /// Learns the outcome of the last planned slot: `block.transactions[i].request` indexes the
    /// planned requests; `rejected` lists those the chain did not include.
    pub fn observe(&mut self, block: &Block, rejected: &[(usize, TransactionError)]) {
        let actions = std::mem::take(&mut self.pending);
        let mut seen = vec![false; actions.len()];
        let (time, slot) = (block.block_time, block.slot);
        self.record_prices(time);
        for tx in &block.transactions {
            let Some(action) = actions.get(tx.request) else { continue };
            seen[tx.request] = true;
            self.truth.totals.transactions_included += 1;
            match &tx.meta.status {
                Ok(()) => {
                    self.truth.totals.transactions_succeeded += 1;
                    self.apply(action, Outcome { time, slot, tx: Some(tx) });
                }
                Err(e) => {
                    self.truth.totals.transactions_failed += 1;
                    self.count_failure(action, &e.to_string());
                    self.apply(action, Outcome { time, slot, tx: None });
                }
            }
        }
        for (i, e) in rejected {
            let Some(action) = actions.get(*i) else { continue };
            if std::mem::replace(&mut seen[*i], true) {
                continue;
            }
            self.truth.totals.transactions_rejected += 1;
            self.count_failure(action, &format!("rejected: {e}"));
            self.apply(action, Outcome { time, slot, tx: None });
        }
        for (i, action) in actions.iter().enumerate() {
            if !seen[i] {
                self.truth.totals.transactions_missing += 1;
                self.count_failure(action, "not included");
                self.apply(action, Outcome { time, slot, tx: None });
            }
        }
    }

    /// What actually happened so far.
    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    /// Node specs, market metadata and price history, as Nosana's backend serves them.
    pub fn offchain(&self) -> &OffchainData {
        &self.offchain
    }

    /// NOS/USD at `unix_time`.
    pub fn nos_usd(&self, unix_time: i64) -> f64 {
        self.price.at(unix_time)
    }

    fn record_prices(&mut self, time: i64) {
        let day = self.price.day_of(time);
        if day > self.last_price_day {
            self.truth.prices = self.price.points_until(time);
            self.last_price_day = day;
        }
    }

    fn count_failure(&mut self, action: &Action, error: &str) {
        *self.truth.totals.failures_by_action.entry(action.name().to_string()).or_default() += 1;
        *self.truth.totals.failures_by_error.entry(error.to_string()).or_default() += 1;
    }

    fn apply(&mut self, action: &Action, o: Outcome<'_>) {
        match action {
            Action::OpenMarket { .. } | Action::NodeSetup { .. } | Action::StakerSetup { .. } => {
                self.apply_setup(action, &o)
            }
            Action::OpenPool { .. }
            | Action::ClosePool { .. }
            | Action::Crank { .. }
            | Action::Burn
            | Action::Mint { .. } => self.apply_treasury(action, &o),
            Action::Staking { .. } | Action::Slash { .. } => self.apply_staking(action, &o),
            // Nothing to learn: it fails, and the failure is counted by action.
            Action::UnknownInstruction => {}
            _ => self.apply_job(action, &o),
        }
    }

    /// Queues `event` at `time`.
    pub(crate) fn schedule(&mut self, time: i64, event: Event) {
        self.event_seq += 1;
        self.events.push(Reverse((time, self.event_seq, event)));
    }

    fn handle_event(&mut self, bank: &Bank, event: Event, t: i64) {
        match event {
            Event::NodeOffline { node, epoch } => self.node_offline(node, epoch, t),
            Event::NodeOnline { node, epoch } => self.node_online(node, epoch, t),
            Event::NodeRetry { node } => self.node_retry(node),
            Event::StakerAct { staker, epoch } => self.staker_act(bank, staker, epoch, t),
            _ => self.job_event(bank, event, t),
        }
    }

    /// Adds a transaction to the slot being planned. `payer` pays the fee and signs first;
    /// `signers` are the other keypairs the instructions need.
    pub(crate) fn push(
        &mut self,
        stage: Stage,
        payer: &Arc<Keypair>,
        signers: Vec<Arc<Keypair>>,
        instructions: Vec<Instruction>,
        action: Action,
    ) {
        self.tx_counter += 1;
        let draw = mix64(self.seed ^ mix64(self.tx_counter)) >> 11;
        let v0 = (draw as f64) < self.s.chain.v0_fraction * (1u64 << 53) as f64;
        let version = if v0 { MessageVersion::V0 } else { MessageVersion::Legacy };
        let req = TxRequest { payer: payer.clone(), signers, instructions, version };
        self.out[stage as usize].push((req, action));
    }

    fn plan_bootstrap(&mut self, t: i64) {
        let mut budget = self.s.chain.bootstrap_tx_per_slot;
        while budget > 0 {
            let Some(setup) = self.bootstrap.pop_front() else { break };
            budget -= 1;
            match setup {
                Setup::Market(m) => self.plan_open_market(m),
                Setup::Pool => self.plan_open_pool(t, t),
                Setup::Node(n) => self.plan_node_setup(n),
                Setup::Staker(s) => self.plan_staker_setup(s),
            }
        }
    }
}
