//! What every handler shares: the stores, the caches, the configuration and the hooks the
//! binary provides (Prometheus rendering, re-scoring).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use depinscore_clickhouse::ChStore;
use depinscore_report::CloudPriceTable;
use depinscore_sql::SqlStore;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cache::SnapshotCache;
use crate::rate_limit::RateLimiter;
use crate::read_cache::ReadCache;

/// The result of a re-score.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct RescoreOutcome {
    pub id: String,
    pub composite: f64,
    /// False when the same snapshot (same data, same methodology) was already stored.
    pub new: bool,
}

pub type RescoreFuture = Pin<Box<dyn Future<Output = Result<RescoreOutcome, String>> + Send>>;

/// Computes and stores a new snapshot (the binary wires the engine in; the API has no engine).
pub trait Rescorer: Send + Sync {
    fn rescore(&self) -> RescoreFuture;
    /// Checks a rubric evidence file against the methodology the scorer uses; the error says
    /// which answer is wrong and why.
    fn check_evidence(&self, text: &str) -> Result<(), String>;
}

/// Settings of the API (see `[api]` in the settings template).
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Requests per second per client; 0 turns rate limiting off.
    pub rate_limit_per_s: u32,
    /// Requests a client may send at once before the rate applies.
    pub rate_limit_burst: u32,
    /// Take the client from the last `X-Forwarded-For` entry, the one the trusted proxy appended.
    pub trust_forwarded_for: bool,
    /// `/ready` fails when the newest indexed block is older than this.
    pub ready_max_lag: Duration,
    /// How often the latest snapshot is looked for.
    pub refresh: Duration,
    /// Chromium (or Chrome) for PDF reports; None = look on PATH.
    pub chromium: Option<PathBuf>,
    /// Free text naming what is measured, printed in reports.
    pub generated_for: String,
    /// How long an explorer list or aggregate answer is shared by identical requests (zero:
    /// never).
    pub explorer_cache: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            rate_limit_per_s: 100,
            rate_limit_burst: 200,
            trust_forwarded_for: false,
            ready_max_lag: Duration::from_secs(120),
            refresh: Duration::from_secs(5),
            chromium: None,
            generated_for: "Nosana".into(),
            explorer_cache: Duration::from_secs(1),
        }
    }
}

/// Reports rendered at once: rendering is CPU work and a PDF is a whole browser.
pub const RENDERS: usize = 2;

pub struct AppState {
    pub sql: SqlStore,
    /// ClickHouse, read-only; None when the API runs on the relational store alone.
    pub clickhouse: Option<Arc<ChStore>>,
    pub config: ApiConfig,
    pub cloud_prices: CloudPriceTable,
    pub cache: SnapshotCache,
    /// Explorer lists and aggregates, shared for `config.explorer_cache`.
    pub reads: ReadCache,
    pub limiter: RateLimiter,
    pub render_metrics: Arc<dyn Fn() -> String + Send + Sync>,
    pub rescorer: Option<Arc<dyn Rescorer>>,
    /// Held while a re-score runs (one at a time), by the task running it: a client that
    /// disconnects does not release it early.
    pub rescoring: Arc<tokio::sync::Mutex<()>>,
    /// Renders (and Chromium processes) allowed at once.
    pub renders: tokio::sync::Semaphore,
    /// The OpenAPI document, rendered once.
    pub openapi_json: String,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(
        sql: SqlStore,
        clickhouse: Option<Arc<ChStore>>,
        config: ApiConfig,
        cloud_prices: CloudPriceTable,
    ) -> Self {
        let limiter = RateLimiter::new(config.rate_limit_per_s, config.rate_limit_burst);
        let reads = ReadCache::new(config.explorer_cache);
        AppState {
            sql,
            clickhouse,
            config,
            cloud_prices,
            cache: SnapshotCache::default(),
            reads,
            limiter,
            render_metrics: Arc::new(String::new),
            rescorer: None,
            rescoring: Arc::new(tokio::sync::Mutex::new(())),
            renders: tokio::sync::Semaphore::new(RENDERS),
            openapi_json: String::new(),
        }
    }

    pub fn with_metrics(mut self, render: Arc<dyn Fn() -> String + Send + Sync>) -> Self {
        self.render_metrics = render;
        self
    }

    pub fn with_rescorer(mut self, rescorer: Arc<dyn Rescorer>) -> Self {
        self.rescorer = Some(rescorer);
        self
    }

    /// ClickHouse, or a 503 naming it.
    pub fn clickhouse(&self) -> crate::error::ApiResult<&ChStore> {
        self.clickhouse.as_deref().ok_or(crate::error::ApiError::Unavailable {
            what: "ClickHouse",
            detail: "this API runs without ClickHouse (clickhouse.url not set)".into(),
        })
    }
}
