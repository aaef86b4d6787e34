//! The store against a real ClickHouse server.

use depinscore_clickhouse::*;

use depinscore_localserver::ClickHouse;

fn config(server: &ClickHouse, db: &str) -> ChConfig {
    ChConfig { url: server.http_url(), database: db.into(), ..ChConfig::default() }
}

fn batch(first: u64, last: u64) -> SlotBatch {
    let mut b = SlotBatch { first, last, ..SlotBatch::default() };
    for slot in first..=last {
        let t = 1_700_000_000 + slot as u32;
        b.slots.push(SlotRow {
            slot,
            parent_slot: slot.saturating_sub(1),
            block_time: t,
            block_height: slot,
            blockhash: format!("hash{slot}"),
            executed_transactions: 1,
            indexed_transactions: 1,
            indexed_at: t,
        });
        b.transactions.push(TransactionRow {
            slot,
            tx_index: 0,
            block_time: t,
            signature: format!("sig{slot}"),
            fee_payer: "payer".into(),
            success: 1,
            err: String::new(),
            fee: 5000,
            compute_units: 100,
            programs: vec!["jobs".into()],
            instructions: 1,
        });
        b.token_flows.push(TokenFlowRow {
            slot,
            tx_index: 0,
            ix: 0,
            inner: 1,
            block_time: t,
            signature: format!("sig{slot}"),
            kind: "deposit".into(),
            mint: "nos".into(),
            source: "a".into(),
            destination: "b".into(),
            wallet: "w".into(),
            subject: format!("job{slot}"),
            market: "m".into(),
            amount: 10,
        });
        b.job_events.push(JobEventRow {
            job: format!("job{slot}"),
            slot,
            tx_index: 0,
            ix: 0,
            inner: 0,
            block_time: t,
            signature: format!("sig{slot}"),
            kind: "list".into(),
            market: "m".into(),
            run: String::new(),
            node: String::new(),
            project: "p".into(),
            payer: "w".into(),
            timeout: Some(3600),
        });
        b.quarantine.push(QuarantineRow {
            slot,
            signature: format!("sig{slot}"),
            ix: 0,
            inner: 0,
            account: String::new(),
            source: "instruction".into(),
            program: "jobs".into(),
            reason: "unknown discriminator".into(),
            data: vec![0, 255, 1, 2],
            block_time: t,
        });
    }
    b
}

#[tokio::test]
async fn migrations_apply_once_and_are_recorded() {
    let server = ClickHouse::start().unwrap();
    let cfg = config(&server, "t_migrate");
    let store = ChStore::open(&cfg, 1).await.unwrap();
    let applied = store.applied_migrations().await.unwrap();
    assert_eq!(
        applied.iter().map(|m| m.version).collect::<Vec<_>>(),
        (1..=MIGRATIONS.len() as u32).collect::<Vec<_>>()
    );
    assert!(store.migrate(2).await.unwrap().is_empty(), "second run applied something");
}

#[tokio::test]
async fn a_replayed_batch_changes_nothing_queries_see_not_even_the_rollups() {
    let server = ClickHouse::start().unwrap();
    let cfg = config(&server, "t_replay");
    let store = ChStore::open(&cfg, 1).await.unwrap();
    let first = store.write(&batch(100, 109)).await.unwrap();
    assert_eq!(first.rows_skipped, 0);
    // A crash after the flows but before the slots rows: the slots table misses 105..=109.
    let again = ChStore::open(&cfg, 1).await.unwrap();
    let report = again.write(&batch(105, 114)).await.unwrap();
    assert_eq!(report.rows_skipped, 5 * 5, "five slots of five tables were already there");
    let totals = again.flow_totals(u64::MAX).await.unwrap();
    let deposit = totals.iter().find(|t| t.kind == "deposit").unwrap();
    assert_eq!((deposit.flows, deposit.amount), (15, 150));
    let daily = again.daily_flow_totals().await.unwrap();
    let deposit = daily.iter().find(|t| t.kind == "deposit").unwrap();
    assert_eq!((deposit.flows, deposit.amount), (15, 150));
    assert_eq!(again.raw_table_count("token_flows").await.unwrap(), 15);
    let q = again.quarantine_counts().await.unwrap();
    assert_eq!(q[0].items, 15);
}

