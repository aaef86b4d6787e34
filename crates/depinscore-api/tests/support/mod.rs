//! A real relational store holding genuine engine snapshots of the sample world, and a router
//! over it driven in-process.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use depinscore_api::{ApiConfig, AppState, RescoreFuture, RescoreOutcome, Rescorer};
use depinscore_engine::sample::{DAY, METHODOLOGY, T0, snapshot, world};
use depinscore_engine::{Evidence, Methodology, Snapshot};
use depinscore_report::{BUILTIN_CLOUD_PRICES, CloudPriceTable};
use depinscore_sql::{SnapshotRecord, SqlStore};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct Api {
    pub app: axum::Router,
    pub state: depinscore_api::SharedState,
    pub snapshots: Vec<Snapshot>,
    pub _dir: TempDir,
}

pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir() -> TempDir {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let p = std::env::temp_dir().join(format!(
        "depinscore-api-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&p).unwrap();
    TempDir(p)
}

pub fn record(s: &Snapshot, created_at: i64) -> SnapshotRecord {
    SnapshotRecord {
        id: s.id.clone(),
        created_at,
        as_of: s.body.metrics.as_of,
        last_slot: s.body.provenance.chain.last_slot,
        methodology_version: s.body.provenance.methodology_version.clone(),
        composite: s.body.score.composite,
        input_hash: s.body.provenance.input_hash.clone(),
        body: String::from_utf8(s.to_json().unwrap()).unwrap(),
    }
}

/// The sample world scored as of days 30, 35 and 40 (the last is the latest). Computed once,
/// on a plain thread: polars will not block inside an async runtime's worker.
pub fn sample_snapshots() -> Vec<Snapshot> {
    static SNAPSHOTS: std::sync::OnceLock<Vec<Snapshot>> = std::sync::OnceLock::new();
    SNAPSHOTS
        .get_or_init(|| {
            std::thread::spawn(|| {
                let frames = world(41);
                [30, 35, 40].iter().map(|d| snapshot(&frames, T0 + d * DAY).unwrap()).collect()
            })
            .join()
            .unwrap()
        })
        .clone()
}

pub async fn store(dir: &TempDir) -> SqlStore {
    let url = format!("sqlite://{}", dir.0.join("api.db").display());
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

pub async fn api_with(config: ApiConfig, with_snapshots: bool) -> Api {
    let dir = temp_dir();
    let sql = store(&dir).await;
    let snapshots = if with_snapshots { sample_snapshots() } else { Vec::new() };
    for (i, s) in snapshots.iter().enumerate() {
        assert!(sql.save_snapshot(&record(s, 1_000 + i as i64)).await.unwrap());
    }
    let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES).unwrap();
    let state = AppState::new(sql, None, config, cloud)
        .with_metrics(Arc::new(|| "# TYPE depinscore_test gauge\ndepinscore_test 1\n".to_string()));
    let (app, state) = depinscore_api::app(state);
    Api { app, state, snapshots, _dir: dir }
}

/// An API whose re-scorer stores `snapshots[rescored]`; `saved` snapshots are stored first.
pub async fn api_with_rescorer(saved: &[usize], rescored: usize) -> Api {
    let dir = temp_dir();
    let sql = store(&dir).await;
    let snapshots = sample_snapshots();
    for (i, s) in saved.iter().enumerate() {
        assert!(sql.save_snapshot(&record(&snapshots[*s], 1 + i as i64)).await.unwrap());
    }
    let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES).unwrap();
    let rescorer = Arc::new(StoreSnapshot { sql: sql.clone(), snapshot: snapshots[rescored].clone() });
    let state = AppState::new(sql, None, ApiConfig { rate_limit_per_s: 0, ..ApiConfig::default() }, cloud)
        .with_rescorer(rescorer);
    let (app, state) = depinscore_api::app(state);
    Api { app, state, snapshots, _dir: dir }
}

pub async fn api() -> Api {
    api_with(ApiConfig { rate_limit_per_s: 0, ..ApiConfig::default() }, true).await
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// A problem+json 400 that names `parameter`.
    pub fn assert_bad(&self, parameter: &str) {
        assert_eq!(self.status, StatusCode::BAD_REQUEST, "{}", self.text());
        assert_eq!(self.content_type(), "application/problem+json");
        assert_eq!(self.json()["parameter"], parameter, "{}", self.text());
    }
}

impl Api {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let r = self.app.clone().oneshot(request).await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply { status, headers, body }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    pub fn latest(&self) -> &Snapshot {
        self.snapshots.last().unwrap()
    }
}

/// A re-scorer that stores a given snapshot.
pub struct StoreSnapshot {
    pub sql: SqlStore,
    pub snapshot: Snapshot,
}

impl Rescorer for StoreSnapshot {
    fn rescore(&self) -> RescoreFuture {
        let (sql, s) = (self.sql.clone(), self.snapshot.clone());
        Box::pin(async move {
            let new = sql.save_snapshot(&record(&s, 5_000)).await.map_err(|e| e.to_string())?;
            Ok(RescoreOutcome { id: s.id.clone(), composite: s.body.score.composite, new })
        })
    }

    /// Checked as the binary does: parsed and validated against the shipped methodology.
    fn check_evidence(&self, text: &str) -> Result<(), String> {
        let m = Methodology::parse(METHODOLOGY).map_err(|e| e.to_string())?;
        Evidence::parse(text).and_then(|e| e.validate(&m)).map_err(|e| e.to_string())
    }
}
