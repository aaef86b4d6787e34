//! The producer loop: each slot, the simulation plans transactions, the chain signs and
//! executes them, the ledger stores the block and the servers hear about it, followed by the
//! statuses the commitment tracker releases. Fault knobs inject dead forks, duplicated
//! replays, corrupted account data and delayed commitment into what is served.

use std::sync::Arc;
use std::time::{Duration, Instant};

use nosana_chain::{Block, CommitmentTracker, Lags, SlotStatus};
use nosana_sim::Simulation;
use serde::Serialize;
use solana_pubkey::Pubkey;

use crate::events::{EventSender, NodeEvent};
use crate::ledger::Ledger;
use crate::state::SharedChain;

/// How slots are produced.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DriverConfig {
    /// Wall-clock milliseconds per slot in real-time mode.
    pub slot_ms: u64,
    /// Produce slots as fast as possible; block time advances by `fast_seconds_per_slot`.
    pub fast: bool,
    /// Block-time seconds per slot in fast mode (0.4 × the compression factor).
    pub fast_seconds_per_slot: f64,
    /// History, then live: slots up to this one are produced as fast as possible with fast
    /// block time; later slots advance block time by `slot_ms` and are paced in real time.
    /// Block time stays a function of the slot alone, so a rerun gives the same blocks.
    pub live_after: Option<u64>,
    /// With `live_after`: also produce the live slots up to this one without pacing (a rerun
    /// catching up to where its follower already is).
    pub catch_up_to: u64,
    /// Stop after this slot (inclusive).
    pub until_slot: Option<u64>,
    /// The first slot after genesis.
    pub first_slot: u64,
    /// Every N slots one slot is skipped (no block).
    pub skip_every: Option<u64>,
    /// Commitment lags.
    pub lags: Lags,
    /// Faults: every N slots a forked block that dies.
    pub dead_every: Option<u64>,
    /// Faults: every N slots the last `replay_depth` blocks are announced again.
    pub duplicate_every: Option<u64>,
    pub replay_depth: u64,
    /// Faults: fraction of account writes of Nosana programs whose served data is corrupted.
    pub corrupt_fraction: f64,
    /// Faults: extra slots before confirmed/finalized statuses are released.
    pub commitment_delay: u64,
    /// When the run reaches `until_slot`: confirm and finalize every pending slot, as a
    /// cluster that stopped growing would, so a follower can commit the whole run.
    pub settle_at_end: bool,
}

impl DriverConfig {
    /// Solana's slot length.
    pub const DEFAULT_SLOT_MS: u64 = 400;
}

impl Default for DriverConfig {
    fn default() -> Self {
        DriverConfig {
            slot_ms: Self::DEFAULT_SLOT_MS,
            fast: false,
            fast_seconds_per_slot: 400.0,
            live_after: None,
            catch_up_to: 0,
            until_slot: None,
            first_slot: 1,
            skip_every: Some(23),
            lags: Lags::default(),
            dead_every: None,
            duplicate_every: None,
            replay_depth: 3,
            corrupt_fraction: 0.0,
            commitment_delay: 0,
            settle_at_end: true,
        }
    }
}

/// What a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DriverSummary {
    pub first_slot: u64,
    pub last_slot: u64,
    pub blocks: u64,
    pub dead_blocks: u64,
    pub transactions: u64,
    pub failed_transactions: u64,
    pub rejected_requests: u64,
    pub elapsed_ms: u64,
    /// Faults: accounts whose last write in a canonical block was served corrupted, as
    /// `(slot, account)`; an indexer must quarantine exactly these.
    #[serde(skip)]
    pub corrupted_accounts: Vec<(u64, Pubkey)>,
    /// Faults: slots whose (forked) block died; an indexer must commit nothing of them.
    #[serde(skip)]
    pub dead_slots: Vec<u64>,
}

