//! The Yellowstone gRPC server against the official Rust client (`yellowstone-grpc-client`
//! 17.0.0) over real TCP: unary calls, Subscribe filters and ordering, commitment buffering,
//! replay, backpressure, reconnects across injected drops, health and auth.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use common::{GENESIS_SLOT, Node, World, token_program};
use futures::{SinkExt, Stream, StreamExt};
use nosana_chain::{MessageVersion, Signer};
use nosana_layouts::ids::{NOS, NOS_MINT, TOKEN_PROGRAM_ID};
use nosana_layouts::pda;
use nosana_node::grpc::{GrpcConfig, Stall};
use nosana_node::ledger::LedgerConfig;
use solana_transaction_error::TransactionError as SolTx;
use tokio::time::{Instant, timeout};
use tonic::{Code, Status};
use yellowstone_grpc_client::{
    GeyserGrpcClient, GeyserGrpcClientError, ReconnectConfig, ReconnectEvent, SubscribeRequestSink,
};
use yellowstone_grpc_proto::prelude::subscribe_request_filter_accounts_filter::Filter as AccountsFilter;
use yellowstone_grpc_proto::prelude::subscribe_request_filter_accounts_filter_memcmp::Data as MemcmpData;
use yellowstone_grpc_proto::prelude::subscribe_update::UpdateOneof;
use yellowstone_grpc_proto::prelude::*;

const WAIT: Duration = Duration::from_secs(10);

async fn client(node: &Node) -> GeyserGrpcClient {
    client_with_token(node, None).await
}

async fn client_with_token(node: &Node, token: Option<&str>) -> GeyserGrpcClient {
    GeyserGrpcClient::build_from_shared(node.endpoint())
        .unwrap()
        .x_token(token.map(str::to_string))
        .unwrap()
        .max_decoding_message_size(1 << 30)
        .connect()
        .await
        .unwrap()
}

fn status_of(e: GeyserGrpcClientError) -> Status {
    match e {
        GeyserGrpcClientError::TonicStatus(s) => s,
        other => panic!("expected a gRPC status, got {other}"),
    }
}

/// The next update that is not a server ping.
async fn next<S>(stream: &mut S) -> SubscribeUpdate
where
    S: Stream<Item = Result<SubscribeUpdate, Status>> + Unpin,
{
    loop {
        let update = timeout(WAIT, stream.next()).await.expect("an update in time").expect("stream open");
        let update = update.expect("no error");
        if !matches!(update.update_oneof, Some(UpdateOneof::Ping(_))) {
            return update;
        }
    }
}

/// The stream's terminating error.
async fn error_of<S>(stream: &mut S) -> Status
where
    S: Stream<Item = Result<SubscribeUpdate, Status>> + Unpin,
{
    loop {
        match timeout(WAIT, stream.next()).await.expect("an update in time") {
            Some(Ok(_)) => continue,
            Some(Err(status)) => return status,
            None => panic!("stream ended without an error"),
        }
    }
}

/// Updates (pings excluded) up to and including the first one `stop` accepts.
async fn until<S>(stream: &mut S, stop: impl Fn(&SubscribeUpdate) -> bool) -> Vec<SubscribeUpdate>
where
    S: Stream<Item = Result<SubscribeUpdate, Status>> + Unpin,
{
    let mut out = vec![];
    loop {
        let update = next(stream).await;
        let done = stop(&update);
        out.push(update);
        if done {
            return out;
        }
    }
}

/// Updates (pings excluded) that arrive within `window`.
async fn quiet<S>(stream: &mut S, window: Duration) -> Vec<SubscribeUpdate>
where
    S: Stream<Item = Result<SubscribeUpdate, Status>> + Unpin,
{
    let mut out = vec![];
    let deadline = Instant::now() + window;
    while let Ok(Some(update)) = tokio::time::timeout_at(deadline, stream.next()).await {
        let update = update.expect("no error");
        if !matches!(update.update_oneof, Some(UpdateOneof::Ping(_))) {
            out.push(update);
        }
    }
    out
}

/// Sends a ping request and waits for its pong: every request sent before has been applied.
async fn barrier<S>(sink: &mut SubscribeRequestSink, stream: &mut S, id: i32)
where
    S: Stream<Item = Result<SubscribeUpdate, Status>> + Unpin,
{
    sink.send(SubscribeRequest { ping: Some(SubscribeRequestPing { id }), ..Default::default() }).await.unwrap();
    let seen = until(
        stream,
        |u| matches!(u.update_oneof, Some(UpdateOneof::Pong(SubscribeUpdatePong { id: got })) if got == id),
    )
    .await;
    assert!(seen.len() == 1, "nothing expected before the pong: {:?}", shapes(&seen));
}

/// Opens a subscription and waits until the server applied the request.
async fn subscribe(
    client: &mut GeyserGrpcClient,
    request: SubscribeRequest,
) -> (SubscribeRequestSink, impl Stream<Item = Result<SubscribeUpdate, Status>> + Unpin) {
    let (mut sink, mut stream) = client.subscribe_with_request(Some(request)).await.unwrap();
    barrier(&mut sink, &mut stream, 0).await;
    (sink, stream)
}

