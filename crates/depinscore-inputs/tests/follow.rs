//! A follower against a real ClickHouse: slots written in parts and read in parts give the
//! snapshot of one full load, and a slot backfilled inside the held range makes it load afresh.

use depinscore_clickhouse::{ChConfig, ChStore, JobEventRow, SlotBatch, SlotRow, TokenFlowRow};
use depinscore_engine::sample::Shipped;
use depinscore_inputs::{Follower, LoadOptions};
use depinscore_localserver::ClickHouse;
use depinscore_sql::SqlStore;

/// 2026-01-01T00:00:00Z; one slot an hour, so the rows span days.
const T0: u32 = 1_767_225_600;

fn event(slot: u64, ix: u16, kind: &str, job: &str, run: &str, node: &str) -> JobEventRow {
    JobEventRow {
        job: job.into(),
        slot,
        tx_index: 0,
        ix,
        inner: 0,
        block_time: T0 + slot as u32 * 3_600,
        signature: format!("sig{slot}"),
        kind: kind.into(),
        market: format!("market{}", slot % 2),
        run: run.into(),
        node: node.into(),
        project: format!("project{}", slot % 3),
        payer: format!("payer{}", slot % 5),
        timeout: None,
    }
}

fn flow(slot: u64, ix: u16, kind: &str, wallet: &str, job: &str, amount: u64) -> TokenFlowRow {
    TokenFlowRow {
        slot,
        tx_index: 0,
        ix,
        inner: 0,
        block_time: T0 + slot as u32 * 3_600,
        signature: format!("sig{slot}"),
        kind: kind.into(),
        mint: "nos".into(),
        source: "vault".into(),
        destination: wallet.into(),
        wallet: wallet.into(),
        subject: job.into(),
        market: format!("market{}", slot % 2),
        amount,
    }
}

/// Each slot lists a job, a node (new every slot, so new addresses keep arriving) works and
/// finishes it, and is paid; every third slot a fee.
fn batch(slots: &[u64]) -> SlotBatch {
    let mut b = SlotBatch { first: slots[0], last: *slots.last().unwrap(), ..SlotBatch::default() };
    for &s in slots {
        let (job, run, node) = (format!("job{s}"), format!("run{s}"), format!("node{s}"));
        b.slots.push(SlotRow {
            slot: s,
            parent_slot: s - 1,
            block_time: T0 + s as u32 * 3_600,
            block_height: s,
            blockhash: format!("hash{s}"),
            executed_transactions: 1,
            indexed_transactions: 1,
            indexed_at: T0,
        });
        b.job_events.push(event(s, 0, "list", &job, "", ""));
        b.job_events.push(event(s, 1, "assign", &job, &run, &node));
        b.job_events.push(event(s, 2, "finish", &job, &run, &node));
        b.token_flows.push(flow(s, 2, "payout", &node, &job, 1_000_000 * s));
        if s % 3 == 0 {
            b.token_flows.push(flow(s, 3, "fee", "treasury", &job, 100_000 * s));
        }
    }
    b
}

#[test]
fn a_follower_reading_slots_in_parts_scores_like_one_load_and_reloads_after_a_backfill() {
    let clickhouse = ClickHouse::start().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let ch = ChStore::open(&ChConfig { url: clickhouse.http_url(), ..ChConfig::default() }, T0).await.unwrap();
        let sql = SqlStore::connect("sqlite::memory:").await.unwrap();
        sql.migrate().await.unwrap();
        let shipped = Shipped::load().unwrap();
        let rules = shipped.rules();
        let max_age = rules.methodology.parameters.price_max_age_s;
        let full = || async { depinscore_inputs::load(&ch, &sql, &LoadOptions::default()).await.unwrap() };

        // Slots 1..=40 but 7 (a gap a backfill fills later), read as 1..=20, then the rest.
        ch.write(&batch(&(1..=6).collect::<Vec<_>>())).await.unwrap();
        ch.write(&batch(&(8..=20).collect::<Vec<_>>())).await.unwrap();
        let mut follower = Follower::start(&ch, &sql, LoadOptions::default(), max_age).await.unwrap();
        assert_eq!(follower.inputs().job_events.height(), 19 * 3);
        ch.write(&batch(&(21..=40).collect::<Vec<_>>())).await.unwrap();
        follower = follower.update(&ch, &sql, max_age, None).await.unwrap();
        let whole = full().await;
        assert_eq!(follower.inputs().keys, whole.keys, "ids handed out in parts are the ids of one load");
        let snapshot = |inputs: &depinscore_engine::Inputs| {
            depinscore_engine::snapshot(inputs, &rules, inputs.chain.last_time).unwrap()
        };
        assert_eq!(follower.snapshot(&rules).unwrap(), snapshot(&whole));

        // The backfilled slot is inside the held range: only a fresh load reads it.
        ch.write(&batch(&[7])).await.unwrap();
        follower = follower.update(&ch, &sql, max_age, None).await.unwrap();
        let whole = full().await;
        assert_eq!(whole.job_events.height(), 40 * 3);
        assert_eq!(follower.inputs().job_events.height(), 40 * 3, "the backfilled slot was read");
        assert_eq!(follower.snapshot(&rules).unwrap(), snapshot(&whole));
    });
}
