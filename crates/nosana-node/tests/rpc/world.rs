//! The fixture: a small chain, its ledger, off-chain data and a running server.
//!
//! | slot | status     | transactions                                           |
//! |------|------------|--------------------------------------------------------|
//! | 1001 | finalized  | t1 alice→bob 1 NOS, t2 alice→bob 1000 NOS (fails)       |
//! | 1002 | finalized  | t3 alice→bob 2 NOS (v0)                                 |
//! | 1003 | skipped    |                                                        |
//! | 1004 | confirmed  | t4 bob→alice 0.5 NOS (bob pays), t5 alice→bob 0.25 NOS |
//! | 1005 | dead       | t6 alice→bob 1 NOS                                      |
//! | 1006 | confirmed  | t7 alice→bob 3 NOS                                      |
//! | 1007 | processed  | t8 alice→bob 1 NOS                                      |

use std::sync::{Arc, RwLock};

use nosana_chain::{Block, Chain, Keypair, MessageVersion, Signature, Signer, SlotStatus, TxRequest, derive_keypair};
use nosana_layouts::ids::NOS;
use nosana_layouts::pda;
use nosana_node::Ledger;
use nosana_node::ledger::LedgerConfig;
use nosana_node::offchain::{Gpu, MarketInfo, MarketKind, NodeSpecs, OffchainData, PricePoint};
use nosana_node::rpc::{RpcState, serve};
use nosana_reference::ProgramConfig;
use nosana_reference::client::spl;
use nosana_reference::genesis::Genesis;
use serde_json::{Value, json};
use solana_pubkey::Pubkey;
use tokio::sync::oneshot;

pub const GENESIS_SLOT: u64 = 1_000;
pub const BLOCK_TIME: i64 = 1_750_000_000;