fn shape(u: &SubscribeUpdate) -> String {
    match u.update_oneof.as_ref().expect("an update") {
        UpdateOneof::Account(a) => format!("account:{}", a.slot),
        UpdateOneof::Transaction(t) => format!("tx:{}", t.slot),
        UpdateOneof::TransactionStatus(t) => format!("txstatus:{}", t.slot),
        UpdateOneof::Block(b) => format!("block:{}", b.slot),
        UpdateOneof::BlockMeta(b) => format!("meta:{}", b.slot),
        UpdateOneof::Slot(s) => {
            format!("slot:{}:{}", s.slot, SlotStatus::try_from(s.status).map(|s| s.as_str_name()).unwrap_or("?"))
        }
        UpdateOneof::Ping(_) => "ping".into(),
        UpdateOneof::Pong(p) => format!("pong:{}", p.id),
        other => format!("{other:?}"),
    }
}

fn shapes(us: &[SubscribeUpdate]) -> Vec<String> {
    us.iter().map(shape).collect()
}

fn is_meta(slot: u64) -> impl Fn(&SubscribeUpdate) -> bool {
    move |u| matches!(&u.update_oneof, Some(UpdateOneof::BlockMeta(m)) if m.slot == slot)
}

fn is_status(slot: u64, status: SlotStatus) -> impl Fn(&SubscribeUpdate) -> bool {
    move |u| matches!(&u.update_oneof, Some(UpdateOneof::Slot(s)) if s.slot == slot && s.status == status as i32)
}

fn all_transactions() -> HashMap<String, SubscribeRequestFilterTransactions> {
    HashMap::from([("all".to_string(), SubscribeRequestFilterTransactions::default())])
}

fn blocks_meta() -> HashMap<String, SubscribeRequestFilterBlocksMeta> {
    HashMap::from([("meta".to_string(), SubscribeRequestFilterBlocksMeta::default())])
}

fn slots(filter_by_commitment: bool, interslot: bool) -> HashMap<String, SubscribeRequestFilterSlots> {
    HashMap::from([(
        "slots".to_string(),
        SubscribeRequestFilterSlots {
            filter_by_commitment: Some(filter_by_commitment),
            interslot_updates: Some(interslot),
        },
    )])
}

#[tokio::test]
async fn unary_calls_answer_from_the_ledger_at_the_requested_commitment() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;

    let version: serde_json::Value = serde_json::from_str(&c.get_version().await.unwrap().version).unwrap();
    assert_eq!(version["version"]["package"], "depinscore-node");
    assert_eq!(version["version"]["proto"], "14.0.1");
    assert!(version["extra"]["hostname"].is_string());

    let empty = status_of(c.get_slot(None).await.unwrap_err());
    assert_eq!((empty.code(), empty.message()), (Code::Internal, "block is not available yet"));
    assert_eq!(c.subscribe_replay_info().await.unwrap().first_available, None);
    assert_eq!(c.ping(7).await.unwrap().count, 7);

    let mut w = World::new();
    let b1 = node.publish(w.produce(GENESIS_SLOT + 1, &[]));
    let b2 = node.publish(w.produce(GENESIS_SLOT + 2, &[]));
    let b3 = node.publish(w.produce(GENESIS_SLOT + 4, &[]));

    assert_eq!(c.get_slot(None).await.unwrap().slot, b3.slot);
    assert_eq!(c.get_slot(Some(CommitmentLevel::Processed)).await.unwrap().slot, b3.slot);
    assert_eq!(c.get_slot(Some(CommitmentLevel::Confirmed)).await.unwrap().slot, b2.slot);
    let not_final = status_of(c.get_slot(Some(CommitmentLevel::Finalized)).await.unwrap_err());
    assert_eq!(not_final.code(), Code::Internal);
    assert_eq!(c.get_block_height(None).await.unwrap().block_height, 3);
    assert_eq!(c.get_block_height(Some(CommitmentLevel::Confirmed)).await.unwrap().block_height, 2);

    let latest = c.get_latest_blockhash(Some(CommitmentLevel::Confirmed)).await.unwrap();
    assert_eq!(latest.slot, b2.slot);
    assert_eq!(latest.blockhash, b2.blockhash_base58());
    assert_eq!(latest.last_valid_block_height, 2 + 300);
    let processed = c.get_latest_blockhash(None).await.unwrap();
    assert_eq!((processed.slot, processed.blockhash), (b3.slot, b3.blockhash_base58()));

    let valid = c.is_blockhash_valid(b1.blockhash_base58(), None).await.unwrap();
    assert!(valid.valid);
    assert_eq!(valid.slot, b3.slot);
    // The newest blockhash is not yet known at confirmed.
    assert!(!c.is_blockhash_valid(b3.blockhash_base58(), Some(CommitmentLevel::Confirmed)).await.unwrap().valid);
    assert!(!c.is_blockhash_valid(bs58::encode([9u8; 32]).into_string(), None).await.unwrap().valid);
    assert!(!c.is_blockhash_valid("not base58!".into(), None).await.unwrap().valid);

    assert_eq!(c.subscribe_replay_info().await.unwrap().first_available, Some(b1.slot));
}

