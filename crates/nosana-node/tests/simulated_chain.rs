//! The whole node on a simulated world: the producer thread, the gRPC server and the JSON-RPC
//! server together, read by the official Yellowstone client and plain JSON-RPC.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::StreamExt;
use nosana_chain::Chain;
use nosana_layouts::ids::JOBS_PROGRAM_ID;
use nosana_node::driver::{self, DriverConfig};
use nosana_node::grpc::{self, GrpcConfig};
use nosana_node::ledger::{Ledger, LedgerConfig};
use nosana_node::rpc::{self, RpcState};
use nosana_sim::{Scenario, Simulation};
use yellowstone_grpc_client::GeyserGrpcClient;
use yellowstone_grpc_proto::prelude::subscribe_update::UpdateOneof;
use yellowstone_grpc_proto::prelude::*;

const SMALL: &str = "[nodes]\ncount = 60\noperators = 15\nlargest_operator_share = 0.25\n[projects]\ncount = 8\n[stakers]\ncount = 10\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_subscriber_sees_every_jobs_transaction_that_json_rpc_serves() {
    let scenario = Scenario::from_toml(SMALL).unwrap();
    let (mut sim, bank) = Simulation::new(&scenario, 9).unwrap();
    let chain = Arc::new(RwLock::new(Chain::new(bank, 0)));
    let ledger = Arc::new(Ledger::new(LedgerConfig::default()));
    let (events, _keep) = tokio::sync::broadcast::channel(100_000);
    let offchain = Arc::new(nosana_node::offchain::from_sim(sim.offchain()));

    let grpc_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rpc_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (grpc_addr, rpc_addr) = (grpc_listener.local_addr().unwrap(), rpc_listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let grpc_task = tokio::spawn(grpc::serve(
        grpc_listener,
        ledger.clone(),
        events.clone(),
        GrpcConfig::default(),
        stopped(stop_rx.clone()),
    ));
    let rpc_task = tokio::spawn(rpc::serve(
        rpc_listener,
        RpcState::new(chain.clone(), ledger.clone(), offchain),
        stopped(stop_rx.clone()),
    ));

    let mut client = GeyserGrpcClient::build_from_shared(format!("http://{grpc_addr}"))
        .unwrap()
        .max_decoding_message_size(1 << 30)
        .connect()
        .await
        .unwrap();
    let request = SubscribeRequest {
        transactions: [(
            "jobs".to_string(),
            SubscribeRequestFilterTransactions {
                account_include: vec![JOBS_PROGRAM_ID.to_string()],
                ..Default::default()
            },
        )]
        .into(),
        blocks_meta: [("meta".to_string(), SubscribeRequestFilterBlocksMeta {})].into(),
        commitment: Some(CommitmentLevel::Confirmed as i32),
        ..Default::default()
    };
    let (_sink, mut stream) = client.subscribe_with_request(Some(request)).await.unwrap();

    let config = DriverConfig { fast: true, fast_seconds_per_slot: 120.0, until_slot: Some(400), ..Default::default() };
    let producer = {
        let (chain, ledger, events) = (chain.clone(), ledger.clone(), events.clone());
        std::thread::spawn(move || {
            let summary = driver::run(&mut sim, &chain, &ledger, &events, &config, &AtomicBool::new(false));
            (sim, summary)
        })
    };

    // Read until the block meta of the last confirmed slot arrives.
    let mut signatures = BTreeSet::new();
    let mut metas = 0u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let update = tokio::time::timeout_at(deadline, stream.next()).await.expect("updates in time").unwrap().unwrap();
        match update.update_oneof {
            Some(UpdateOneof::Transaction(tx)) => {
                assert_eq!(update.filters, vec!["jobs".to_string()]);
                signatures.insert(bs58::encode(tx.transaction.unwrap().signature).into_string());
            }
            Some(UpdateOneof::BlockMeta(meta)) => {
                metas += 1;
                if producer.is_finished() && Some(meta.slot) == ledger.latest(nosana_chain::Commitment::Confirmed) {
                    break;
                }
            }
            _ => {}
        }
    }
    let (sim, summary) = producer.join().unwrap();
    assert!(summary.transactions > 100, "{summary:?}");
    assert!(metas > 0);

    // Every jobs-program transaction of a confirmed slot was streamed, and nothing else.
    let last = ledger.latest(nosana_chain::Commitment::Confirmed).unwrap();
    let expected: BTreeSet<String> = ledger
        .canonical_slots(0, last)
        .into_iter()
        .filter_map(|s| ledger.block(s))
        .flat_map(|b| b.transactions.clone())
        .filter(|t| t.message.account_keys.contains(&JOBS_PROGRAM_ID))
        .map(|t| t.signature().to_string())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(signatures, expected);

    // JSON-RPC serves the same transactions.
    let http = reqwest::Client::new();
    let sig = expected.iter().next().unwrap();
    let reply: serde_json::Value = http
        .post(format!("http://{rpc_addr}/"))
        .json(&serde_json::json!({"jsonrpc":"2.0","id":1,"method":"getTransaction",
            "params":[sig, {"encoding":"json","maxSupportedTransactionVersion":0,"commitment":"confirmed"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["result"]["transaction"]["signatures"][0], serde_json::json!(sig));
    assert_eq!(sim.truth().totals.transactions_included, summary.transactions);

    let _ = stop_tx.send(true);
    grpc_task.await.unwrap().unwrap();
    rpc_task.await.unwrap().unwrap();
}
