//! The off-chain import against a real reference node's HTTP server (the simulation's nodes,
//! markets and prices), and against small fake servers for the shapes and failures the
//! reference node does not produce.

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use depinscore_localserver::free_port;
use depinscore_sql::offchain::{self, OffchainError, PRICE_SOURCE};
use depinscore_sql::{ImportStatus, SqlStore, h3_res5};
use nosana_chain::Chain;
use nosana_node::ledger::{Ledger, LedgerConfig};
use nosana_node::rpc::{self, RpcState};
use nosana_sim::{Scenario, Simulation};
use tokio::sync::oneshot;

use crate::common::migrated;

/// A server that stops when dropped.
struct Server {
    url: String,
    _stop: oneshot::Sender<()>,
}

async fn serve_router(router: Router) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Server { url, _stop: stop }
}

/// The reference node's JSON-RPC/off-chain server over a small simulated world.
async fn reference_node() -> (Server, nosana_sim::OffchainData) {
    let scenario = Scenario::from_toml("[nodes]\ncount = 40\noperators = 10\n").unwrap();
    let (sim, bank) = Simulation::new(&scenario, 7).unwrap();
    let chain = Arc::new(RwLock::new(Chain::new(bank, 0)));
    let ledger = Arc::new(Ledger::new(LedgerConfig::default()));
    let served = Arc::new(nosana_node::offchain::from_sim(sim.offchain()));
    let state = RpcState::new(chain, ledger, served);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(rpc::serve(listener, state, async {
        let _ = stopped.await;
    }));
    (Server { url, _stop: stop }, sim.offchain().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offchain_import_stores_every_node_market_and_price_a_reference_node_serves() {
    let (node, truth) = reference_node().await;
    let base = format!("{}/api", node.url);
    for db in migrated().await {
        let s = &db.store;
        let report = offchain::import(&base, s).await.unwrap_or_else(|e| panic!("{}: {e}", db.label));
        assert_eq!(
            (report.nodes, report.markets, report.prices),
            (truth.nodes.len(), truth.markets.len(), truth.prices.len()),
            "{}",
            db.label
        );
        assert!(report.skipped.is_empty(), "{}: {:?}", db.label, report.skipped);

        let stored = s.nodes().await.unwrap();
        assert_eq!(stored.len(), truth.nodes.len());
        for n in &truth.nodes {
            let got = s.node(&n.address).await.unwrap().unwrap_or_else(|| panic!("{}: node {}", db.label, n.address));
            assert_eq!(got.market.as_deref(), Some(n.market.as_str()));
            assert_eq!(got.gpu.as_deref(), Some(n.gpu_model.as_str()));
            assert_eq!(got.gpu_count, i64::from(n.gpu_count));
            assert_eq!(got.vram_mb, Some(i64::from(n.vram_gb) * 1024));
            assert_eq!(got.country.as_deref(), Some(n.country.as_str()));
            assert_eq!((got.lat, got.lng), (n.lat, n.lng));
            assert_eq!(got.h3_res5, h3_res5(n.lat, n.lng).unwrap());
            assert_eq!(got.operator, None, "off-chain specs do not name the operator");
        }
        let markets = s.markets().await.unwrap();
        for m in &truth.markets {
            let got = markets.iter().find(|x| x.address == m.address).expect("market stored");
            assert_eq!(
                (got.name.as_str(), got.slug.as_str(), got.kind.as_str()),
                (m.name.as_str(), m.slug.as_str(), m.kind.as_str())
            );
            assert_eq!(got.gpu_types, m.gpu_types);
            assert_eq!(got.lowest_vram_gb, i64::from(m.vram_gb));
        }
        let prices = s.prices(i64::MIN, i64::MAX).await.unwrap();
        assert_eq!(prices.len(), truth.prices.len());
        for (got, want) in prices.iter().zip(&truth.prices) {
            assert_eq!((got.time, got.usd, got.source.as_str()), (want.time, want.usd, PRICE_SOURCE));
        }
        let history = s.imports(10).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!((history[0].kind.as_str(), history[0].source.as_str()), ("offchain", base.as_str()));
        assert_eq!((history[0].status, history[0].rows), (ImportStatus::Ok, report.rows() as u64));
        assert_eq!(history[0].message, report.summary());

        // Again: nodes and markets are updated in place; prices are read from the newest stored
        // point on, so only that one comes back.
        let again = offchain::import(&format!("{base}/"), s).await.unwrap();
        assert_eq!((again.nodes, again.markets, again.prices), (truth.nodes.len(), truth.markets.len(), 1));
        assert_eq!(s.nodes().await.unwrap().len(), truth.nodes.len(), "{}", db.label);
        assert_eq!(s.prices(i64::MIN, i64::MAX).await.unwrap().len(), truth.prices.len(), "{}", db.label);
        assert_eq!(s.imports(10).await.unwrap().len(), 2);
    }
}

/// Asserts the newest history row is a failure whose message is `e`'s.
async fn assert_failed_import_recorded(store: &SqlStore, label: &str, e: &OffchainError) {
    let history = store.imports(1).await.unwrap();
    assert_eq!(history.len(), 1, "{label}");
    assert_eq!((history[0].status, history[0].rows), (ImportStatus::Failed, 0), "{label}");
    assert_eq!(history[0].message, e.to_string(), "{label}");
    assert!(store.nodes().await.unwrap().is_empty(), "{label}: nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_error_fails_the_import_and_is_recorded() {
    let (node, _) = reference_node().await;
    // The node serves its off-chain API under /api: /v2/nodes answers its 404 JSON.
    let base = format!("{}/v2", node.url);
    for db in migrated().await {
        let e = offchain::import(&base, &db.store).await.unwrap_err();
        assert!(matches!(&e, OffchainError::Status { status: 404, .. }), "{}: {e}", db.label);
        let message = e.to_string();
        assert!(message.starts_with(&format!("GET {base}/nodes answered HTTP 404: ")), "{message}");
        assert!(message.contains("no such endpoint"), "{message}");
        assert_failed_import_recorded(&db.store, db.label, &e).await;
    }
}

#[tokio::test]
async fn an_unreachable_server_fails_the_import_with_the_cause() {
    let base = format!("http://127.0.0.1:{}/api", free_port().unwrap());
    for db in migrated().await {
        let e = offchain::import(&base, &db.store).await.unwrap_err();
        assert!(matches!(&e, OffchainError::Http { .. }), "{}: {e}", db.label);
        let message = e.to_string().to_lowercase();
        assert!(message.contains("connect") || message.contains("refused"), "{message}");
        assert_failed_import_recorded(&db.store, db.label, &e).await;
    }
}

#[tokio::test]
async fn json_of_the_wrong_shape_fails_the_import_and_is_recorded() {
    let router = Router::new()
        .route("/garbage/nodes", get(|| async { "<html>maintenance</html>" }))
        .route("/object/nodes", get(|| async { r#"{"nodes": []}"# }))
        .route("/entry/nodes", get(|| async { r#"[{"nodeAddress": "x", "lat": "north"}]"# }))
        .route("/number/nodes", get(|| async { "[42]" }))
        .route("/prices/nodes", get(|| async { "[]" }))
        .route("/prices/markets", get(|| async { "[]" }))
        .route("/prices/stats/price", get(|| async { r#"[{"timestamp": 1}]"# }));
    let server = serve_router(router).await;
    let cases = [
        ("garbage", "/nodes", "expected value at line 1 column 1"),
        ("object", "/nodes", "invalid type: map, expected a sequence"),
        ("entry", "/nodes", "entry 0: invalid type: string \"north\", expected f64"),
        ("number", "/nodes", "entry 0 is neither an address nor an object"),
        ("prices", "/stats/price", "missing field `usd`"),
    ];
    for db in migrated().await {
        for (prefix, path, reason) in cases {
            let base = format!("{}/{prefix}", server.url);
            let e = offchain::import(&base, &db.store).await.unwrap_err();
            assert!(matches!(&e, OffchainError::Json { .. }), "{}: {prefix}: {e}", db.label);
            let message = e.to_string();
            assert!(message.starts_with(&format!("GET {base}{path} did not answer the expected JSON: ")), "{message}");
            assert!(message.contains(reason), "{prefix}: {message}");
            assert_failed_import_recorded(&db.store, db.label, &e).await;
        }
        assert_eq!(db.store.imports(100).await.unwrap().len(), cases.len());
    }
}

const NODE_A: &str = "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf";
const NODE_B: &str = "7AtiXMSH6R1jjBxrcYjehCkkSF7zvYWte63gwEDBcGHq";
const NODE_FAR: &str = "62bAk2ppEL2HpotfPZsscSq4CGEfY6VEqD5dQQuTo7JC";

#[tokio::test]
async fn nodes_listed_by_address_are_completed_from_their_specs_and_bad_records_are_skipped() {
    let specs = |address: &'static str, lat: f64| {
        format!(
            r#"{{"nodeAddress": "{address}", "marketAddress": null, "gpus": [], "country": "", "lat": {lat}, "lng": 4.9,
                "cpu": "x", "futureField": [1, 2]}}"#
        )
    };
    let (a, b, far) = (specs(NODE_A, 52.37), specs(NODE_B, 40.0), specs(NODE_FAR, 120.0));
    let router = Router::new()
        .route(
            "/api/nodes",
            get(move || async move {
                format!(r#"["{NODE_A}", {{"nodeAddress": "{NODE_B}"}}, "{NODE_FAR}", "not/base58"]"#)
            }),
        )
        .route(&format!("/api/nodes/{NODE_A}/specs"), get(move || async move { a }))
        .route(&format!("/api/nodes/{NODE_B}/specs"), get(move || async move { b }))
        .route(&format!("/api/nodes/{NODE_FAR}/specs"), get(move || async move { far }))
        .route("/api/markets", get(|| async { "[]" }))
        .route("/api/stats/price", get(|| async { r#"[{"timestamp": 5, "usd": -1.0}, {"timestamp": 6, "usd": 0.7}]"# }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "unexpected request") });
    let server = serve_router(router).await;
    for db in migrated().await {
        let report = offchain::import(&format!("{}/api", server.url), &db.store).await.unwrap();
        assert_eq!((report.nodes, report.markets, report.prices), (2, 0, 1), "{}", db.label);
        assert_eq!(report.skipped.len(), 3, "{:?}", report.skipped);
        assert!(report.skipped[0].starts_with("node entry 3: `not/base58` is not base58"), "{:?}", report.skipped);
        assert!(report.skipped[1].contains(&format!("node {NODE_FAR}: latitude 120")), "{:?}", report.skipped);
        assert!(report.skipped[2].contains("price point at 5"), "{:?}", report.skipped);
        let a = db.store.node(NODE_A).await.unwrap().unwrap();
        assert_eq!((a.h3_res5.as_str(), a.gpu_count, a.gpu, a.country), ("85196953fffffff", 0, None, None));
        let history = db.store.imports(1).await.unwrap();
        assert_eq!(history[0].status, ImportStatus::Ok);
        assert!(history[0].message.starts_with("2 nodes, 0 markets, 1 prices; skipped 3: "), "{}", history[0].message);
    }
}

#[tokio::test]
async fn a_base_url_that_is_not_http_or_https_is_refused_and_recorded() {
    for db in migrated().await {
        for base in ["not a url", "ftp://x/api", "file:///etc/passwd"] {
            let e = offchain::import(base, &db.store).await.unwrap_err();
            assert!(matches!(&e, OffchainError::BadUrl { .. }), "{}: {base}: {e}", db.label);
            assert!(e.to_string().starts_with(&format!("bad off-chain base URL `{base}`")), "{e}");
            assert_failed_import_recorded(&db.store, db.label, &e).await;
        }
    }
}