#[tokio::test]
async fn a_blockhash_older_than_300_blocks_is_no_longer_valid() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let mut w = World::new();
    let first = node.publish(w.produce(GENESIS_SLOT + 1, &[]));
    let second = node.publish(w.produce(GENESIS_SLOT + 2, &[]));
    for s in 3..=301 {
        node.publish(w.produce(GENESIS_SLOT + s, &[]));
    }
    // 301 blocks: the first has fallen out of the last 300, the second has not.
    assert!(!c.is_blockhash_valid(first.blockhash_base58(), None).await.unwrap().valid);
    assert!(c.is_blockhash_valid(second.blockhash_base58(), None).await.unwrap().valid);
}

#[tokio::test]
async fn a_transactions_filter_receives_exactly_the_matching_transactions_with_their_meta() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let request = SubscribeRequest {
        transactions: HashMap::from([
            (
                "tokens".to_string(),
                SubscribeRequestFilterTransactions {
                    account_include: vec![token_program().to_string()],
                    ..Default::default()
                },
            ),
            ("failed".to_string(), SubscribeRequestFilterTransactions { failed: Some(true), ..Default::default() }),
            (
                "v0-signature".to_string(),
                SubscribeRequestFilterTransactions { signature: Some("1".repeat(64)), ..Default::default() },
            ),
        ]),
        blocks_meta: blocks_meta(),
        ..Default::default()
    };
    let (_sink, mut stream) = subscribe(&mut c, request).await;

    let mut w = World::new();
    let block = node.publish(w.produce(GENESIS_SLOT + 1, &w.mix()));
    let updates = until(&mut stream, is_meta(block.slot)).await;
    let txs: Vec<&SubscribeUpdateTransaction> = updates
        .iter()
        .filter_map(|u| match &u.update_oneof {
            Some(UpdateOneof::Transaction(t)) => Some(t),
            _ => None,
        })
        .collect();
    // The SOL transfer (index 1) touches no token program and succeeds: not sent.
    let indexes: Vec<u64> = txs.iter().map(|t| t.transaction.as_ref().unwrap().index).collect();
    assert_eq!(indexes, vec![0, 2, 3]);
    let filters: Vec<&Vec<String>> =
        updates.iter().filter(|u| !u.filters.is_empty() && shape(u).starts_with("tx")).map(|u| &u.filters).collect();
    assert_eq!(
        filters,
        [&vec!["tokens".to_string()], &vec!["tokens".to_string()], &vec!["failed".to_string(), "tokens".to_string()]]
    );

    for t in &txs {
        let info = t.transaction.as_ref().unwrap();
        let ours = &block.transactions[info.index as usize];
        assert_eq!(t.slot, block.slot);
        assert_eq!(info.signature, ours.signature().as_ref());
        assert!(!info.is_vote);
        let tx = info.transaction.as_ref().unwrap();
        let message = tx.message.as_ref().unwrap();
        assert_eq!(message.versioned, ours.version == MessageVersion::V0);
        assert_eq!(message.account_keys.len(), ours.message.account_keys.len());
        assert_eq!(message.recent_blockhash, ours.message.recent_blockhash);
        assert_eq!(message.instructions[0].data, ours.message.instructions[0].data);
        let meta = info.meta.as_ref().unwrap();
        assert_eq!(meta.fee, ours.meta.fee);
        assert_eq!(meta.log_messages, ours.meta.log_messages);
        assert!(!meta.log_messages.is_empty() && !meta.log_messages_none && !meta.inner_instructions_none);
        assert_eq!(meta.pre_balances, ours.meta.pre_balances);
        assert_eq!(meta.compute_units_consumed, Some(ours.meta.compute_units_consumed));
        assert_eq!(meta.post_token_balances.len(), ours.meta.post_token_balances.len());
        match &ours.meta.status {
            Ok(()) => assert!(meta.err.is_none()),
            Err(e) => {
                let decoded: SolTx = bincode::deserialize(&meta.err.as_ref().unwrap().err).unwrap();
                assert_eq!(decoded, nosana_node::convert::error::to_solana(e));
                assert!(matches!(decoded, SolTx::InstructionError(0, _)), "{decoded:?}");
            }
        }
    }
    // The first transfer moved 1 NOS to bob: his post token balance shows it.
    let first = txs[0].transaction.as_ref().unwrap().meta.as_ref().unwrap();
    let keys =
        &txs[0].transaction.as_ref().unwrap().transaction.as_ref().unwrap().message.as_ref().unwrap().account_keys;
    let bob_ata = pda::nos_ata(&w.bob.pubkey()).to_bytes();
    let bob_post = first.post_token_balances.iter().find(|b| keys[b.account_index as usize] == bob_ata).unwrap();
    let amount = bob_post.ui_token_amount.as_ref().unwrap();
    assert_eq!((amount.amount.as_str(), amount.decimals, amount.ui_amount_string.as_str()), ("1000000", 6, "1"));
    assert_eq!(amount.ui_amount, 1.0);
    assert_eq!(bob_post.mint, NOS_MINT.to_string());
    assert_eq!(bob_post.owner, w.bob.pubkey().to_string());
    assert_eq!(bob_post.program_id, TOKEN_PROGRAM_ID.to_string());
}