/// Runs the chain until `until_slot` or until `stop` is set. Synchronous and CPU-bound: run it
/// on its own thread.
pub fn run(
    sim: &mut Simulation,
    chain: &SharedChain,
    ledger: &Ledger,
    events: &EventSender,
    config: &DriverConfig,
    stop: &std::sync::atomic::AtomicBool,
) -> DriverSummary {
    let started = Instant::now();
    let start_time = sim.start_time();
    let mut tracker = CommitmentTracker::new(config.lags);
    let mut delayed: Vec<(u64, u64, SlotStatus)> = Vec::new();
    let mut summary = DriverSummary { first_slot: config.first_slot, ..Default::default() };
    let mut slot = config.first_slot;
    let mut produced: u64 = 0;
    // Real-time pacing counts the slots produced since it began.
    let mut paced: Option<(Instant, u64)> = None;
    let publish = |event: NodeEvent| {
        // No subscriber is not an error.
        let _ = events.send(event);
    };
    while !stop.load(std::sync::atomic::Ordering::Relaxed) && config.until_slot.is_none_or(|end| slot <= end) {
        if config.skip_every.is_some_and(|n| n > 0 && slot.is_multiple_of(n)) {
            slot += 1;
            continue;
        }
        let unix_time = block_time(config, start_time, slot);
        let requests = {
            let guard = chain.read().unwrap_or_else(|p| p.into_inner());
            sim.plan_slot(guard.bank(), slot, unix_time)
        };
        if config.dead_every.is_some_and(|n| n > 0 && produced > 0 && produced.is_multiple_of(n)) {
            let (dead, _) = chain.write().unwrap_or_else(|p| p.into_inner()).produce_dead(slot, unix_time, &requests);
            let dead = Arc::new(dead);
            ledger.insert_block(dead.clone());
            publish(NodeEvent::Block(dead));
            for (s, status) in tracker.dead(slot, "fork abandoned (fault injection)") {
                ledger.set_status(s, &status);
                publish(NodeEvent::Status { slot: s, parent: Some(ledger.head().unwrap_or(0)), status });
            }
            summary.dead_blocks += 1;
            summary.dead_slots.push(slot);
            metrics::counter!("nosana_node_dead_blocks_total").increment(1);
            slot += 1;
            if config.until_slot.is_some_and(|end| slot > end) {
                break;
            }
        }
        let unix_time = block_time(config, start_time, slot);
        let (block, rejected) = chain.write().unwrap_or_else(|p| p.into_inner()).produce(slot, unix_time, &requests);
        sim.observe(&block, &rejected);
        summary.transactions += block.transactions.len() as u64;
        summary.failed_transactions += block.transactions.iter().filter(|t| !t.succeeded()).count() as u64;
        summary.rejected_requests += rejected.len() as u64;
        let parent = block.parent_slot;
        let (block, corrupted) = corrupt(block, config.corrupt_fraction);
        summary.corrupted_accounts.extend(corrupted.into_iter().map(|k| (slot, k)));
        let block = Arc::new(block);
        ledger.insert_block(block.clone());
        publish(NodeEvent::Block(block));
        for (s, status) in tracker.produced(slot) {
            if config.commitment_delay > 0 && status != SlotStatus::Processed {
                delayed.push((slot + config.commitment_delay, s, status));
            } else {
                ledger.set_status(s, &status);
                let parent = if s == slot { Some(parent) } else { ledger.header(s).map(|h| h.parent_slot) };
                publish(NodeEvent::Status { slot: s, parent, status });
            }
        }
        let due: Vec<_> = delayed.iter().filter(|(at, _, _)| *at <= slot).cloned().collect();
        delayed.retain(|(at, _, _)| *at > slot);
        for (_, s, status) in due {
            ledger.set_status(s, &status);
            publish(NodeEvent::Status { slot: s, parent: ledger.header(s).map(|h| h.parent_slot), status });
        }
        produced += 1;
        summary.blocks += 1;
        summary.last_slot = slot;
        record_block(&summary);
        if config.duplicate_every.is_some_and(|n| n > 0 && produced.is_multiple_of(n)) {
            let from = slot.saturating_sub(config.replay_depth.saturating_sub(1));
            if let Ok(replayed) = ledger.replay_from(from) {
                replayed.into_iter().for_each(publish);
            }
        }
        if is_paced(config, slot) {
            let (since, count) = paced.get_or_insert_with(|| (Instant::now(), 0));
            *count += 1;
            let due = Duration::from_millis(config.slot_ms * *count);
            if let Some(wait) = due.checked_sub(since.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        slot += 1;
    }
    if config.settle_at_end && !stop.load(std::sync::atomic::Ordering::Relaxed) {
        // The run reached its last slot: release every delayed and pending status so that a
        // follower at any commitment sees the whole run.
        delayed.sort_by_key(|(at, _, _)| *at);
        for (_, s, status) in delayed.drain(..).chain(tracker.settle().into_iter().map(|(s, st)| (0, s, st))) {
            ledger.set_status(s, &status);
            publish(NodeEvent::Status { slot: s, parent: ledger.header(s).map(|h| h.parent_slot), status });
        }
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    summary
}

/// Block time of `slot`: real time advances 0.4 s (slot_ms) per slot, fast mode by
/// `fast_seconds_per_slot`; with `live_after`, fast through that slot and real after it.
pub fn block_time(config: &DriverConfig, start_time: i64, slot: u64) -> i64 {
    let real = config.slot_ms as f64 / 1000.0;
    let n = |s: u64| s.saturating_sub(config.first_slot) as f64;
    let seconds = match config.live_after {
        Some(h) if slot > h => n(h) * config.fast_seconds_per_slot + (slot - h) as f64 * real,
        Some(_) => n(slot) * config.fast_seconds_per_slot,
        None if config.fast => n(slot) * config.fast_seconds_per_slot,
        None => n(slot) * real,
    };
    start_time + seconds as i64
}

/// The node's Prometheus metrics after a block: totals so far and the head.
fn record_block(summary: &DriverSummary) {
    metrics::gauge!("nosana_node_head_slot").set(summary.last_slot as f64);
    metrics::gauge!("nosana_node_blocks").set(summary.blocks as f64);
    metrics::gauge!("nosana_node_transactions").set(summary.transactions as f64);
    metrics::gauge!("nosana_node_failed_transactions").set(summary.failed_transactions as f64);
    metrics::gauge!("nosana_node_rejected_requests").set(summary.rejected_requests as f64);
}

/// Whether producing `slot` waits for real time.
fn is_paced(config: &DriverConfig, slot: u64) -> bool {
    if config.fast {
        return false;
    }
    config.live_after.is_none_or(|h| slot > h.max(config.catch_up_to))
}

/// Corrupts the served copy of a fraction of Nosana program account writes (the bank keeps the
/// real data, so JSON-RPC still answers truthfully): the discriminator is overwritten, or the
/// data truncated inside its fixed fields; either way no decoder can read it. Deterministic in slot and write version. Also returns the accounts whose
/// last write in the block is corrupted (what a follower keeping the last write sees).
fn corrupt(mut block: Block, fraction: f64) -> (Block, Vec<Pubkey>) {
    if fraction <= 0.0 {
        return (block, Vec::new());
    }
    let mut last: std::collections::BTreeMap<Pubkey, bool> = std::collections::BTreeMap::new();
    for write in &mut block.account_writes {
        last.insert(write.pubkey, false);
        // A closing write (no lamports left) reads as closed whatever its data: not corrupted.
        let closing = write.account.lamports == 0 || write.account.data.is_empty();
        if !nosana_layouts::ids::NOSANA_PROGRAM_IDS.contains(&write.account.owner) || closing {
            continue;
        }
        let h = write.write_version.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ block.slot;
        if (h % 10_000) as f64 >= fraction * 10_000.0 {
            continue;
        }
        if h.is_multiple_of(2) {
            let n = write.account.data.len().min(8);
            write.account.data[..n].fill(0xAB);
        } else {
            // Inside the fixed fields of every account kind (the discriminator and 4 bytes), so
            // no prefix of a large account (a market with room for its queue) still decodes.
            let keep = (write.account.data.len() / 3).min(12);
            write.account.data.truncate(keep);
        }
        last.insert(write.pubkey, true);
    }
    let corrupted = last.into_iter().filter(|(_, c)| *c).map(|(k, _)| k).collect();
    (block, corrupted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nosana_chain::Chain;
    use nosana_chain::Commitment;
    use nosana_sim::Scenario;
    use std::sync::RwLock;
    use std::sync::atomic::AtomicBool;

    fn small_world() -> (Simulation, SharedChain) {
        let scenario = Scenario::from_toml(
            "[nodes]\ncount = 60\noperators = 15\nlargest_operator_share = 0.25\n\
             [projects]\ncount = 8\n[stakers]\ncount = 10\n",
        )
        .unwrap();
        let (sim, bank) = Simulation::new(&scenario, 3).unwrap();
        (sim, Arc::new(RwLock::new(Chain::new(bank, 0))))
    }

    fn fast(until: u64) -> DriverConfig {
        DriverConfig { fast: true, fast_seconds_per_slot: 60.0, until_slot: Some(until), ..Default::default() }
    }

    #[test]
    fn a_fast_run_produces_linked_blocks_and_commitment() {
        let (mut sim, chain) = small_world();
        let ledger = Ledger::new(Default::default());
        let (tx, mut rx) = tokio::sync::broadcast::channel(100_000);
        let config = DriverConfig { settle_at_end: false, ..fast(200) };
        let summary = run(&mut sim, &chain, &ledger, &tx, &config, &AtomicBool::new(false));
        assert!(summary.transactions > 0, "{summary:?}");
        assert_eq!(summary.failed_transactions, 0, "{summary:?}");
        let head = ledger.head().unwrap();
        assert_eq!(ledger.latest(Commitment::Processed), Some(head));
        assert!(ledger.latest(Commitment::Finalized).unwrap() < ledger.latest(Commitment::Confirmed).unwrap());
        // Slot 23 is skipped: 22's child is 24.
        assert_eq!(ledger.block(24).unwrap().parent_slot, 22);
        assert!(ledger.block(23).is_none());
        // Every block is announced before its statuses.
        let mut seen_blocks = std::collections::BTreeSet::new();
        while let Ok(event) = rx.try_recv() {
            match event {
                NodeEvent::Block(b) => {
                    seen_blocks.insert(b.slot);
                }
                NodeEvent::Status { slot, .. } => assert!(seen_blocks.contains(&slot), "status before block {slot}"),
            }
        }
        assert_eq!(seen_blocks.len() as u64, summary.blocks);
        assert_eq!(sim.truth().totals.transactions_included, summary.transactions);
    }

    #[test]
    fn blocks_that_left_the_replay_window_thaw_to_what_was_produced_without_their_writes() {
        let (mut sim, chain) = small_world();
        let ledger = Ledger::new(crate::ledger::LedgerConfig { replay_slots: 20, history_slots: None });
        let (tx, mut rx) = tokio::sync::broadcast::channel(100_000);
        run(&mut sim, &chain, &ledger, &tx, &fast(200), &AtomicBool::new(false));
        let mut produced = Vec::new();
        while let Ok(event) = rx.try_recv() {
            if let NodeEvent::Block(b) = event {
                produced.push(b);
            }
        }
        let first_whole = ledger.first_available().unwrap();
        assert!(first_whole > 150, "{first_whole}");
        assert!(ledger.frozen_bytes() > 0);
        let mut frozen_transactions = 0;
        for original in &produced {
            let stored = ledger.block(original.slot).unwrap();
            if original.slot < first_whole {
                frozen_transactions += stored.transactions.len();
                assert_eq!(*stored, Block { account_writes: Vec::new(), ..(**original).clone() }, "{}", original.slot);
            } else {
                assert_eq!(stored, *original);
            }
            let header = ledger.header(original.slot).unwrap();
            assert_eq!(
                (header.parent_slot, header.blockhash, header.block_height),
                (original.parent_slot, original.blockhash, original.block_height)
            );
        }
        assert!(frozen_transactions > 100, "{frozen_transactions}");
        // A frozen transaction is found by signature, thawed with its wire bytes.
        let old = produced.iter().find(|b| b.slot < first_whole && !b.dead && !b.transactions.is_empty()).unwrap();
        let (block, index) = ledger.transaction(old.transactions[0].signature()).unwrap();
        assert_eq!(block.transactions[index].wire, old.transactions[0].wire);
    }

    #[test]
    fn the_same_seed_gives_the_same_blocks() {
        let blocks = || {
            let (mut sim, chain) = small_world();
            let ledger = Ledger::new(Default::default());
            let (tx, _rx) = tokio::sync::broadcast::channel(16);
            run(&mut sim, &chain, &ledger, &tx, &fast(60), &AtomicBool::new(false));
            (1..=60).filter_map(|s| ledger.block(s)).map(|b| (b.blockhash, b.transactions.len())).collect::<Vec<_>>()
        };
        assert_eq!(blocks(), blocks());
    }

    #[test]
    fn history_then_live_keeps_fast_time_through_the_history_and_real_time_after() {
        let config = DriverConfig { live_after: Some(101), fast_seconds_per_slot: 400.0, ..Default::default() };
        assert_eq!(block_time(&config, 1_000, 1), 1_000);
        assert_eq!(block_time(&config, 1_000, 101), 1_000 + 100 * 400);
        // 0.4 s per live slot: five slots make two seconds.
        assert_eq!(block_time(&config, 1_000, 106), 1_000 + 100 * 400 + 2);
        assert!(!is_paced(&config, 101));
        assert!(is_paced(&config, 102));
        let catching_up = DriverConfig { catch_up_to: 150, ..config.clone() };
        assert!(!is_paced(&catching_up, 150));
        assert!(is_paced(&catching_up, 151));
        assert!(!is_paced(&DriverConfig { fast: true, ..config }, 500));
    }

    #[test]
    fn a_rerun_that_catches_up_produces_the_blocks_the_paced_run_produced() {
        let blocks = |catch_up_to: u64| {
            let (mut sim, chain) = small_world();
            let ledger = Ledger::new(Default::default());
            let (tx, _rx) = tokio::sync::broadcast::channel(100_000);
            let config = DriverConfig {
                fast_seconds_per_slot: 60.0,
                live_after: Some(40),
                catch_up_to,
                slot_ms: 2,
                until_slot: Some(60),
                ..Default::default()
            };
            run(&mut sim, &chain, &ledger, &tx, &config, &AtomicBool::new(false));
            (1..=60).filter_map(|s| ledger.block(s)).map(|b| (b.blockhash, b.block_time)).collect::<Vec<_>>()
        };
        let paced = blocks(0);
        assert!(paced.len() > 50);
        assert_eq!(paced, blocks(60));
    }

    #[test]
    fn dead_forks_never_confirm_and_their_transactions_land_in_the_next_slot() {
        let (mut sim, chain) = small_world();
        let ledger = Ledger::new(Default::default());
        let (tx, _rx) = tokio::sync::broadcast::channel(16);
        let config = DriverConfig { dead_every: Some(10), ..fast(150) };
        let summary = run(&mut sim, &chain, &ledger, &tx, &config, &AtomicBool::new(false));
        assert!(summary.dead_blocks >= 10, "{summary:?}");
        let dead: Vec<u64> = (0..=150).filter(|s| ledger.slot_state(*s).is_some_and(|st| st.dead)).collect();
        assert_eq!(dead.len() as u64, summary.dead_blocks);
        for s in dead {
            assert!(ledger.slot_state(s).unwrap().commitment <= Some(Commitment::Processed));
            let next = ledger.block(s + 1).expect("the canonical slot after a dead one");
            assert_ne!(next.parent_slot, s);
        }
        assert_eq!(summary.failed_transactions, 0);
    }

    #[test]
    fn corruption_touches_only_the_served_copy_of_nosana_accounts() {
        let go = |fraction: f64| {
            let (mut sim, chain) = small_world();
            let ledger = Ledger::new(Default::default());
            let (tx, _rx) = tokio::sync::broadcast::channel(16);
            let config = DriverConfig { corrupt_fraction: fraction, ..fast(80) };
            let summary = run(&mut sim, &chain, &ledger, &tx, &config, &AtomicBool::new(false));
            let writes: Vec<(u64, nosana_chain::AccountWrite)> = (0..=80)
                .filter_map(|s| ledger.block(s))
                .flat_map(|b| b.account_writes.iter().map(|w| (b.slot, w.clone())).collect::<Vec<_>>())
                .collect();
            let bank = chain.read().unwrap().bank().accounts().clone();
            (writes, bank, summary.corrupted_accounts)
        };
        let (clean, clean_bank, none) = go(0.0);
        let (served, bank, mut reported) = go(0.5);
        assert_eq!(bank, clean_bank, "the bank never sees the corruption");
        assert_eq!(clean.len(), served.len());
        let differing: Vec<_> = clean.iter().zip(&served).filter(|(a, b)| a != b).collect();
        assert!(!differing.is_empty());
        for ((_, real), (_, bad)) in differing {
            assert!(nosana_layouts::ids::NOSANA_PROGRAM_IDS.contains(&real.account.owner));
            assert_eq!((real.pubkey, real.write_version), (bad.pubkey, bad.write_version));
        }
        // Reported: exactly the accounts whose last write in a block was served corrupted.
        assert!(none.is_empty());
        let mut last_differs = std::collections::BTreeMap::new();
        for ((slot, real), (_, bad)) in clean.iter().zip(&served) {
            last_differs.insert((*slot, real.pubkey), real != bad);
        }
        let expected: Vec<_> = last_differs.into_iter().filter(|(_, d)| *d).map(|(k, _)| k).collect();
        reported.sort();
        assert!(!expected.is_empty());
        assert_eq!(reported, expected);
    }

    #[test]
    fn duplicated_replays_announce_recent_blocks_again() {
        let (mut sim, chain) = small_world();
        let ledger = Ledger::new(Default::default());
        let (tx, mut rx) = tokio::sync::broadcast::channel(100_000);
        let config = DriverConfig { duplicate_every: Some(5), replay_depth: 3, ..fast(60) };
        let summary = run(&mut sim, &chain, &ledger, &tx, &config, &AtomicBool::new(false));
        let mut announced = std::collections::BTreeMap::<u64, u32>::new();
        while let Ok(event) = rx.try_recv() {
            if let NodeEvent::Block(b) = event {
                *announced.entry(b.slot).or_default() += 1;
            }
        }
        assert_eq!(announced.len() as u64, summary.blocks);
        assert!(announced.values().any(|n| *n > 1), "some blocks were announced more than once");
    }

    #[test]
    fn a_run_that_reaches_its_last_slot_settles_every_status() {
        let (mut sim, chain) = small_world();
        let ledger = Ledger::new(Default::default());
        let (tx, _rx) = tokio::sync::broadcast::channel(16);
        let config = DriverConfig { commitment_delay: 5, ..fast(100) };
        run(&mut sim, &chain, &ledger, &tx, &config, &AtomicBool::new(false));
        let head = ledger.latest(Commitment::Processed);
        assert_eq!(ledger.latest(Commitment::Confirmed), head);
        assert_eq!(ledger.latest(Commitment::Finalized), head);
    }

    #[test]
    fn delayed_commitment_holds_back_confirmations() {
        let go = |delay: u64| {
            let (mut sim, chain) = small_world();
            let ledger = Ledger::new(Default::default());
            let (tx, _rx) = tokio::sync::broadcast::channel(16);
            let config = DriverConfig { commitment_delay: delay, settle_at_end: false, ..fast(100) };
            run(&mut sim, &chain, &ledger, &tx, &config, &AtomicBool::new(false));
            (ledger.latest(Commitment::Processed).unwrap(), ledger.latest(Commitment::Confirmed).unwrap())
        };
        let (head, confirmed) = go(0);
        let (delayed_head, delayed_confirmed) = go(10);
        assert_eq!(head, delayed_head);
        assert!(delayed_confirmed + 8 <= confirmed, "{delayed_confirmed} vs {confirmed}");
    }
}