#[tokio::test]
async fn a_slot_an_interrupted_insert_stored_in_part_gets_the_rest_and_nothing_twice() {
    let server = ClickHouse::start().unwrap();
    // Slot 102 has three job events; the cut INSERT stored slots 100 and 101 and the first of
    // slot 102's events (a prefix of the rows, as a client killed between chunks leaves).
    let mut full = batch(100, 104);
    let first_of_102 = full.job_events.iter().position(|e| e.slot == 102).unwrap();
    for n in 1..=2u16 {
        let mut e = full.job_events[first_of_102].clone();
        e.job = format!("{}-{n}", e.job);
        e.ix = n;
        full.job_events.insert(first_of_102 + usize::from(n), e);
    }
    let scratch = ChStore::open(&config(&server, "t_cut_scratch"), 1).await.unwrap();
    scratch.write(&full).await.unwrap();
    ChStore::open(&config(&server, "t_cut"), 1).await.unwrap();
    let first_job = &full.job_events[first_of_102].job;
    server
        .query(&format!(
            "INSERT INTO t_cut.job_events SELECT * FROM t_cut_scratch.job_events \
             WHERE slot < 102 OR (slot = 102 AND job = '{first_job}')"
        ))
        .unwrap();

    let store = ChStore::open(&config(&server, "t_cut"), 1).await.unwrap();
    let report = store.write(&full).await.unwrap();
    assert!(report.rows_skipped >= 3, "{report:?}");
    assert_eq!(store.raw_table_count("job_events").await.unwrap(), 7, "every event once");
    let listed = |counts: Vec<JobEventCount>| counts.iter().find(|c| c.kind == "list").map_or(0, |c| c.events);
    assert_eq!(listed(store.job_event_counts(u64::MAX).await.unwrap()), 7);
    assert_eq!(listed(store.daily_job_event_counts().await.unwrap()), 7, "the rollup counted each event once");
}

#[tokio::test]
async fn states_read_over_json_rpc_at_a_slot_do_not_hide_that_slots_streamed_writes() {
    let server = ClickHouse::start().unwrap();
    let store = ChStore::open(&config(&server, "t_oob"), 1).await.unwrap();
    let state = |pubkey: &str, slot: u64, version: u64| AccountStateRow {
        pubkey: pubkey.into(),
        kind: "job".into(),
        program: "jobs".into(),
        slot,
        version,
        closed: 0,
        lamports: 1,
        authority: String::new(),
        market: String::new(),
        amount: 0,
        state: format!("{{\"at\":{version}}}"),
        indexed_at: 1,
    };
    // A snapshot read five accounts at slot 201 before the stream's batch of 200..=202 arrived.
    let snapshot: Vec<_> = (0..5).map(|i| state(&format!("s{i}"), 201, read_version(201, i))).collect();
    store.write_account_snapshot(&snapshot).await.unwrap();
    // A restarted indexer: its store checks every slot up to the highest one held anywhere.
    let store = ChStore::open(&config(&server, "t_oob"), 1).await.unwrap();
    let mut b = batch(200, 202);
    b.account_states = vec![state("a", 201, streamed_version(201, 0)), state("b", 201, streamed_version(201, 1))];
    store.write(&b).await.unwrap();
    let streamed = server.query("SELECT count() FROM t_oob.account_states WHERE pubkey IN ('a', 'b')").unwrap();
    assert_eq!(streamed.trim(), "2", "the slot's streamed writes are stored");
    // Replayed, the batch adds nothing.
    store.write(&b).await.unwrap();
    assert_eq!(store.raw_table_count("account_states").await.unwrap(), 7);
    // A state read at a slot wins over that slot's streamed writes.
    assert!(read_version(201, 0) > streamed_version(201, 1_000_000));
    assert!(streamed_version(202, 0) > read_version(201, usize::MAX));
}