#[tokio::test]
async fn transaction_status_updates_and_account_exclusion_follow_the_filters() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let w = World::new();
    let request = SubscribeRequest {
        transactions_status: HashMap::from([(
            "not-bob-paid".to_string(),
            SubscribeRequestFilterTransactions {
                account_exclude: vec![pda::nos_ata(&w.bob.pubkey()).to_string()],
                account_required: vec![w.bob.pubkey().to_string()],
                ..Default::default()
            },
        )]),
        blocks_meta: blocks_meta(),
        ..Default::default()
    };
    let (_sink, mut stream) = subscribe(&mut c, request).await;
    let mut w = w;
    let block = node.publish(w.produce(GENESIS_SLOT + 1, &w.mix()));
    let updates = until(&mut stream, is_meta(block.slot)).await;
    // Only the SOL transfer has bob without touching his token account.
    let statuses: Vec<&SubscribeUpdateTransactionStatus> = updates
        .iter()
        .filter_map(|u| match &u.update_oneof {
            Some(UpdateOneof::TransactionStatus(t)) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(statuses.len(), 1, "{:?}", shapes(&updates));
    assert_eq!(statuses[0].index, 1);
    assert_eq!(statuses[0].signature, block.transactions[1].signature().as_ref());
    assert!(statuses[0].err.is_none());
}

#[tokio::test]
async fn an_accounts_filter_by_owner_with_memcmp_sends_sliced_token_accounts() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let request = SubscribeRequest {
        accounts: HashMap::from([(
            "nos-accounts".to_string(),
            SubscribeRequestFilterAccounts {
                owner: vec![TOKEN_PROGRAM_ID.to_string()],
                filters: vec![
                    SubscribeRequestFilterAccountsFilter {
                        filter: Some(AccountsFilter::Memcmp(SubscribeRequestFilterAccountsFilterMemcmp {
                            offset: 0,
                            data: Some(MemcmpData::Base58(NOS_MINT.to_string())),
                        })),
                    },
                    SubscribeRequestFilterAccountsFilter { filter: Some(AccountsFilter::Datasize(165)) },
                ],
                ..Default::default()
            },
        )]),
        // The owner field of a token account.
        accounts_data_slice: vec![SubscribeRequestAccountsDataSlice { offset: 32, length: 32 }],
        blocks_meta: blocks_meta(),
        ..Default::default()
    };
    let (_sink, mut stream) = subscribe(&mut c, request).await;
    let mut w = World::new();
    let block = node.publish(w.produce(GENESIS_SLOT + 1, &[w.token_transfer(NOS, MessageVersion::Legacy)]));
    let updates = until(&mut stream, is_meta(block.slot)).await;
    let accounts: Vec<&SubscribeUpdateAccount> = updates
        .iter()
        .filter_map(|u| match &u.update_oneof {
            Some(UpdateOneof::Account(a)) => Some(a),
            _ => None,
        })
        .collect();
    let (alice, bob) = (w.alice.pubkey(), w.bob.pubkey());
    let got: BTreeSet<Vec<u8>> = accounts.iter().map(|a| a.account.as_ref().unwrap().pubkey.clone()).collect();
    let want: BTreeSet<Vec<u8>> =
        [pda::nos_ata(&alice), pda::nos_ata(&bob)].iter().map(|k| k.to_bytes().to_vec()).collect();
    assert_eq!(got, want, "only the two NOS token accounts, not alice's wallet");
    for a in &accounts {
        let info = a.account.as_ref().unwrap();
        let owner = if info.pubkey == pda::nos_ata(&alice).to_bytes() { alice } else { bob };
        assert_eq!(info.data, owner.to_bytes(), "the data slice holds the token account's owner");
        assert_eq!(info.owner, TOKEN_PROGRAM_ID.to_bytes());
        assert_eq!(info.rent_epoch, u64::MAX);
        assert_eq!(info.txn_signature.as_deref(), Some(block.transactions[0].signature().as_ref()));
        assert_eq!(a.slot, block.slot);
        assert_eq!(updates[0].filters, vec!["nos-accounts".to_string()]);
    }
}