pub struct World {
    pub url: String,
    pub client: reqwest::Client,
    pub state: RpcState,
    pub alice: Arc<Keypair>,
    pub bob: Arc<Keypair>,
    /// t1..t8 by number (index 0 unused).
    pub sigs: Vec<Signature>,
    pub blocks: Vec<Arc<Block>>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn transfer(from: &Arc<Keypair>, to: &Pubkey, amount: u64, version: MessageVersion) -> TxRequest {
    let a = from.pubkey();
    TxRequest {
        payer: from.clone(),
        signers: vec![],
        instructions: vec![spl::transfer(&pda::nos_ata(&a), &pda::nos_ata(to), &a, amount)],
        version,
    }
}

pub fn genesis_chain(alice: &Keypair, bob: &Keypair) -> Chain {
    let mut g = Genesis::new(ProgramConfig::default());
    g.fund(&alice.pubkey(), 10_000_000_000);
    g.fund(&bob.pubkey(), 10_000_000_000);
    g.mint_nos(&alice.pubkey(), 100 * NOS).expect("mint to alice");
    g.mint_nos(&bob.pubkey(), 0).expect("bob's ATA");
    Chain::new(g.bank, GENESIS_SLOT)
}

pub fn offchain_data() -> OffchainData {
    let node = |name: &str, market: &str, gpu: &str, vram: u64, country: &str| NodeSpecs {
        node_address: derive_keypair(9, name).pubkey().to_string(),
        market_address: Some(market.to_string()),
        gpus: vec![Gpu { gpu: gpu.into(), memory: vram }],
        cpu: "AMD Ryzen 9 7950X".into(),
        cpu_cores: 32,
        ram: 65_536,
        disk_space: 1_000,
        country: country.into(),
        lat: 52.37,
        lng: 4.9,
        download: 940.5,
        upload: 480.25,
        ping: 12.0,
        node_version: "1.0.42".into(),
        cuda_version: Some("12.4".into()),
        nvml_version: Some("550.54.15".into()),
        system_environment: Some("Linux".into()),
    };
    let market = |name: &str, slug: &str, address: &str, gpu: &str, vram: u64| MarketInfo {
        address: address.into(),
        name: name.into(),
        slug: slug.into(),
        kind: MarketKind::Premium,
        gpu_types: vec![gpu.into()],
        required_images: vec![],
        required_remote_resources: vec![],
        lowest_vram: vram,
        usd_reward_per_hour: 0.35,
        sft: None,
    };
    const M4090: &str = "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf";
    const M3060: &str = "7AtiXMSH6R1jjBxrcYjehCkkSF7zvYWte63gwEDBcGHq";
    OffchainData {
        nodes: vec![
            node("node-1", M4090, "NVIDIA GeForce RTX 4090", 24_564, "NL"),
            node("node-2", M3060, "NVIDIA GeForce RTX 3060", 12_288, "US"),
        ],
        markets: vec![
            market("Market 4090", "nvidia-4090", M4090, "NVIDIA GeForce RTX 4090", 24),
            market("Market 3060", "nvidia-3060", M3060, "NVIDIA GeForce RTX 3060", 12),
        ],
        prices: (0..10)
            .map(|i| PricePoint { timestamp: BLOCK_TIME + i * 3_600, usd: 0.5 + i as f64 / 100.0 })
            .collect(),
    }
}

/// Serves `state` on an ephemeral loopback port; returns the base URL and the shutdown trigger.
pub async fn start(state: RpcState) -> (String, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    (format!("http://{addr}"), tx)
}

fn mark(ledger: &Ledger, slot: u64, statuses: &[SlotStatus]) {
    for s in statuses {
        ledger.set_status(slot, s);
    }
}

pub async fn world() -> World {
    world_with(LedgerConfig::default()).await
}

pub async fn world_with(config: LedgerConfig) -> World {
    let alice = Arc::new(derive_keypair(1, "alice"));
    let bob = Arc::new(derive_keypair(1, "bob"));
    let (a, b) = (alice.pubkey(), bob.pubkey());
    let chain: nosana_node::SharedChain = Arc::new(RwLock::new(genesis_chain(&alice, &bob)));
    let ledger = Arc::new(Ledger::new(config));
    let state = RpcState::new(chain.clone(), ledger.clone(), Arc::new(offchain_data()));

    use MessageVersion::{Legacy, V0};
    use SlotStatus::{Confirmed, Dead, Finalized, Processed};
    let final_ = [Processed, Confirmed, Finalized];
    let confirmed = [Processed, Confirmed];
    let plan: Vec<(u64, Vec<TxRequest>, bool, Vec<SlotStatus>)> = vec![
        (
            1001,
            vec![transfer(&alice, &b, NOS, Legacy), transfer(&alice, &b, 1_000 * NOS, Legacy)],
            false,
            final_.to_vec(),
        ),
        (1002, vec![transfer(&alice, &b, 2 * NOS, V0)], false, final_.to_vec()),
        (
            1004,
            vec![transfer(&bob, &a, NOS / 2, Legacy), transfer(&alice, &b, NOS / 4, Legacy)],
            false,
            confirmed.to_vec(),
        ),
        (1005, vec![transfer(&alice, &b, NOS, Legacy)], true, vec![Processed, Dead("fork abandoned".into())]),
        (1006, vec![transfer(&alice, &b, 3 * NOS, Legacy)], false, confirmed.to_vec()),
        (1007, vec![transfer(&alice, &b, NOS, Legacy)], false, vec![Processed]),
    ];
    let mut sigs = vec![Signature::default()];
    let mut blocks = vec![];
    for (slot, requests, dead, statuses) in plan {
        let time = BLOCK_TIME + (slot - GENESIS_SLOT) as i64;
        let (block, rejected) = {
            let mut c = chain.write().expect("chain lock");
            if dead { c.produce_dead(slot, time, &requests) } else { c.produce(slot, time, &requests) }
        };
        assert!(rejected.is_empty(), "slot {slot}: {rejected:?}");
        sigs.extend(block.transactions.iter().map(|t| *t.signature()));
        let block = Arc::new(block);
        ledger.insert_block(block.clone());
        mark(&ledger, slot, &statuses);
        blocks.push(block);
    }
    let (url, shutdown) = start(state.clone()).await;
    World { url, client: reqwest::Client::new(), state, alice, bob, sigs, blocks, shutdown: Some(shutdown) }
}

impl World {
    pub fn block(&self, slot: u64) -> &Arc<Block> {
        self.blocks.iter().find(|b| b.slot == slot).expect("fixture slot")
    }

    pub fn sig(&self, n: usize) -> String {
        self.sigs[n].to_string()
    }

    /// POSTs a raw body to `/`; returns the HTTP status and the JSON answer.
    pub async fn post(&self, body: &str) -> (u16, Value) {
        let r = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON answer") })
    }

    /// The whole response to one call.
    pub async fn call(&self, method: &str, params: Value) -> Value {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let (status, answer) = self.post(&body.to_string()).await;
        assert_eq!(status, 200, "{method}: HTTP {status}");
        assert_eq!(answer["jsonrpc"], "2.0");
        assert_eq!(answer["id"], 1);
        answer
    }

    pub async fn result(&self, method: &str, params: Value) -> Value {
        let answer = self.call(method, params).await;
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    }

    /// The error code and message of a call that must fail.
    pub async fn error(&self, method: &str, params: Value) -> (i64, String) {
        let answer = self.call(method, params).await;
        assert!(answer.get("result").is_none(), "{method} should fail: {answer}");
        let e = &answer["error"];
        (e["code"].as_i64().expect("code"), e["message"].as_str().expect("message").to_string())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(format!("{}{path}", self.url)).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }
}