#[tokio::test]
async fn a_store_whose_write_fence_is_closed_writes_nothing_until_it_opens_again() {
    let server = ClickHouse::start().unwrap();
    let fence = WriteFence::closed();
    let store = ChStore::open(&config(&server, "t_fence"), 1).await.unwrap().with_fence(fence.clone());
    let raw = |table: &str| server.query(&format!("SELECT count() FROM t_fence.{table}")).unwrap().trim().to_string();

    // Closed from the start (a lease not yet taken), then past its deadline (a paused writer).
    assert!(matches!(store.write(&batch(100, 104)).await, Err(ChError::Fenced)));
    fence.open_until(std::time::Instant::now() + std::time::Duration::from_millis(50));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(matches!(store.write(&batch(100, 104)).await, Err(ChError::Fenced)));
    let snapshot = vec![AccountStateRow {
        pubkey: "job1".into(),
        kind: "job".into(),
        program: "jobs".into(),
        slot: 100,
        version: read_version(100, 0),
        closed: 0,
        lamports: 1,
        authority: String::new(),
        market: String::new(),
        amount: 0,
        state: "{}".into(),
        indexed_at: 1,
    }];
    assert!(matches!(store.write_account_snapshot(&snapshot).await, Err(ChError::Fenced)));
    for table in ["slots", "token_flows", "quarantine", "account_states", "daily_flows"] {
        assert_eq!(raw(table), "0", "{table} was written through a closed fence");
    }

    // Renewed: the same batch is written, once.
    fence.open_until(std::time::Instant::now() + std::time::Duration::from_secs(60));
    let report = store.write(&batch(100, 104)).await.unwrap();
    assert_eq!(report.rows_skipped, 0);
    assert_eq!(raw("slots"), "5");
    fence.close();
    assert!(matches!(store.write(&batch(105, 109)).await, Err(ChError::Fenced)));
    assert_eq!(raw("slots"), "5");
}

/// `schema/clickhouse-users/insert-timeout.xml`, which docker-compose.yml gives the server.
fn insert_timeout_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/clickhouse-users/insert-timeout.xml")
}

#[tokio::test]
async fn an_insert_a_pause_cut_off_mid_body_commits_nothing_once_a_standby_has_written_its_slot() {
    use std::time::{Duration, Instant};
    let server = ClickHouse::start_with_users(&[&insert_timeout_file()], &[]).unwrap();
    let cfg = config(&server, "t_paused");
    let lease = Duration::from_secs(8);
    let standby_fence = WriteFence::for_lease(lease);
    let standby = ChStore::open(&cfg, 1).await.unwrap().fenced(standby_fence.clone()).await.unwrap();
    assert_eq!(standby.insert_stall_timeout().await.unwrap(), Duration::from_secs(2), "the file's timeout");
    assert_eq!(standby_fence.margin(), Duration::from_secs(3), "the timeout and a second");
    // A lease whose half is shorter than that margin cannot be fenced.
    let short = ChStore::connect(&cfg).unwrap().fenced(WriteFence::for_lease(Duration::from_secs(5))).await;
    assert!(matches!(short, Err(ChError::FenceTooNarrow { .. })), "a 5 s lease was fenced");

    // Slot 100 carries 20,000 token flows (about 2 MB of rows).
    let mut b = batch(100, 100);
    let flow = b.token_flows[0].clone();
    b.token_flows = (0..20_000u16).map(|ix| TokenFlowRow { ix, ..flow.clone() }).collect();

    // The old writer had sent most of the slot's flows when it was paused: its INSERT stays open
    // and silent, its last chunk and its end never sent.
    let mut paused =
        cfg.insert_client().unwrap().insert_unescaped::<TokenFlowRow>("t_paused.token_flows").await.unwrap();
    for row in &b.token_flows[..19_000] {
        paused.write(row).await.unwrap();
    }
    // Its fence closed the margin before its lease ended; the standby takes over at the end.
    tokio::time::sleep(standby_fence.margin()).await;
    assert_eq!(standby.raw_table_count("token_flows").await.unwrap(), 0, "nothing applied before the pause ends");
    standby_fence.open_until(Instant::now() + lease);
    let report = standby.write(&b).await.unwrap();
    assert_eq!(report.rows_skipped, 0);

    // The old writer resumes, finds its fence closed and abandons the INSERT: the connection
    // closes. ClickHouse had already failed it, so none of its rows appear.
    drop(paused);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(standby.raw_table_count("token_flows").await.unwrap(), 20_000, "the paused INSERT was applied too");
    let flowed = server.query("SELECT sum(amount) FROM t_paused.daily_flows").unwrap();
    assert_eq!(flowed.trim(), (20_000 * flow.amount).to_string(), "the rollup counted a paused row");
}