#[tokio::test]
async fn at_processed_each_bank_streams_content_then_block_then_meta_then_statuses() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let request = SubscribeRequest {
        transactions: all_transactions(),
        accounts: HashMap::from([("accounts".to_string(), SubscribeRequestFilterAccounts::default())]),
        blocks: HashMap::from([("blocks".to_string(), SubscribeRequestFilterBlocks::default())]),
        blocks_meta: blocks_meta(),
        slots: slots(false, false),
        ..Default::default()
    };
    let (_sink, mut stream) = subscribe(&mut c, request).await;
    let mut w = World::new();
    let s1 = GENESIS_SLOT + 1;
    let s2 = GENESIS_SLOT + 2;
    let b1 = node.publish(w.produce(s1, &w.mix()));
    let b2 = node.publish(w.produce(s2, &w.mix()));
    let updates = until(&mut stream, is_status(s1, SlotStatus::SlotConfirmed)).await;
    let got = shapes(&updates);

    let bank = |slot: u64, block: &nosana_chain::Block| {
        let mut want = vec![];
        for tx in &block.transactions {
            let writes =
                block.account_writes.iter().filter(|a| a.txn_signature.as_ref() == Some(tx.signature())).count();
            want.extend(std::iter::repeat_n(format!("account:{slot}"), writes));
            want.push(format!("tx:{slot}"));
        }
        want.push(format!("block:{slot}"));
        want.push(format!("meta:{slot}"));
        want.push(format!("slot:{slot}:SLOT_PROCESSED"));
        want
    };
    let mut want = bank(s1, &b1);
    want.extend(bank(s2, &b2));
    want.push(format!("slot:{s1}:SLOT_CONFIRMED"));
    assert_eq!(got, want);

    let meta = updates.iter().find_map(|u| match &u.update_oneof {
        Some(UpdateOneof::BlockMeta(m)) if m.slot == s1 => Some(m.clone()),
        _ => None,
    });
    let meta = meta.unwrap();
    assert_eq!(meta.executed_transaction_count, 4);
    assert_eq!(meta.executed_transaction_count as usize, got.iter().filter(|s| **s == format!("tx:{s1}")).count());
    assert_eq!((meta.parent_slot, meta.blockhash.clone()), (GENESIS_SLOT, b1.blockhash_base58()));
    assert_eq!(meta.block_height.unwrap().block_height, 1);
    assert_eq!(meta.block_time.unwrap().timestamp, b1.block_time);
    assert!(updates.iter().all(|u| u.created_at.is_some()));
    let block = updates.iter().find_map(|u| match &u.update_oneof {
        Some(UpdateOneof::Block(b)) if b.slot == s1 => Some(b.clone()),
        _ => None,
    });
    let block = block.unwrap();
    assert_eq!(block.transactions.len(), 4);
    assert!(block.accounts.is_empty(), "include_accounts defaults to false");
}

#[tokio::test]
async fn a_confirmed_subscription_waits_for_confirmation_and_never_sees_a_dead_slot() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let request = SubscribeRequest {
        transactions: all_transactions(),
        accounts: HashMap::from([("accounts".to_string(), SubscribeRequestFilterAccounts::default())]),
        blocks_meta: blocks_meta(),
        slots: slots(true, false),
        commitment: Some(CommitmentLevel::Confirmed as i32),
        ..Default::default()
    };
    let (_sink, mut stream) = subscribe(&mut c, request).await;
    let mut w = World::new();
    let (s1, dead, s3, s4) = (GENESIS_SLOT + 1, GENESIS_SLOT + 2, GENESIS_SLOT + 3, GENESIS_SLOT + 4);
    // Alice pays twice in the slot: at confirmed only her last write goes out.
    let b1 = node.publish(
        w.produce(s1, &[w.token_transfer(1, MessageVersion::Legacy), w.token_transfer(2, MessageVersion::Legacy)]),
    );
    assert!(quiet(&mut stream, Duration::from_millis(300)).await.is_empty(), "nothing before confirmation");
    node.publish(w.produce_dead(dead, &w.mix()));
    assert!(quiet(&mut stream, Duration::from_millis(300)).await.is_empty(), "nothing of a dead slot");
    node.publish(w.produce(s3, &w.mix()));
    let updates = until(&mut stream, is_status(s1, SlotStatus::SlotConfirmed)).await;
    let got = shapes(&updates);
    let accounts = got.iter().filter(|s| s.starts_with("account")).count();
    // alice, her token account, bob's token account: each once.
    assert_eq!(accounts, 3, "{got:?}");
    assert_eq!(b1.account_writes.len(), 6);
    assert_eq!(got[got.len() - 2..], [format!("meta:{s1}"), format!("slot:{s1}:SLOT_CONFIRMED")]);
    assert_eq!(got.iter().filter(|s| s.starts_with("tx")).count(), 2);
    let last_alice_write = updates
        .iter()
        .filter_map(|u| match &u.update_oneof {
            Some(UpdateOneof::Account(a)) if a.account.as_ref().unwrap().pubkey == w.alice.pubkey().to_bytes() => {
                Some(a.account.as_ref().unwrap().write_version)
            }
            _ => None,
        })
        .collect::<Vec<_>>();
    let want = b1.account_writes.iter().filter(|a| a.pubkey == w.alice.pubkey()).map(|a| a.write_version).max();
    assert_eq!(last_alice_write, vec![want.unwrap()]);

    node.publish(w.produce(s4, &[]));
    let updates = until(&mut stream, is_status(s3, SlotStatus::SlotConfirmed)).await;
    assert!(shapes(&updates).iter().all(|s| s.contains(&s3.to_string())), "{:?}", shapes(&updates));
    assert!(quiet(&mut stream, Duration::from_millis(200)).await.is_empty());
}

