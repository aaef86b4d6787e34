//! The explorer read layer against a real ClickHouse (18.16 from Debian in CI), fed through the
//! real writer.
//!
//! The world: market M1 (job queue) and M2 (node queue); J1 listed, popped by node N1's `work`
//! (the assign names only the run), finished with deposit/fee/payout/refund; J2 popped by N2
//! and quit; J3 still queued; J4 listed into M2 where N3 waited (list + assign at once, the
//! node only in the run account) and running; J5 listed and delisted. Stakes, a reward, a pool,
//! a node registration, and on the second day a burn, a mint, an emission and a claim.

use std::sync::OnceLock;

use depinscore_clickhouse::*;
use depinscore_localserver::ClickHouse;

static SERVER: OnceLock<ClickHouse> = OnceLock::new();

fn server() -> &'static ClickHouse {
    SERVER.get_or_init(|| ClickHouse::start().expect("ClickHouse starts"))
}

fn config(db: &str) -> ChConfig {
    ChConfig { url: server().http_url(), database: db.into(), ..ChConfig::default() }
}

/// A base58-looking address, distinct per (prefix, n).
fn key(prefix: &str, n: u32) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut s = prefix.to_string();
    let mut v = n;
    for _ in 0..6 {
        s.push(char::from(ALPHABET[(v % 58) as usize]));
        v /= 58;
    }
    while s.len() < 44 {
        s.push('x');
    }
    s
}

const T0: u32 = 1_700_000_000;

struct World {
    m1: String,
    m2: String,
    jobs: [String; 5],
    n1: String,
    n2: String,
    n3: String,
    n4: String,
    p1: String,
    p2: String,
    w1: String,
    w2: String,
}

fn world() -> World {
    World {
        m1: key("Mkt", 1),
        m2: key("Mkt", 2),
        jobs: [key("Job", 1), key("Job", 2), key("Job", 3), key("Job", 4), key("Job", 5)],
        n1: key("Node", 1),
        n2: key("Node", 2),
        n3: key("Node", 3),
        n4: key("Node", 4),
        p1: key("Prj", 1),
        p2: key("Prj", 2),
        w1: key("Pay", 1),
        w2: key("Pay", 2),
    }
}

fn sig(slot: u64, i: u32) -> String {
    key(&format!("Sig{slot}"), i)
}

struct Slot {
    batch: SlotBatch,
    time: u32,
    next_tx: u32,
    seq: u64,
}

impl Slot {
    fn new(slot: u64, time: u32) -> Slot {
        let mut batch = SlotBatch { first: slot, last: slot, ..SlotBatch::default() };
        batch.slots.push(SlotRow {
            slot,
            parent_slot: slot - 1,
            block_time: time,
            block_height: slot,
            blockhash: format!("hash{slot}"),
            executed_transactions: 0,
            indexed_transactions: 0,
            indexed_at: time + 1,
        });
        Slot { batch, time, next_tx: 0, seq: 0 }
    }

    fn slot(&self) -> u64 {
        self.batch.first
    }

    /// A successful transaction with one jobs instruction; returns (tx_index, signature).
    fn tx(&mut self, name: &str, accounts: &[(&str, &str)]) -> (u32, String) {
        let (slot, tx_index) = (self.slot(), self.next_tx);
        self.next_tx += 1;
        let signature = sig(slot, tx_index);
        self.batch.transactions.push(TransactionRow {
            slot,
            tx_index,
            block_time: self.time,
            signature: signature.clone(),
            fee_payer: accounts.first().map(|a| a.1.to_string()).unwrap_or_default(),
            success: 1,
            err: String::new(),
            fee: 5000,
            compute_units: 20_000,
            programs: vec!["jobs".into()],
            instructions: 1,
        });
        self.batch.instructions.push(InstructionRow {
            slot,
            tx_index,
            ix: 0,
            inner: 0,
            block_time: self.time,
            signature: signature.clone(),
            stack_height: 1,
            program: "jobs".into(),
            name: name.into(),
            account_names: accounts.iter().map(|a| a.0.to_string()).collect(),
            accounts: accounts.iter().map(|a| a.1.to_string()).collect(),
            args: r#"{"timeout":3600}"#.into(),
            success: 1,
        });
        if let Some(s) = self.batch.slots.first_mut() {
            s.executed_transactions += 1;
            s.indexed_transactions += 1;
        }
        (tx_index, signature)
    }

