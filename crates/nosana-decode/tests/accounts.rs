//! Account writes: every kind of Nosana account, NOS token accounts and the mint decode with
//! their key fields; closes, foreign accounts and corrupted data are told apart.

mod support;

use nosana_decode::{AccountDecode, AccountKind, AccountState, RawAccount, decode_account};
use nosana_layouts::Pubkey;
use nosana_layouts::accounts::{AnchorAccount, JobAccount, LEGACY_JOB_SPACE};
use nosana_layouts::cid::cid_to_bytes;
use nosana_layouts::discriminator::CLOSED_ACCOUNT_DISCRIMINATOR;
use nosana_layouts::ids::{self, NOS, NOS_MINT, TOKEN_PROGRAM_ID};
use nosana_layouts::pda;
use nosana_layouts::spl::TokenAccount;
use nosana_reference::client::{jobs, pools, rewards, staking};
use nosana_reference::genesis::address;
use support::world::{TIMEOUT, World};

fn raw(pubkey: Pubkey, owner: Pubkey, lamports: u64, data: Vec<u8>) -> RawAccount {
    RawAccount { pubkey, owner, lamports, data, slot: 7, write_version: 3, txn_signature: None }
}

fn state(d: AccountDecode) -> AccountState {
    match d {
        AccountDecode::State(s) => s,
        other => panic!("not a state: {other:?}"),
    }
}

/// A world with one of every Nosana account kind: market, job, run (node 0 took the job), stake,
/// settings, reflection, reward, pool and node.
fn busy_world() -> World {
    let mut w = World::new(10);
    let _ = w.list(TIMEOUT);
    let _ = w.work(0);
    let staker = w.g.wallet("staker", 1_000 * NOS).unwrap();
    w.ok(&staker, &[staking::stake(&staker, 1_000 * NOS, 1_209_600), rewards::enter(&staker)]);
    let treasury = w.g.wallet("treasury", 10 * NOS).unwrap();
    let now = w.g.bank.clock.unix_timestamp;
    let pool = address("pool");
    w.ok(&treasury, &[pools::open(&pool, &treasury, &pda::rewards_vault().0, NOS, now, 1, true)]);
    let node = w.nodes[1];
    let specs = nosana_layouts::instructions::nodes::NodeSpecs {
        architecture_type: 0,
        country_code: 528,
        cpu: 16,
        gpu: 1,
        memory: 64,
        iops: 1,
        storage: 1,
        endpoint: "https://node".into(),
        icon: String::new(),
        version: "1.0".into(),
    };
    w.ok(&node, &[nosana_reference::client::nodes::register(&node, &node, &specs)]);
    w
}

fn bank_account(w: &World, key: &Pubkey) -> RawAccount {
    let a = w.g.bank.get(key).expect("account exists");
    raw(*key, a.owner, a.lamports, a.data.clone())
}

#[test]
fn every_kind_of_nosana_account_decodes_with_its_key_fields() {
    let w = busy_world();
    let mut kinds = Vec::new();
    for (key, a) in w.g.bank.accounts() {
        if nosana_decode::Program::of(&a.owner).is_none() {
            continue;
        }
        let s = state(decode_account(&bank_account(&w, key)));
        assert!(!s.closed && s.json.is_object());
        assert_eq!((s.pubkey, s.program, s.slot, s.write_version), (*key, a.owner, 7, 3));
        match s.kind {
            AccountKind::Market => {
                assert_eq!((s.authority, s.market, s.amount), (w.owner, w.market, 100));
                // Node 0 took the listed job: the queue is empty again.
                assert_eq!(
                    (s.json["queue"].as_array().map(Vec::len), s.json["queue_type"].as_u64()),
                    (Some(0), Some(255))
                );
            }
            AccountKind::Job => {
                assert_eq!((s.authority, s.market, s.amount), (w.project, w.market, 100));
                assert_eq!(s.json["layout"], "current");
                assert_eq!(s.json["timeout"], TIMEOUT);
            }
            AccountKind::Stake if s.authority != w.nodes[0] && s.authority != w.nodes[1] => {
                assert_eq!(s.amount, u128::from(1_000 * NOS));
            }
            AccountKind::Reward | AccountKind::Pool => assert!(s.authority != Pubkey::default()),
            AccountKind::Run => assert_eq!(s.authority, w.nodes[0]),
            AccountKind::Node => assert_eq!((s.authority, &s.json["endpoint"]), (w.nodes[1], &"https://node".into())),
            AccountKind::Reflection => {
                // The staker's xNOS plus the list's fee (a tenth of 100/s × 3,600 s).
                assert_eq!(s.amount, nosana_layouts::math::xnos(1_000 * NOS, 1_209_600) + 36_000);
            }
            _ => {}
        }
        kinds.push(format!("{:?}", s.kind));
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["Job", "Market", "Node", "Pool", "Reflection", "Reward", "Run", "Settings", "Stake"]);
}

#[test]
fn corrupted_data_of_every_nosana_account_is_quarantined_with_its_bytes() {
    let w = busy_world();
    let mut checked = 0;
    for (key, a) in w.g.bank.accounts() {
        if nosana_decode::Program::of(&a.owner).is_none() {
            continue;
        }
        let mut wrong_discriminator = bank_account(&w, key);
        wrong_discriminator.data[0] ^= 0x55;
        let mut truncated = bank_account(&w, key);
        truncated.data.truncate(20);
        for bad in [wrong_discriminator, truncated] {
            match decode_account(&bad) {
                AccountDecode::Quarantine(q) => {
                    assert_eq!((q.at, q.program, q.account, &q.data), (None, a.owner, *key, &bad.data));
                    assert!(!q.reason.is_empty());
                }
                other => panic!("{key}: {other:?}"),
            }
        }
        checked += 1;
    }
    assert!(checked >= 9, "{checked}");
}