#[tokio::test]
async fn interslot_updates_report_a_dead_slot_with_its_reason() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let request = SubscribeRequest {
        slots: slots(false, true),
        commitment: Some(CommitmentLevel::Confirmed as i32),
        ..Default::default()
    };
    let (_sink, mut stream) = subscribe(&mut c, request).await;
    let mut w = World::new();
    let dead = GENESIS_SLOT + 1;
    node.publish(w.produce_dead(dead, &w.mix()));
    let updates = until(&mut stream, is_status(dead, SlotStatus::SlotDead)).await;
    assert_eq!(shapes(&updates), [format!("slot:{dead}:SLOT_PROCESSED"), format!("slot:{dead}:SLOT_DEAD")]);
    match &updates[1].update_oneof {
        Some(UpdateOneof::Slot(s)) => {
            assert_eq!(s.dead_error.as_deref(), Some("fork abandoned"));
            assert_eq!(s.parent, Some(GENESIS_SLOT));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_new_request_replaces_the_whole_filter_set_and_a_ping_request_only_gets_a_pong() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let (mut sink, mut stream) =
        subscribe(&mut c, SubscribeRequest { slots: slots(false, false), ..Default::default() }).await;
    let mut w = World::new();
    let s1 = GENESIS_SLOT + 1;
    node.publish(w.produce(s1, &w.mix()));
    assert_eq!(
        shapes(&until(&mut stream, is_status(s1, SlotStatus::SlotProcessed)).await),
        [format!("slot:{s1}:SLOT_PROCESSED")]
    );

    // A ping request must not clear the slots filter.
    barrier(&mut sink, &mut stream, 41).await;
    let s2 = GENESIS_SLOT + 2;
    node.publish(w.produce(s2, &[]));
    let got = shapes(&until(&mut stream, is_status(s1, SlotStatus::SlotConfirmed)).await);
    assert_eq!(got, [format!("slot:{s2}:SLOT_PROCESSED"), format!("slot:{s1}:SLOT_CONFIRMED")]);

    sink.send(SubscribeRequest { blocks_meta: blocks_meta(), ..Default::default() }).await.unwrap();
    barrier(&mut sink, &mut stream, 42).await;
    let s3 = GENESIS_SLOT + 3;
    node.publish(w.produce(s3, &w.mix()));
    let update = next(&mut stream).await;
    assert_eq!(shape(&update), format!("meta:{s3}"));
    assert_eq!(update.filters, vec!["meta".to_string()]);
    assert!(quiet(&mut stream, Duration::from_millis(200)).await.is_empty(), "no slot updates any more");

    // An invalid replacement ends the stream with INVALID_ARGUMENT.
    let bad = SubscribeRequest {
        accounts: HashMap::from([(
            "bad".to_string(),
            SubscribeRequestFilterAccounts { account: vec!["nope".into()], ..Default::default() },
        )]),
        ..Default::default()
    };
    sink.send(bad).await.unwrap();
    let e = error_of(&mut stream).await;
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().starts_with("failed to create filter: "), "{}", e.message());
}