    /// A transaction with one `kind` instruction naming only `job`, and its job event.
    fn job_tx(&mut self, kind: &str, job: &str, market: &str, run: &str, node: &str, party: (&str, &str)) {
        let tx = self.tx(kind, &[("job", job)]);
        self.event(&tx, kind, job, market, run, node, party);
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        tx: &(u32, String),
        kind: &str,
        job: &str,
        market: &str,
        run: &str,
        node: &str,
        party: (&str, &str),
    ) {
        self.batch.job_events.push(JobEventRow {
            job: job.into(),
            slot: self.slot(),
            tx_index: tx.0,
            ix: 0,
            inner: 0,
            block_time: self.time,
            signature: tx.1.clone(),
            kind: kind.into(),
            market: market.into(),
            run: run.into(),
            node: node.into(),
            project: party.0.into(),
            payer: party.1.into(),
            timeout: (kind == "list").then_some(3600),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn flow(
        &mut self,
        tx: &(u32, String),
        inner: u16,
        kind: &str,
        wallet: &str,
        subject: &str,
        market: &str,
        amount: u64,
    ) {
        self.batch.token_flows.push(TokenFlowRow {
            slot: self.slot(),
            tx_index: tx.0,
            ix: 0,
            inner,
            block_time: self.time,
            signature: tx.1.clone(),
            kind: kind.into(),
            mint: "nosXBVoaCTtYdLvKY6Csb4AC8JCdQKKAaWYtx2ZMoo7".into(),
            source: key("Src", u32::from(inner)),
            destination: key("Dst", u32::from(inner)),
            wallet: wallet.into(),
            subject: subject.into(),
            market: market.into(),
            amount,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn account(
        &mut self,
        pubkey: &str,
        kind: &str,
        closed: bool,
        authority: &str,
        market: &str,
        amount: u64,
        state: String,
    ) {
        let version = (self.slot() << 20) | self.seq;
        self.seq += 1;
        self.batch.account_states.push(AccountStateRow {
            pubkey: pubkey.into(),
            kind: kind.into(),
            program: "nosJhNRqr2bc9g1nfGDcXXTXvYUmxD4cVwy2pMWhrYM".into(),
            slot: self.slot(),
            version,
            closed: u8::from(closed),
            lamports: if closed { 0 } else { 1_000_000 },
            authority: if closed { String::new() } else { authority.into() },
            market: market.into(),
            amount,
            state: if closed { "null".into() } else { state },
            indexed_at: self.time + 1,
        });
    }
}

fn run_state(job: &str, node: &str, payer: &str, time: u32) -> String {
    format!(r#"{{"job":"{job}","node":"{node}","payer":"{payer}","state":0,"time":{time}}}"#)
}

fn market_state(w: &World, queue_type: u8, queue: &[&str]) -> String {
    let queue: Vec<String> = queue.iter().map(|q| format!("\"{q}\"")).collect();
    format!(
        r#"{{"authority":"{}","job_expiration":86400,"job_price":10,"job_timeout":7200,"job_type":4,"node_access_key":"11111111111111111111111111111111","node_xnos_minimum":"0","queue":[{}],"queue_type":{queue_type},"vault":"{}","vault_bump":255}}"#,
        w.p1,
        queue.join(","),
        key("Vault", u32::from(queue_type))
    )
}

/// The world's slots 100..=106, one batch each.
fn batches(w: &World) -> Vec<SlotBatch> {
    let [j1, j2, j3, j4, j5] = &w.jobs;
    let (r1, r2, r4) = (key("Run", 1), key("Run", 2), key("Run", 4));
    let mut out = Vec::new();

    // 100: markets open; J1 listed into M1's job queue.
    let mut s = Slot::new(100, T0);
    s.account(&w.m1, "market", false, &w.p1, &w.m1, 10, market_state(w, 255, &[]));
    s.account(&w.m2, "market", false, &w.p1, &w.m2, 10, market_state(w, 1, &[&w.n3]));
    let tx = s.tx("list", &[("job", j1), ("market", &w.m1), ("payer", &w.w1), ("authority", &w.p1)]);
    s.event(&tx, "list", j1, &w.m1, "", "", (&w.p1, &w.w1));
    s.flow(&tx, 1, "deposit", &w.w1, j1, &w.m1, 36_000);
    s.flow(&tx, 3, "fee", &w.w1, j1, "", 3_600);
    s.account(j1, "job", false, &w.p1, &w.m1, 10, format!(r#"{{"ipfs_job":"QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p","ipfs_result":"","market":"{}","node":"11111111111111111111111111111111","payer":"{}","price":10,"project":"{}","state":0,"time_end":0,"time_start":0,"timeout":3600,"layout":"current"}}"#, w.m1, w.w1, w.p1));
    out.push(s.batch);

    // 101: J2 and J5 listed.
    let mut s = Slot::new(101, T0 + 10);
    let tx = s.tx("list", &[("job", j2), ("market", &w.m1), ("payer", &w.w2), ("authority", &w.p2)]);
    s.event(&tx, "list", j2, &w.m1, "", "", (&w.p2, &w.w2));
    s.flow(&tx, 1, "deposit", &w.w2, j2, &w.m1, 1_000);
    s.flow(&tx, 3, "fee", &w.w2, j2, "", 100);
    let tx = s.tx("list", &[("job", j5), ("market", &w.m1), ("payer", &w.w2), ("authority", &w.p2)]);
    s.event(&tx, "list", j5, &w.m1, "", "", (&w.p2, &w.w2));
    s.flow(&tx, 1, "deposit", &w.w2, j5, &w.m1, 2_000);
    out.push(s.batch);

    // 102: N1's work pops J1 (the assign names only the run; the run account names the job).
    let mut s = Slot::new(102, T0 + 20);
    let tx = s.tx("work", &[("run", &r1), ("market", &w.m1), ("authority", &w.n1)]);
    s.event(&tx, "assign", "", &w.m1, &r1, &w.n1, ("", ""));
    s.account(&r1, "run", false, &w.n1, "", 0, run_state(j1, &w.n1, &w.n1, T0 + 20));
    out.push(s.batch);

    // 103: N2's work pops J2; J5 delisted (refund).
    let mut s = Slot::new(103, T0 + 30);
    let tx = s.tx("work", &[("run", &r2), ("market", &w.m1), ("authority", &w.n2)]);
    s.event(&tx, "assign", "", &w.m1, &r2, &w.n2, ("", ""));
    s.account(&r2, "run", false, &w.n2, "", 0, run_state(j2, &w.n2, &w.n2, T0 + 30));
    let tx = s.tx("delist", &[("job", j5), ("market", &w.m1), ("authority", &w.p2)]);
    s.event(&tx, "delist", j5, &w.m1, "", "", (&w.p2, &w.w2));
    s.flow(&tx, 1, "refund", &w.w2, j5, &w.m1, 2_000);
    out.push(s.batch);

    // 104: N2 quits J2; its run closes.
    let mut s = Slot::new(104, T0 + 40);
    let tx = s.tx("quit", &[("job", j2), ("run", &r2), ("authority", &w.n2)]);
    s.event(&tx, "quit", j2, "", &r2, &w.n2, ("", ""));
    s.account(&r2, "run", true, "", "", 0, String::new());
    out.push(s.batch);

    // 105: N1 finishes J1 (payout + refund); J3 listed and waits; M1's queue holds J3.
    let mut s = Slot::new(105, T0 + 50);
    let tx = s.tx("finish", &[("job", j1), ("run", &r1), ("market", &w.m1), ("authority", &w.n1)]);
    s.event(&tx, "finish", j1, &w.m1, &r1, &w.n1, ("", &w.w1));
    s.flow(&tx, 1, "payout", &w.n1, j1, &w.m1, 300);
    s.flow(&tx, 2, "refund", &w.w1, j1, &w.m1, 35_700);
    s.account(&r1, "run", true, "", "", 0, String::new());
    let tx = s.tx("list", &[("job", j3), ("market", &w.m1), ("payer", &w.w1), ("authority", &w.p1)]);
    s.event(&tx, "list", j3, &w.m1, "", "", (&w.p1, &w.w1));
    s.flow(&tx, 1, "deposit", &w.w1, j3, &w.m1, 500);
    s.account(&w.m1, "market", false, &w.p1, &w.m1, 10, market_state(w, 0, &[j3]));
    s.account(&key("Vault", 0), "token_account", false, &w.m1, "", 500, "{}".into());
    out.push(s.batch);

    // 106 (next day): J4 listed into M2 and takes N3 at once; N4 now waits in M2; N1
    // registers and stakes; a reward, a pool, a closed stake; treasury movements.
    let day2 = T0 + 86_400;
    let mut s = Slot::new(106, day2);
    let tx = s.tx("list", &[("job", j4), ("market", &w.m2), ("run", &r4), ("payer", &w.w1), ("authority", &w.p1)]);
    s.event(&tx, "list", j4, &w.m2, &r4, "", (&w.p1, &w.w1));
    s.event(&tx, "assign", j4, &w.m2, &r4, "", (&w.p1, &w.w1));
    s.flow(&tx, 1, "deposit", &w.w1, j4, &w.m2, 700);
    s.account(&r4, "run", false, &w.n3, "", 0, run_state(j4, &w.n3, &w.w1, day2));
    s.account(&w.m2, "market", false, &w.p1, &w.m2, 10, market_state(w, 1, &[&w.n4]));
    s.account(&key("Nrec", 1), "node", false, &w.n1, "", 0, format!(r#"{{"architecture":0,"audited":false,"authority":"{}","country":528,"cpu":16,"endpoint":"","gpu":1,"icon":"","iops":100,"memory":64,"storage":1000,"version":"1.0"}}"#, w.n1));
    s.account(&key("Stk", 1), "stake", false, &w.n1, "", 5_000, format!(r#"{{"amount":5000,"authority":"{}","duration":1209600,"time_unstake":0,"vault":"{}","vault_bump":255,"xnos":"5575"}}"#, w.n1, key("Sv", 1)));
    s.account(&key("Stk", 2), "stake", false, &w.w1, "", 9_000, format!(r#"{{"amount":9000,"authority":"{}","duration":31536000,"time_unstake":0,"vault":"{}","vault_bump":255,"xnos":"36000"}}"#, w.w1, key("Sv", 2)));
    s.account(&key("Stk", 3), "stake", true, "", "", 0, String::new());
    s.account(
        &key("Rwd", 1),
        "reward",
        false,
        &w.w1,
        "",
        36_000,
        format!(
            r#"{{"authority":"{}","bump":254,"reflection":"340282366920938463463374607431768211455","xnos":"36000"}}"#,
            w.w1
        ),
    );
    s.account(&key("Pool", 1), "pool", false, &w.p1, "", 1_000, format!(r#"{{"authority":"{}","beneficiary":"{}","claim_type":1,"claimed_tokens":1000,"closeable":true,"emission":25367,"start_time":1661780725,"vault":"{}","vault_bump":253}}"#, w.p1, key("Ben", 1), key("Pv", 1)));
    let tx = s.tx("claim_fee", &[("pool", &key("Pool", 1))]);
    s.flow(&tx, 1, "emission", "", &key("Pool", 1), "", 1_000);
    s.flow(&tx, 2, "claim", &w.w1, &key("Stk", 2), "", 200);
    s.flow(&tx, 3, "burn", &w.w1, "", "", 777);
    s.flow(&tx, 4, "mint", &w.w1, "", "", 50);
    out.push(s.batch);
    out
}

async fn store_with_world(db: &str) -> (ChStore, World) {
    let store = ChStore::open(&config(db), 1).await.expect("store opens");
    let w = world();
    for b in batches(&w) {
        store.write(&b).await.expect("batch written");
    }
    (store, w)
}

fn all(limit: u32) -> JobFilter {
    JobFilter { limit, ..JobFilter::default() }
}

fn addresses(page: &JobPage) -> Vec<&str> {
    page.items.iter().map(|j| j.address.as_str()).collect()
}

#[tokio::test]
async fn the_job_list_derives_each_state_from_the_newest_event() {
    let (store, w) = store_with_world("x_states").await;
    let page = store.jobs(&all(500)).await.unwrap();
    assert_eq!(page.items.len(), 5);
    assert_eq!(page.next_cursor, None);
    let job = |a: &str| page.items.iter().find(|j| j.address == a).unwrap();
    let [j1, j2, j3, j4, j5] = &w.jobs;
    assert_eq!(job(j1).state, JobState::Completed);
    assert_eq!(job(j2).state, JobState::Stopped);
    assert_eq!(job(j3).state, JobState::Queued);
    assert_eq!(job(j4).state, JobState::Running);
    assert_eq!(job(j5).state, JobState::Delisted);
    assert_eq!(job(j5).nosana_state, None);
    assert_eq!(job(j4).nosana_state, Some(1));

    let one = job(j1);
    assert_eq!(
        (one.market.as_str(), one.project.as_str(), one.payer.as_str()),
        (w.m1.as_str(), w.p1.as_str(), w.w1.as_str())
    );
    assert_eq!(one.node, w.n1, "the node of a popped job comes from its run");
    assert_eq!((one.listed_at, one.started_at, one.ended_at), (T0, Some(T0 + 20), Some(T0 + 50)));
    assert_eq!((one.deposit, one.payout, one.refund, one.fee), (36_000, 300, 35_700, 3_600));
    assert_eq!((one.first_slot, one.last_slot), (100, 105));
    assert_eq!(one.timeout, Some(3600));

    assert_eq!(job(j4).node, w.n3, "a list that met a waiting node names it only in the run account");
    assert_eq!(job(j4).started_at, Some(T0 + 86_400));
    assert_eq!(job(j4).ended_at, None);
    assert_eq!(job(j3).started_at, None);
    assert_eq!(job(j2).node, w.n2);
    assert_eq!(job(j2).ended_at, Some(T0 + 40));
    assert_eq!((job(j5).deposit, job(j5).refund), (2_000, 2_000));
}

#[tokio::test]
async fn each_filter_narrows_the_list() {
    let (store, w) = store_with_world("x_filters").await;
    let [j1, j2, j3, j4, j5] = &w.jobs;
    let q = |f: JobFilter| {
        let store = &store;
        async move {
            let mut v: Vec<String> = store.jobs(&f).await.unwrap().items.into_iter().map(|j| j.address).collect();
            v.sort();
            v
        }
    };
    let base = all(500);
    for (state, expect) in [
        (JobState::Queued, j3),
        (JobState::Running, j4),
        (JobState::Completed, j1),
        (JobState::Stopped, j2),
        (JobState::Delisted, j5),
    ] {
        assert_eq!(q(JobFilter { states: vec![state], ..base.clone() }).await, vec![expect.clone()], "{state:?}");
    }
    assert!(q(JobFilter { states: vec![JobState::Recovered], ..base.clone() }).await.is_empty());
    // Several states: any of them (Nosana's STOPPED is stopped or recovered).
    assert_eq!(
        q(JobFilter { states: vec![JobState::Stopped, JobState::Recovered, JobState::Delisted], ..base.clone() }).await,
        {
            let mut v = vec![j2.clone(), j5.clone()];
            v.sort();
            v
        }
    );
    assert_eq!(q(JobFilter { market: Some(w.m2.clone()), ..base.clone() }).await, vec![j4.clone()]);
    assert_eq!(q(JobFilter { market: Some(w.m1.clone()), ..base.clone() }).await.len(), 4);
    assert_eq!(q(JobFilter { node: Some(w.n1.clone()), ..base.clone() }).await, vec![j1.clone()]);
    assert_eq!(q(JobFilter { node: Some(w.n2.clone()), ..base.clone() }).await, vec![j2.clone()]);
    assert_eq!(q(JobFilter { node: Some(w.n3.clone()), ..base.clone() }).await, vec![j4.clone()]);
    assert!(q(JobFilter { node: Some(w.n4.clone()), ..base.clone() }).await.is_empty());
    assert_eq!(q(JobFilter { project: Some(w.p2.clone()), ..base.clone() }).await, vec![j2.clone(), j5.clone()]);
    assert_eq!(
        q(JobFilter { payer: Some(w.w1.clone()), ..base.clone() }).await,
        vec![j1.clone(), j3.clone(), j4.clone()]
    );
    assert_eq!(
        q(JobFilter { listed_from: Some(T0 + 10), listed_to: Some(T0 + 50), ..base.clone() }).await,
        vec![j2.clone(), j3.clone(), j5.clone()]
    );
    assert_eq!(q(JobFilter { listed_from: Some(T0 + 51), ..base.clone() }).await, vec![j4.clone()]);
    assert_eq!(q(JobFilter { listed_to: Some(T0), ..base.clone() }).await, vec![j1.clone()]);
    assert!(q(JobFilter { listed_from: Some(T0 + 60), listed_to: Some(T0 + 50), ..base.clone() }).await.is_empty());
    // Filters combine.
    assert_eq!(
        q(JobFilter {
            market: Some(w.m1.clone()),
            states: vec![JobState::Queued],
            payer: Some(w.w1.clone()),
            ..base.clone()
        })
        .await,
        vec![j3.clone()]
    );
    assert_eq!(
        q(JobFilter { node: Some(w.n2.clone()), states: vec![JobState::Stopped], ..base.clone() }).await,
        vec![j2.clone()]
    );
    assert!(
        q(JobFilter { node: Some(w.n2.clone()), states: vec![JobState::Completed], ..base.clone() }).await.is_empty()
    );
    assert_eq!(
        q(JobFilter { project: Some(w.p2.clone()), market: Some(w.m1.clone()), ..base.clone() }).await,
        vec![j2.clone(), j5.clone()]
    );
    assert!(q(JobFilter { project: Some(w.p2.clone()), market: Some(w.m2.clone()), ..base.clone() }).await.is_empty());
    // A party filter matches its own role only: a payer is not a project.
    assert!(q(JobFilter { project: Some(w.w1.clone()), ..base.clone() }).await.is_empty());
}

/// Every job of the filter, page after page along the cursors.
async fn every_page(store: &ChStore, filter: &JobFilter) -> Vec<JobSummary> {
    let (mut items, mut cursor) = (Vec::new(), None);
    loop {
        let page = store.jobs(&JobFilter { cursor: cursor.clone(), ..filter.clone() }).await.unwrap();
        items.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return items,
        }
    }
}

#[tokio::test]
async fn an_ended_state_filter_pages_exactly_past_jobs_a_later_event_moved_on() {
    // 300 jobs listed a minute apart, each quit by its node; every third is recovered later
    // (a `recover` after the `quit`), and every seventh also finished before it quit. The
    // stopped and recovered pages read more listings than one scan chunk (64) holds.
    let store = ChStore::open(&config("x_ended"), 1).await.expect("store opens");
    let (mut stopped, mut recovered) = (Vec::new(), Vec::new());
    for n in 0..300u32 {
        let job = key("Ended", n);
        let mut s = Slot::new(1_000 + u64::from(n), T0 + 60 * n);
        s.job_tx("list", &job, "M", "", "", ("P", "W"));
        if n % 7 == 0 {
            s.job_tx("finish", &job, "", "R", "N", ("", ""));
        }
        s.job_tx("quit", &job, "", "R", "N", ("", ""));
        if n % 3 == 0 {
            s.job_tx("recover", &job, "", "", "", ("", ""));
            recovered.push(job.clone());
        } else {
            stopped.push(job.clone());
        }
        store.write(&s.batch).await.expect("batch written");
    }
    for sort in [JobSort::ListedDesc, JobSort::ListedAsc] {
        for (state, expect) in [(JobState::Stopped, &stopped), (JobState::Recovered, &recovered)] {
            let filter = JobFilter { sort, limit: 37, states: vec![state], ..JobFilter::default() };
            let items = every_page(&store, &filter).await;
            assert!(items.iter().all(|j| j.state == state), "{state:?} {sort:?}");
            let seen: Vec<String> = items.into_iter().map(|j| j.address).collect();
            let mut want = expect.clone();
            if sort == JobSort::ListedDesc {
                want.reverse();
            }
            assert_eq!(seen, want, "{state:?} {sort:?}: every job once, in listing order");
            assert_eq!(store.job_count(&filter).await.unwrap(), expect.len() as u64, "{state:?}");
        }
    }
    // No job finished without quitting after: none is completed, though 43 had a `finish`.
    let completed = JobFilter { states: vec![JobState::Completed], ..JobFilter::default() };
    assert!(store.jobs(&completed).await.unwrap().items.is_empty());
    assert_eq!(store.job_count(&completed).await.unwrap(), 0);
}

#[tokio::test]
async fn pages_that_span_many_listing_windows_are_exact_both_ways() {
    // 240 jobs listed ever further apart going back (a minute, then 1.055 times more each),
    // over about 160 days: each listing window (an hour, 4 hours, ..., 128 days, everything)
    // adds a few, so a page is gathered from several windows. A third are running, a third
    // queued, a third completed; two projects alternate.
    let store = ChStore::open(&config("x_windows"), 1).await.expect("store opens");
    let newest = T0 + 200 * 86_400;
    let mut jobs: Vec<(u32, String, JobState, &str)> = (0..240u32)
        .map(|n| {
            let back = 60 * 1.055f64.powi(n as i32) as u32;
            let state = [JobState::Running, JobState::Queued, JobState::Completed][n as usize % 3];
            (newest - back, key("Win", n), state, ["P1", "P2"][n as usize % 2])
        })
        .collect();
    jobs.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    assert!(newest - jobs[0].0 > 128 * 86_400, "the oldest listing is beyond every window");
    for (i, (time, job, state, project)) in jobs.iter().enumerate() {
        let mut s = Slot::new(5_000 + i as u64, *time);
        s.job_tx("list", job, "M", "", "", (project, "W"));
        if *state != JobState::Queued {
            s.job_tx("claim", job, "", "R", "N", ("", ""));
        }
        if *state == JobState::Completed {
            s.job_tx("finish", job, "", "R", "N", ("", ""));
        }
        store.write(&s.batch).await.expect("batch written");
    }
    // (states, project, listed from, node)
    let mid = jobs[120].0;
    let cases = [
        (vec![], None, None, None),
        (vec![JobState::Running], None, None, None),
        (vec![JobState::Queued], Some("P1"), None, None),
        (vec![JobState::Completed, JobState::Queued], None, None, None),
        // Ended states only: each window's candidates are the jobs that ended since it began.
        (vec![JobState::Completed], None, None, None),
        (vec![JobState::Completed], Some("P2"), None, None),
        (vec![JobState::Completed], None, Some(mid), None),
        // A node's jobs in a state: their states looked up first, then their listings.
        (vec![JobState::Completed], None, None, Some("N")),
        (vec![JobState::Running], Some("P1"), None, Some("N")),
        (vec![JobState::Queued], None, None, Some("N")),
    ];
    for sort in [JobSort::ListedDesc, JobSort::ListedAsc] {
        for (states, project, from, node) in &cases {
            let filter = JobFilter {
                sort,
                limit: 7,
                states: states.clone(),
                project: project.map(str::to_string),
                listed_from: *from,
                node: node.map(str::to_string),
                ..JobFilter::default()
            };
            let mut want: Vec<&(u32, String, JobState, &str)> = jobs
                .iter()
                .filter(|j| states.is_empty() || states.contains(&j.2))
                .filter(|j| project.is_none_or(|p| j.3 == p))
                .filter(|j| from.is_none_or(|f| j.0 >= f))
                .filter(|j| node.is_none() || j.2 != JobState::Queued)
                .collect();
            if sort == JobSort::ListedDesc {
                want.reverse();
            }
            let want: Vec<&str> = want.into_iter().map(|j| j.1.as_str()).collect();
            let items = every_page(&store, &filter).await;
            // Market, project and payer come with each job's activity, not its listing key.
            for item in &items {
                let listed = jobs.iter().find(|j| j.1 == item.address).expect("a listed job");
                assert_eq!((item.market.as_str(), item.project.as_str(), item.payer.as_str()), ("M", listed.3, "W"));
                assert_eq!(item.listed_at, listed.0);
            }
            let seen: Vec<String> = items.into_iter().map(|j| j.address).collect();
            assert_eq!(seen, want, "{states:?} {project:?} {from:?} {sort:?}: every job once, in listing order");
            assert_eq!(store.job_count(&filter).await.unwrap(), want.len() as u64, "{states:?} {project:?}");
        }
    }
}

#[tokio::test]
async fn a_node_with_more_jobs_than_a_query_binds_pages_and_counts_them_all() {
    // 4,100 jobs run by one node (more than the 4,000 bound as keys): its pages come from the
    // subquery path and must equal those of a node with few jobs.
    let store = ChStore::open(&config("x_busy_node"), 1).await.expect("store opens");
    // (listing block, address) of every job and of the stopped ones.
    let (mut all, mut stopped) = (Vec::new(), Vec::new());
    for block in 0..41u32 {
        let mut s = Slot::new(2_000 + u64::from(block), T0 + 600 * block);
        for i in 0..100u32 {
            let job = key("Busy", block * 100 + i);
            s.job_tx("list", &job, "M", "", "", ("P", "W"));
            s.job_tx("work", &job, "", "R", "BusyNode", ("", ""));
            if i % 4 == 0 {
                s.job_tx("quit", &job, "", "R", "BusyNode", ("", ""));
                stopped.push((block, job.clone()));
            }
            all.push((block, job));
        }
        store.write(&s.batch).await.expect("batch written");
    }
    // Newest first: the later block first, then by address, descending.
    let newest_first = |jobs: &[(u32, String)]| {
        let mut v = jobs.to_vec();
        v.sort();
        v.into_iter().rev().map(|(_, j)| j).collect::<Vec<_>>()
    };
    for (states, expect) in [(vec![], &all), (vec![JobState::Stopped], &stopped)] {
        let filter =
            JobFilter { node: Some("BusyNode".into()), states: states.clone(), limit: 500, ..JobFilter::default() };
        let seen: Vec<String> = every_page(&store, &filter).await.into_iter().map(|j| j.address).collect();
        assert_eq!(seen, newest_first(expect), "{states:?}: every job once, newest first");
        assert_eq!(store.job_count(&filter).await.unwrap(), expect.len() as u64, "{states:?}");
    }
}

#[tokio::test]
async fn sorting_by_listing_time_goes_both_ways() {
    let (store, w) = store_with_world("x_sort").await;
    let [j1, j2, j3, j4, j5] = &w.jobs;
    let desc = store.jobs(&all(500)).await.unwrap();
    // J2 and J5 share a listing time: the address breaks the tie.
    let mut tie = [j2.as_str(), j5.as_str()];
    tie.sort();
    assert_eq!(addresses(&desc), vec![j4.as_str(), j3.as_str(), tie[1], tie[0], j1.as_str()]);
    let asc = store.jobs(&JobFilter { sort: JobSort::ListedAsc, ..all(500) }).await.unwrap();
    assert_eq!(addresses(&asc), vec![j1.as_str(), tie[0], tie[1], j3.as_str(), j4.as_str()]);
}

#[tokio::test]
async fn paging_with_the_cursor_returns_every_job_exactly_once() {
    let (store, w) = store_with_world("x_paging").await;
    for sort in [JobSort::ListedDesc, JobSort::ListedAsc] {
        for limit in [1, 2, 3, 4, 5] {
            let mut seen = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            loop {
                let page = store
                    .jobs(&JobFilter { sort, limit, cursor: cursor.clone(), ..JobFilter::default() })
                    .await
                    .unwrap();
                assert!(page.items.len() <= limit as usize);
                seen.extend(page.items.into_iter().map(|j| j.address));
                pages += 1;
                assert!(pages < 10, "paging does not end");
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), seen.len(), "a job came twice ({sort:?}, limit {limit})");
            let mut expect = w.jobs.to_vec();
            expect.sort();
            assert_eq!(sorted, expect, "{sort:?}, limit {limit}");
        }
    }
    // Stable under inserts: a job listed after the first page does not shift the next pages.
    let first = store.jobs(&all(2)).await.unwrap();
    let mut s = Slot::new(107, T0 + 2 * 86_400);
    let j6 = key("Job", 6);
    let tx = s.tx("list", &[("job", &j6)]);
    s.event(&tx, "list", &j6, &w.m1, "", "", (&w.p1, &w.w1));
    store.write(&s.batch).await.unwrap();
    let second = store.jobs(&JobFilter { cursor: first.next_cursor.clone(), ..all(2) }).await.unwrap();
    let [j1, j2, _, _, j5] = &w.jobs;
    let mut got = addresses(&second);
    got.sort();
    let mut expect = vec![j2.as_str(), j5.as_str()];
    expect.sort();
    assert_eq!(got, expect);
    let third = store.jobs(&JobFilter { cursor: second.next_cursor.clone(), ..all(2) }).await.unwrap();
    assert_eq!(addresses(&third), vec![j1.as_str()]);
    assert_eq!(third.next_cursor, None);
}

#[tokio::test]
async fn a_bad_cursor_or_limit_is_a_typed_client_error() {
    let (store, _) = store_with_world("x_badcursor").await;
    for bad in ["nonsense", "' OR 1=1 --", "6a317c"] {
        let err = store.jobs(&JobFilter { cursor: Some(bad.into()), ..all(10) }).await.unwrap_err();
        assert!(matches!(err, ChError::InvalidCursor(_)), "{bad}: {err}");
        assert!(err.is_client_error());
    }
    for limit in [0, 501] {
        let err = store.jobs(&all(limit)).await.unwrap_err();
        assert!(matches!(err, ChError::InvalidFilter(_)) && err.is_client_error(), "{err}");
    }
    let err =
        store.stakes(&AccountPage { after: Some("' OR 1=1 --".into()), ..AccountPage::default() }).await.unwrap_err();
    assert!(err.is_client_error(), "{err}");
}

#[tokio::test]
async fn unknown_jobs_transactions_nodes_and_markets_are_none() {
    let (store, _) = store_with_world("x_unknown").await;
    let nobody = key("Nobody", 1);
    assert!(store.job(&nobody).await.unwrap().is_none());
    assert!(store.transaction(&nobody).await.unwrap().is_none());
    assert!(store.node(&nobody).await.unwrap().is_none());
    assert!(store.market(&nobody).await.unwrap().is_none());
}

#[tokio::test]
async fn injection_looking_filter_values_just_match_nothing() {
    let (store, w) = store_with_world("x_inject").await;
    for evil in ["' OR 1=1 --", "x' OR '1'='1", "\\' OR 1=1 --", "?", "'); DROP TABLE x_inject.job_events; --"] {
        for f in [
            JobFilter { market: Some(evil.into()), ..all(500) },
            JobFilter { node: Some(evil.into()), ..all(500) },
            JobFilter { project: Some(evil.into()), ..all(500) },
            JobFilter { payer: Some(evil.into()), ..all(500) },
        ] {
            assert!(store.jobs(&f).await.unwrap().items.is_empty(), "{evil}");
        }
        assert!(store.job(evil).await.unwrap().is_none());
        assert!(store.transaction(evil).await.unwrap().is_none());
        assert!(store.node(evil).await.unwrap().is_none());
        assert!(store.market(evil).await.unwrap().is_none());
        assert!(
            store
                .nodes(&NodeFilter { market: Some(evil.into()), ..NodeFilter::default() })
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
    assert_eq!(store.jobs(&all(500)).await.unwrap().items.len(), w.jobs.len(), "nothing was dropped");
}

#[tokio::test]
async fn a_job_comes_with_its_whole_timeline_and_flows() {
    let (store, w) = store_with_world("x_detail").await;
    let [j1, _, _, j4, _] = &w.jobs;
    let d = store.job(j1).await.unwrap().expect("J1 is indexed");
    assert_eq!(d.summary.state, JobState::Completed);
    assert_eq!(d.summary.listed_at, T0);
    let kinds: Vec<(&str, u64)> = d.events.iter().map(|e| (e.kind.as_str(), e.slot)).collect();
    assert_eq!(kinds, vec![("list", 100), ("assign", 102), ("finish", 105)]);
    assert_eq!(d.events[1].node, w.n1);
    assert_eq!(d.events[1].run, key("Run", 1));
    assert_eq!(d.events[0].signature, sig(100, 0));
    let flows: Vec<(&str, u64)> = d.flows.iter().map(|f| (f.kind.as_str(), f.amount)).collect();
    assert_eq!(flows, vec![("deposit", 36_000), ("fee", 3_600), ("payout", 300), ("refund", 35_700)]);
    assert_eq!(d.flows[2].wallet, w.n1);
    let account = d.account.expect("the job account is indexed");
    assert_eq!((account.price, account.timeout, account.state), (10, 3600, 0));
    assert_eq!(account.ipfs_job, "QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p");

    let d4 = store.job(j4).await.unwrap().unwrap();
    let kinds: Vec<&str> = d4.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["list", "assign"], "list before assign at one position");
    assert!(d4.account.is_none());
}

#[tokio::test]
async fn replaying_slot_batches_doubles_nothing() {
    let (store, w) = store_with_world("x_replay").await;
    let before = (
        store.jobs(&all(500)).await.unwrap(),
        store.job_stats().await.unwrap(),
        store.nodes(&NodeFilter::default()).await.unwrap(),
    );
    let days = store.treasury_daily(T0, T0 + 86_400).await.unwrap();
    // A crash after everything but the slots rows of 103..=106: the indexer sends them again.
    let again = ChStore::open(&config("x_replay"), 2).await.unwrap();
    for b in batches(&w).into_iter().skip(3) {
        // Only account states whose older versions were merged away may be written again;
        // the read models take nothing from them that could count twice.
        again.write(&b).await.unwrap();
    }
    // Snapshots rewrite open accounts (runs included) without slot gating.
    let open_runs: Vec<AccountStateRow> =
        batches(&w).into_iter().flat_map(|b| b.account_states).filter(|a| a.kind == "run" && a.closed == 0).collect();
    again.write_account_snapshot(&open_runs).await.unwrap();
    let after = (
        again.jobs(&all(500)).await.unwrap(),
        again.job_stats().await.unwrap(),
        again.nodes(&NodeFilter::default()).await.unwrap(),
    );
    assert_eq!(before, after);
    assert_eq!(days, again.treasury_daily(T0, T0 + 86_400).await.unwrap());
    let d = again.job(&w.jobs[0]).await.unwrap().unwrap();
    assert_eq!(d.events.len(), 3);
    assert_eq!(d.flows.len(), 4);
}

#[tokio::test]
async fn job_stats_count_states_markets_and_money() {
    let (store, w) = store_with_world("x_stats").await;
    let s = store.job_stats().await.unwrap();
    assert_eq!(s.jobs, 5);
    assert_eq!(
        (
            s.states.queued,
            s.states.running,
            s.states.completed,
            s.states.stopped,
            s.states.delisted,
            s.states.recovered
        ),
        (1, 1, 1, 1, 1, 0)
    );
    assert_eq!(s.states.total(), 5);
    assert_eq!((s.deposit, s.payout, s.refund, s.fee), (36_000 + 1_000 + 2_000 + 500 + 700, 300, 37_700, 3_700));
    let m1 = s.markets.iter().find(|m| m.market == w.m1).unwrap();
    assert_eq!((m1.jobs, m1.states.queued, m1.states.completed, m1.payout), (4, 1, 1, 300));
    let m2 = s.markets.iter().find(|m| m.market == w.m2).unwrap();
    assert_eq!((m2.jobs, m2.states.running), (1, 1));
}

#[tokio::test]
async fn nodes_carry_tier_stake_earnings_and_jobs() {
    let (store, w) = store_with_world("x_nodes").await;
    let page = store.nodes(&NodeFilter { limit: 500, ..NodeFilter::default() }).await.unwrap();
    let mut got: Vec<&str> = page.items.iter().map(|n| n.address.as_str()).collect();
    let mut expect = vec![w.n1.as_str(), w.n2.as_str(), w.n3.as_str(), w.n4.as_str()];
    expect.sort();
    got.sort();
    assert_eq!(got, expect);
    assert_eq!(page.total, 4);
    let n1 = store.node(&w.n1).await.unwrap().expect("N1 is a node");
    assert_eq!(n1.summary.market, w.m1);
    assert_eq!((n1.summary.stake, n1.summary.xnos.as_str()), (5_000, "5575"));
    assert_eq!((n1.summary.earned, n1.summary.jobs, n1.summary.running), (300, 1, 0));
    assert!(n1.summary.registered);
    assert_eq!(n1.summary.last_slot, 106, "registration counts as seen");
    assert_eq!(n1.account.as_ref().map(|a| (a.country, a.gpu)), Some((528, 1)));
    let n3 = store.node(&w.n3).await.unwrap().unwrap();
    assert_eq!((n3.summary.jobs, n3.summary.running), (1, 1));
    assert_eq!(n3.running_jobs, vec![w.jobs[3].clone()]);
    let n4 = store.node(&w.n4).await.unwrap().unwrap();
    assert_eq!(n4.summary.queued_in, vec![w.m2.clone()]);
    assert_eq!(n4.summary.market, w.m2);
    let tier = store.nodes(&NodeFilter { market: Some(w.m2.clone()), ..NodeFilter::default() }).await.unwrap();
    let mut got: Vec<&str> = tier.items.iter().map(|n| n.address.as_str()).collect();
    got.sort();
    let mut expect = vec![w.n4.as_str()];
    expect.sort();
    assert_eq!(got, expect, "N3's run in M2 names no market; N4 waits in M2");
    let paged = store.nodes(&NodeFilter { limit: 1, offset: 1, ..NodeFilter::default() }).await.unwrap();
    assert_eq!((paged.items.len(), paged.total), (1, 4));
}

#[tokio::test]
async fn markets_carry_their_queue_and_job_counts() {
    let (store, w) = store_with_world("x_markets").await;
    let markets = store.markets().await.unwrap();
    assert_eq!(markets.len(), 2);
    let m1 = store.market(&w.m1).await.unwrap().expect("M1 exists");
    assert_eq!(m1.queue, vec![w.jobs[2].clone()]);
    assert_eq!((m1.summary.queue_type, m1.summary.queue_length, m1.summary.job_price), (0, 1, 10));
    assert_eq!(m1.summary.jobs, MarketJobCounts { listed: 4, started: 2, completed: 1, delisted: 1 });
    assert_eq!(m1.summary.vault_balance, Some(500));
    assert_eq!(m1.summary.slot, 105);
    let m2 = store.market(&w.m2).await.unwrap().unwrap();
    assert_eq!((m2.summary.queue_type, m2.queue.clone()), (1, vec![w.n4.clone()]));
    assert_eq!(m2.summary.jobs.listed, 1);
    assert_eq!(m2.summary.jobs.started, 1);
}

#[tokio::test]
async fn stakes_rewards_and_pools_page_by_address() {
    let (store, w) = store_with_world("x_accounts").await;
    let open = store.stakes(&AccountPage { limit: 500, ..AccountPage::default() }).await.unwrap();
    assert_eq!(open.items.len(), 2);
    let n1 = open.items.iter().find(|s| s.authority == w.n1).unwrap();
    assert_eq!((n1.amount, n1.duration, n1.time_unstake, n1.xnos.as_str()), (5_000, 1_209_600, 0, "5575"));
    assert_eq!(n1.vault, key("Sv", 1));
    let with_closed =
        store.stakes(&AccountPage { limit: 500, include_closed: true, ..AccountPage::default() }).await.unwrap();
    assert_eq!(with_closed.items.len(), 3);
    assert!(with_closed.items.iter().any(|s| s.closed && s.amount == 0));
    // Keyset paging by address.
    let first = store.stakes(&AccountPage { limit: 1, include_closed: true, ..AccountPage::default() }).await.unwrap();
    let second =
        store.stakes(&AccountPage { limit: 2, include_closed: true, after: first.next.clone() }).await.unwrap();
    let mut all: Vec<String> = first.items.iter().chain(&second.items).map(|s| s.address.clone()).collect();
    assert_eq!(second.next, None);
    all.dedup();
    assert_eq!(all, with_closed.items.iter().map(|s| s.address.clone()).collect::<Vec<_>>());

    let rewards = store.rewards(&AccountPage::default()).await.unwrap();
    assert_eq!(rewards.items.len(), 1);
    assert_eq!(rewards.items[0].reflection, "340282366920938463463374607431768211455");
    assert_eq!(rewards.items[0].xnos, "36000");
    let pools = store.pools(&AccountPage::default()).await.unwrap();
    assert_eq!(pools.items.len(), 1);
    let p = &pools.items[0];
    assert_eq!(
        (p.claim_type, p.claimed_tokens, p.closeable, p.emission, p.start_time),
        (1, 1000, true, 25_367, 1_661_780_725)
    );
    assert_eq!((p.beneficiary.clone(), p.vault.clone()), (key("Ben", 1), key("Pv", 1)));
}

#[tokio::test]
async fn a_transaction_comes_with_its_instructions_events_and_flows() {
    let (store, w) = store_with_world("x_tx").await;
    let t = store.transaction(&sig(105, 0)).await.unwrap().expect("the finish is indexed");
    assert_eq!((t.slot, t.tx_index, t.block_time, t.success, t.fee), (105, 0, T0 + 50, true, 5000));
    assert_eq!(t.instructions.len(), 1);
    assert_eq!(t.instructions[0].name, "finish");
    assert_eq!(t.instructions[0].accounts[0], ("job".to_string(), w.jobs[0].clone()));
    assert_eq!(t.instructions[0].args["timeout"], 3600);
    assert_eq!(t.job_events.len(), 1);
    assert_eq!((t.job_events[0].kind.as_str(), t.job_events[0].job.as_str()), ("finish", w.jobs[0].as_str()));
    let flows: Vec<&str> = t.flows.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(flows, vec!["payout", "refund"]);
}

#[tokio::test]
async fn treasury_days_sum_burns_mints_and_emissions_and_fill_quiet_days() {
    let (store, _) = store_with_world("x_treasury").await;
    let days = store.treasury_daily(T0 - 86_400, T0 + 86_400).await.unwrap();
    assert_eq!(days.len(), 3);
    assert_eq!(days[0].date, "2023-11-13");
    assert_eq!(days[1].day, 1_699_920_000);
    assert_eq!((days[0].burned, days[0].emitted, days[0].fees), (0, 0, 0));
    assert_eq!(days[1].fees, 3_700);
    let d2 = &days[2];
    assert_eq!((d2.date.as_str(), d2.burned, d2.minted, d2.emitted, d2.claimed), ("2023-11-15", 777, 50, 1_000, 200));
    assert_eq!(d2.net_emission, 50 + 1_000 - 777);
    assert!(store.treasury_daily(T0, T0 - 86_400).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_latest_slot_is_the_highest_written_one() {
    let store = ChStore::open(&config("x_latest"), 1).await.unwrap();
    assert_eq!(store.latest_slot().await.unwrap(), None);
    let w = world();
    for b in batches(&w) {
        store.write(&b).await.unwrap();
    }
    let latest = store.latest_slot().await.unwrap().expect("slots are written");
    assert_eq!((latest.slot, latest.block_time, latest.indexed_at), (106, T0 + 86_400, T0 + 86_401));
    assert!(latest.server_time > T0 + 86_400);
    assert!(latest.lag_seconds() > 0);
}

#[tokio::test]
async fn the_migration_backfills_what_was_written_before_it() {
    // A database at version 4 holding the world, then migrated to 5.
    let db = "x_backfill";
    let ch = server();
    ch.query(&format!("CREATE DATABASE {db}")).unwrap();
    ch.query(&format!(
        "CREATE TABLE {db}.schema_migrations (version UInt32, name String, applied_at DateTime) \
         ENGINE = ReplacingMergeTree() ORDER BY version"
    ))
    .unwrap();
    for m in MIGRATIONS.iter().filter(|m| m.version <= 4) {
        let sql: String =
            m.sql.lines().map(|l| l.split("--").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
        for s in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            ch.query(&s.replace("{db}", db)).unwrap();
        }
        ch.query(&format!("INSERT INTO {db}.schema_migrations VALUES ({}, '{}', 1)", m.version, m.name)).unwrap();
    }
    let old = ChStore::connect(&config(db)).unwrap();
    let w = world();
    for b in batches(&w) {
        old.write(&b).await.unwrap();
    }
    let migrated = ChStore::open(&config(db), 2).await.unwrap();
    assert_eq!(migrated.applied_migrations().await.unwrap().len(), MIGRATIONS.len());
    let (fresh, _) = store_with_world("x_backfill_fresh").await;
    assert_eq!(migrated.jobs(&all(500)).await.unwrap(), fresh.jobs(&all(500)).await.unwrap());
    for filter in [
        JobFilter { market: Some(w.m1.clone()), ..all(500) },
        JobFilter { project: Some(w.p2.clone()), ..all(500) },
        JobFilter { payer: Some(w.w1.clone()), ..all(500) },
        JobFilter { node: Some(w.n2.clone()), ..all(500) },
    ] {
        let migrated = migrated.jobs(&filter).await.unwrap();
        assert!(!migrated.items.is_empty(), "{filter:?}");
        assert_eq!(migrated, fresh.jobs(&filter).await.unwrap(), "{filter:?}");
    }
    assert_eq!(migrated.job_stats().await.unwrap(), fresh.job_stats().await.unwrap());
    assert_eq!(
        migrated.nodes(&NodeFilter::default()).await.unwrap(),
        fresh.nodes(&NodeFilter::default()).await.unwrap()
    );
    assert_eq!(migrated.transaction(&sig(105, 0)).await.unwrap(), fresh.transaction(&sig(105, 0)).await.unwrap());
    assert_eq!(migrated.job(&w.jobs[0]).await.unwrap(), fresh.job(&w.jobs[0]).await.unwrap());
}

#[tokio::test]
async fn nosanas_aggregates_count_completed_jobs_open_stakes_and_filtered_jobs() {
    let (store, w) = store_with_world("x_nosana").await;
    // J1 is the one completed job: run from T0 + 20 to T0 + 50, paid 300 and a fee of 3,600.
    let j1_day = CompletedJobsDay {
        day: (T0 + 20) / 86_400,
        key: String::new(),
        completed: 1,
        duration: 30,
        payout: 300,
        fee: 3_600,
    };
    let all_completed = CompletedJobsFilter::default();
    assert_eq!(store.completed_jobs_by_day(&all_completed, None).await.unwrap(), vec![j1_day.clone()]);
    let by_market = store.completed_jobs_by_day(&all_completed, Some(CompletedJobsGroup::Market)).await.unwrap();
    assert_eq!(by_market, vec![CompletedJobsDay { key: w.m1.clone(), ..j1_day.clone() }]);
    let by_project = store.completed_jobs_by_day(&all_completed, Some(CompletedJobsGroup::Project)).await.unwrap();
    assert_eq!(by_project[0].key, w.p1);
    for (filter, n) in [
        (CompletedJobsFilter { node: Some(w.n1.clone()), ..Default::default() }, 1),
        (CompletedJobsFilter { node: Some(w.n2.clone()), ..Default::default() }, 0),
        (CompletedJobsFilter { market: Some(w.m2.clone()), ..Default::default() }, 0),
        (CompletedJobsFilter { project: Some(w.p1.clone()), payer: Some(w.w1.clone()), ..Default::default() }, 1),
        (CompletedJobsFilter { started_from: Some(T0 + 20), ..Default::default() }, 1),
        (CompletedJobsFilter { started_from: Some(T0 + 21), ..Default::default() }, 0),
        (CompletedJobsFilter { ended_to: Some(T0 + 49), ..Default::default() }, 0),
    ] {
        let days = store.completed_jobs_by_day(&filter, None).await.unwrap();
        assert_eq!(days.iter().map(|d| d.completed).sum::<u64>(), n, "{filter:?}");
    }
    // Two open stakes (5,000 and 9,000 NOS base units, xNOS 5,575 and 36,000); the closed one
    // does not count.
    let stakes = store.stake_totals(i64::from(T0) + 86_400).await.unwrap();
    assert_eq!((stakes.stakers, stakes.nos_staked, stakes.xnos), (2, 14_000.0, 41_575.0));
    // Job counts follow the list's filters.
    let count = |f: JobFilter| {
        let store = &store;
        async move { store.job_count(&f).await.unwrap() }
    };
    assert_eq!(count(all(1)).await, 5);
    assert_eq!(count(JobFilter { states: vec![JobState::Completed], ..all(1) }).await, 1);
    assert_eq!(count(JobFilter { market: Some(w.m1.clone()), ..all(1) }).await, 4);
    assert_eq!(count(JobFilter { node: Some(w.n2.clone()), ..all(1) }).await, 1);
    assert_eq!(
        count(JobFilter {
            project: Some(w.p2.clone()),
            states: vec![JobState::Stopped, JobState::Recovered],
            ..all(1)
        })
        .await,
        1
    );
    assert_eq!(count(JobFilter { listed_from: Some(T0 + 86_400), ..all(1) }).await, 1);
    // Every state but delisted (what Nosana's /jobs counts) is counted without the delisted J5.
    let nosanas: Vec<JobState> = JobState::ALL.into_iter().filter(|s| *s != JobState::Delisted).collect();
    assert_eq!(count(JobFilter { states: nosanas.clone(), ..all(1) }).await, 4);
    assert_eq!(count(JobFilter { states: nosanas.clone(), project: Some(w.p2.clone()), ..all(1) }).await, 1);
    assert_eq!(count(JobFilter { states: nosanas, market: Some(w.m2.clone()), ..all(1) }).await, 1);
    // An offset is a cursor after that many jobs of the same filter.
    let every = addresses(&store.jobs(&all(500)).await.unwrap()).into_iter().map(String::from).collect::<Vec<_>>();
    for offset in 0..=6u64 {
        let cursor = store.job_cursor_after(&all(1), offset).await.unwrap();
        assert_eq!(cursor.is_none(), offset == 0);
        let page = store.jobs(&JobFilter { cursor, ..all(2) }).await.unwrap();
        let expect: Vec<String> = every.iter().skip(offset as usize).take(2).cloned().collect();
        assert_eq!(addresses(&page), expect, "offset {offset}");
    }
}