#[test]
fn a_legacy_232_byte_job_decodes_as_legacy() {
    let job = JobAccount {
        ipfs_job: cid_to_bytes("QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p").unwrap(),
        ipfs_result: [0; 32],
        market: "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf".parse().unwrap(),
        node: Pubkey::default(),
        payer: "4WtG17Vn3SSoTAVvXxpopQTG3Qo9NUK28Zotv4rL1ccv".parse().unwrap(),
        price: 115,
        project: "4WtG17Vn3SSoTAVvXxpopQTG3Qo9NUK28Zotv4rL1ccv".parse().unwrap(),
        state: 2,
        time_end: 1_722_365_101,
        time_start: 1_722_365_093,
        timeout: 0,
    };
    // The legacy layout is the current one without the trailing timeout.
    let data = job.to_account_data().unwrap()[..LEGACY_JOB_SPACE].to_vec();
    let s = state(decode_account(&raw(Pubkey::new_unique(), ids::JOBS_PROGRAM_ID, 1, data)));
    assert_eq!(s.json["layout"], "legacy");
    assert_eq!(s.json["ipfs_job"], "QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p");
    assert_eq!((s.authority, s.market, s.amount), (job.project, job.market, 115));
}

#[test]
fn closes_are_closed_with_null_json_and_the_kind_their_bytes_still_tell() {
    let w = busy_world();
    let market = bank_account(&w, &w.market);
    let zero_lamports = RawAccount { lamports: 0, ..market.clone() };
    let s = state(decode_account(&zero_lamports));
    assert_eq!((s.kind, s.closed, s.json.clone()), (AccountKind::Market, true, serde_json::Value::Null));
    let old_anchor = RawAccount { data: CLOSED_ACCOUNT_DISCRIMINATOR.to_vec(), ..market.clone() };
    assert_eq!(state(decode_account(&old_anchor)).kind, AccountKind::Unknown);
    let emptied = RawAccount { data: vec![], ..market };
    assert!(state(decode_account(&emptied)).closed);
    // As the node streams a close: zero lamports, no data, owned by the System program.
    let gone = raw(w.market, ids::SYSTEM_PROGRAM_ID, 0, vec![]);
    let s = state(decode_account(&gone));
    assert_eq!((s.kind, s.closed, s.program), (AccountKind::Unknown, true, ids::SYSTEM_PROGRAM_ID));
}

#[test]
fn nos_token_accounts_and_the_mint_decode_and_other_tokens_and_wallets_are_ignored() {
    let w = busy_world();
    let ata = pda::nos_ata(&w.project);
    let s = state(decode_account(&bank_account(&w, &ata)));
    assert_eq!((s.kind, s.authority, s.program), (AccountKind::TokenAccount, w.project, TOKEN_PROGRAM_ID));
    assert_eq!(s.amount, u128::from(w.g.bank.token_balance(&ata)));
    assert_eq!(s.json["mint"], NOS_MINT.to_string());

    let mint = state(decode_account(&bank_account(&w, &NOS_MINT)));
    let supply = w.g.bank.mint(&NOS_MINT).unwrap().supply;
    assert_eq!((mint.kind, mint.amount, mint.authority), (AccountKind::Mint, u128::from(supply), w.g.mint_authority));

    let other = TokenAccount::new(Pubkey::new_unique(), w.project, 5).pack();
    assert_eq!(decode_account(&raw(Pubkey::new_unique(), TOKEN_PROGRAM_ID, 1, other)), AccountDecode::Ignored);
    assert_eq!(decode_account(&bank_account(&w, &w.project)), AccountDecode::Ignored, "a wallet");
    let mut uninitialised = TokenAccount::new(NOS_MINT, w.project, 5);
    uninitialised.state = 0;
    assert!(matches!(
        decode_account(&raw(Pubkey::new_unique(), TOKEN_PROGRAM_ID, 1, uninitialised.pack())),
        AccountDecode::Quarantine(_)
    ));
    assert!(matches!(decode_account(&raw(NOS_MINT, TOKEN_PROGRAM_ID, 1, vec![1; 40])), AccountDecode::Quarantine(_)));
}

#[test]
fn a_closed_run_write_from_the_block_producer_is_an_unknown_close() {
    // finish closes the run: the producer writes it as zero lamports, no data, System-owned.
    let mut w = World::new(0);
    let (job, _, _) = w.list(TIMEOUT);
    let (run, _) = w.work(0);
    let node = w.nodes[0];
    let parties = jobs::RunParties { job_payer: w.project, run_payer: node, node };
    w.ok(&node, &[jobs::finish(&job, &run, &w.market, &parties, 100, [1; 32])]);
    assert!(w.g.bank.get(&run).is_none());
    let s = state(decode_account(&raw(run, ids::SYSTEM_PROGRAM_ID, 0, vec![])));
    assert_eq!((s.kind, s.closed), (AccountKind::Unknown, true));
    let job_state = state(decode_account(&bank_account(&w, &job)));
    assert_eq!(
        (job_state.json["state"].as_u64(), job_state.json["node"].as_str()),
        (Some(2), Some(node.to_string().as_str()))
    );
}