#[tokio::test]
async fn the_server_pings_every_interval() {
    let node = Node::start(GrpcConfig { ping_interval: Duration::from_millis(100), ..Default::default() }).await;
    let mut c = client(&node).await;
    let (_sink, mut stream) = c.subscribe_with_request(Some(SubscribeRequest::default())).await.unwrap();
    let started = Instant::now();
    let mut pings = 0;
    while pings < 3 {
        let update = timeout(WAIT, stream.next()).await.unwrap().unwrap().unwrap();
        assert!(matches!(update.update_oneof, Some(UpdateOneof::Ping(_))));
        assert!(update.filters.is_empty());
        pings += 1;
    }
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn from_slot_replays_the_ledger_then_continues_live_without_gaps_or_duplicates() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut w = World::new();
    for s in 1..=5 {
        node.publish(w.produce(GENESIS_SLOT + s, &w.mix()));
    }
    // Later slots arrive while the subscriber is replaying.
    let mut later = vec![];
    for s in 6..=40 {
        later.push(w.produce(GENESIS_SLOT + s, &[w.token_transfer(1, MessageVersion::V0)]));
    }
    let mut c = client(&node).await;
    let request = SubscribeRequest {
        transactions: all_transactions(),
        blocks_meta: blocks_meta(),
        slots: slots(true, false),
        from_slot: Some(GENESIS_SLOT + 2),
        ..Default::default()
    };
    let (_sink, mut stream) = c.subscribe_with_request(Some(request)).await.unwrap();
    let producer = {
        let ledger = node.ledger.clone();
        let events = node.events.clone();
        tokio::spawn(async move {
            for (block, statuses) in later {
                let block = std::sync::Arc::new(block);
                ledger.insert_block(block.clone());
                let _ = events.send(nosana_node::NodeEvent::Block(block.clone()));
                for (slot, status) in statuses {
                    ledger.set_status(slot, &status);
                    let parent = ledger.slot_state(slot).and_then(|s| s.parent);
                    let _ = events.send(nosana_node::NodeEvent::Status { slot, parent, status });
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let last = GENESIS_SLOT + 40;
    let updates = until(&mut stream, is_status(last, SlotStatus::SlotProcessed)).await;
    producer.await.unwrap();
    let metas: Vec<u64> = updates
        .iter()
        .filter_map(|u| match &u.update_oneof {
            Some(UpdateOneof::BlockMeta(m)) => Some(m.slot),
            _ => None,
        })
        .collect();
    assert_eq!(metas, (GENESIS_SLOT + 2..=last).collect::<Vec<_>>());
    let statuses: Vec<u64> = updates
        .iter()
        .filter_map(|u| match &u.update_oneof {
            Some(UpdateOneof::Slot(s)) => Some(s.slot),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, metas, "each processed status once, after its bank");
    let txs = updates.iter().filter(|u| shape(u).starts_with("tx:")).count();
    assert_eq!(txs, 4 * 4 + 35);
}

#[tokio::test]
async fn a_from_slot_older_than_the_replay_window_is_out_of_range() {
    let node =
        Node::start_with(GrpcConfig::default(), LedgerConfig { replay_slots: 5, history_slots: None }, 1024).await;
    let mut w = World::new();
    for s in 1..=20 {
        node.publish(w.produce(GENESIS_SLOT + s, &[]));
    }
    let mut c = client(&node).await;
    let first = c.subscribe_replay_info().await.unwrap().first_available.unwrap();
    assert_eq!(first, GENESIS_SLOT + 15);
    let request =
        SubscribeRequest { slots: slots(false, false), from_slot: Some(GENESIS_SLOT + 3), ..Default::default() };
    let (_sink, mut stream) = c.subscribe_with_request(Some(request)).await.unwrap();
    let e = error_of(&mut stream).await;
    assert_eq!(e.code(), Code::OutOfRange);
    assert_eq!(e.message(), format!("broadcast from {} is not available, last available: {first}", GENESIS_SLOT + 3));
}

#[tokio::test]
async fn a_subscriber_that_does_not_read_is_ended_as_lagged() {
    let node = Node::start(GrpcConfig { channel_capacity: 8, ..Default::default() }).await;
    let mut c = client(&node).await;
    let request = SubscribeRequest {
        transactions: all_transactions(),
        accounts: HashMap::from([("accounts".to_string(), SubscribeRequestFilterAccounts::default())]),
        ..Default::default()
    };
    let (_sink, mut stream) = subscribe(&mut c, request).await;
    let mut w = World::new();
    // Far more than the queue plus what HTTP/2 flow control lets through unread.
    let requests: Vec<_> = (0..200).map(|i| w.token_transfer(1 + i, MessageVersion::Legacy)).collect();
    for s in 1..=20 {
        node.publish(w.produce(GENESIS_SLOT + s, &requests));
    }
    let e = error_of(&mut stream).await;
    assert_eq!((e.code(), e.message()), (Code::Internal, "lagged to send an update"));
}

#[tokio::test]
async fn a_subscriber_behind_the_node_broadcast_is_ended_as_lagged() {
    let node = Node::start_with(GrpcConfig::default(), LedgerConfig::default(), 4).await;
    let mut c = client(&node).await;
    let (_sink, mut stream) =
        subscribe(&mut c, SubscribeRequest { slots: slots(false, true), ..Default::default() }).await;
    // No await between sends: the subscriber task cannot keep up with a 4-event broadcast.
    for s in 0..64 {
        let _ = node.events.send(nosana_node::NodeEvent::Status {
            slot: GENESIS_SLOT + s,
            parent: None,
            status: nosana_chain::SlotStatus::CreatedBank,
        });
    }
    let e = error_of(&mut stream).await;
    assert_eq!((e.code(), e.message()), (Code::Internal, "lagged to receive geyser messages"));
}

#[tokio::test]
async fn duplicate_blocks_pass_through_at_processed_but_statuses_go_out_once() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let request = SubscribeRequest { blocks_meta: blocks_meta(), slots: slots(false, false), ..Default::default() };
    let (_sink, mut stream) = subscribe(&mut c, request).await;
    let mut w = World::new();
    let s1 = GENESIS_SLOT + 1;
    let (block, statuses) = w.produce(s1, &w.mix());
    let block = node.block(block);
    for (slot, status) in &statuses {
        node.status(*slot, status.clone());
    }
    // The node's replay-duplicates fault resends the bank and its status.
    let _ = node.events.send(nosana_node::NodeEvent::Block(block.clone()));
    node.status(s1, nosana_chain::SlotStatus::Processed);
    let got = shapes(&quiet(&mut stream, Duration::from_millis(300)).await);
    assert_eq!(got, [format!("meta:{s1}"), format!("slot:{s1}:SLOT_PROCESSED"), format!("meta:{s1}")]);
}

#[tokio::test]
async fn subscribe_with_reconnect_recovers_across_injected_drops_without_missing_slots() {
    let config = GrpcConfig { drop_every: Some(Duration::from_millis(700)), ..Default::default() };
    let node = Node::start(config).await;
    let mut w = World::new();
    let first = GENESIS_SLOT + 1;
    node.publish(w.produce(first, &[]));
    let mut later = vec![];
    for s in 2..=60 {
        later.push(w.produce(GENESIS_SLOT + s, &[w.token_transfer(1, MessageVersion::Legacy)]));
    }
    let last = GENESIS_SLOT + 60;
    let mut c = GeyserGrpcClient::build_from_shared(node.endpoint())
        .unwrap()
        .set_reconnect_config(ReconnectConfig::default())
        .connect()
        .await
        .unwrap();
    let request = SubscribeRequest {
        transactions: all_transactions(),
        blocks_meta: blocks_meta(),
        from_slot: Some(first),
        ..Default::default()
    };
    let (_sink, mut stream) = c.subscribe_with_reconnect(Some(request)).await.unwrap();
    let producer = {
        let ledger = node.ledger.clone();
        let events = node.events.clone();
        tokio::spawn(async move {
            for (block, statuses) in later {
                tokio::time::sleep(Duration::from_millis(40)).await;
                let block = std::sync::Arc::new(block);
                ledger.insert_block(block.clone());
                let _ = events.send(nosana_node::NodeEvent::Block(block.clone()));
                for (slot, status) in statuses {
                    ledger.set_status(slot, &status);
                    let parent = ledger.slot_state(slot).and_then(|s| s.parent);
                    let _ = events.send(nosana_node::NodeEvent::Status { slot, parent, status });
                }
            }
        })
    };
    let mut metas = BTreeSet::new();
    let mut txs_per_slot: HashMap<u64, BTreeSet<u64>> = HashMap::new();
    let mut disconnects = 0;
    while !metas.contains(&last) {
        let event = timeout(WAIT, stream.next()).await.expect("an event in time").expect("open").expect("no error");
        match event {
            ReconnectEvent::Disconnected(d) => {
                disconnects += 1;
                // Whatever a partial bank delivered is discarded, as a client must.
                for bank in d.partial_banks {
                    txs_per_slot.remove(&bank.slot);
                }
            }
            ReconnectEvent::Update(u) => {
                assert!(!u.filters.iter().any(|f| f == "__reconn"), "the client hides its own filters");
                match u.update_oneof {
                    Some(UpdateOneof::BlockMeta(m)) => {
                        metas.insert(m.slot);
                    }
                    Some(UpdateOneof::Transaction(t)) => {
                        txs_per_slot.entry(t.slot).or_default().insert(t.transaction.unwrap().index);
                    }
                    _ => {}
                }
            }
        }
    }
    producer.await.unwrap();
    assert!(disconnects >= 2, "the stream was dropped and recovered ({disconnects} disconnects)");
    assert_eq!(metas, (first..=last).collect::<BTreeSet<_>>(), "no slot missed");
    for s in first + 1..=last {
        assert_eq!(txs_per_slot.get(&s).map(|t| t.len()), Some(1), "slot {s} has its transaction");
    }
}

#[tokio::test]
async fn an_injected_stall_pauses_the_stream_without_ending_it() {
    let config = GrpcConfig {
        ping_interval: Duration::from_millis(50),
        stall: Some(Stall { every: Duration::from_millis(600), length: Duration::from_millis(400) }),
        ..Default::default()
    };
    let node = Node::start(config).await;
    let mut c = client(&node).await;
    let (_sink, mut stream) = c.subscribe_with_request(Some(SubscribeRequest::default())).await.unwrap();
    let mut last = Instant::now();
    let mut longest = Duration::ZERO;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1_500) {
        let update = timeout(WAIT, stream.next()).await.unwrap().unwrap().unwrap();
        assert!(matches!(update.update_oneof, Some(UpdateOneof::Ping(_))));
        longest = longest.max(last.elapsed());
        last = Instant::now();
    }
    assert!(longest >= Duration::from_millis(300), "a stall of about 400 ms, got {longest:?}");
    assert!(longest < Duration::from_secs(3), "the stream resumed after the stall, got {longest:?}");
}

#[tokio::test]
async fn shutting_down_ends_open_streams_with_unavailable() {
    let mut node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let (_sink, mut stream) =
        subscribe(&mut c, SubscribeRequest { slots: slots(false, false), ..Default::default() }).await;
    let stop = tokio::spawn(async move { node.stop().await });
    let e = error_of(&mut stream).await;
    assert_eq!(e.code(), Code::Unavailable);
    timeout(WAIT, stop).await.expect("the server drains").unwrap().unwrap();
}

#[tokio::test]
async fn deshred_and_gossip_are_unimplemented() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    match c.subscribe_deshred().await {
        Err(e) => assert_eq!(status_of(e).code(), Code::Unimplemented),
        Ok((_sink, mut stream)) => {
            let e = timeout(WAIT, stream.next()).await.unwrap().unwrap().unwrap_err();
            assert_eq!(e.code(), Code::Unimplemented);
        }
    }
    match c.subscribe_gossip().await {
        Err(e) => assert_eq!(status_of(e).code(), Code::Unimplemented),
        Ok(_) => panic!("gossip must be unimplemented"),
    }
}

#[tokio::test]
async fn the_health_service_reports_geyser_as_serving() {
    let node = Node::start(GrpcConfig::default()).await;
    let mut c = client(&node).await;
    let health = c.health_check().await.unwrap();
    assert_eq!(health.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);
}

#[tokio::test]
async fn a_configured_x_token_rejects_missing_and_wrong_tokens() {
    let node = Node::start(GrpcConfig { x_token: Some("secret".into()), ..Default::default() }).await;
    for token in [None, Some("wrong")] {
        let mut c = client_with_token(&node, token).await;
        let e = status_of(c.get_version().await.unwrap_err());
        assert_eq!(e.code(), Code::Unauthenticated);
        match c.subscribe_with_request(Some(SubscribeRequest::default())).await {
            Err(e) => assert_eq!(status_of(e).code(), Code::Unauthenticated),
            Ok((_sink, mut stream)) => assert_eq!(error_of(&mut stream).await.code(), Code::Unauthenticated),
        }
    }
    let mut c = client_with_token(&node, Some("secret")).await;
    assert!(c.get_version().await.is_ok());
}
