//! The off-chain import: reads a Nosana-backend-style HTTP API (node specs, markets, NOS/USD
//! prices — the shapes Nosana's backend serves and the reference node imitates) and stores it,
//! recording each run in the import history.
//!
//! `base_url` is the API root, e.g. `http://127.0.0.1:8899/api` for `depinscore node`. Only
//! `http://` and `https://` (rustls with the system's root certificates) are supported.

mod error;
mod wire;

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::{ImportRecord, ImportStatus, MarketRecord, NodeRecord, PricePoint, SqlError, SqlStore, now_unix};
pub use error::OffchainError;
use wire::{MarketInfo, NodeSpecs, PriceEntry};

/// The `kind` of the import history rows this import writes.
pub const KIND: &str = "offchain";

/// The `source` of the price points this import writes.
pub const PRICE_SOURCE: &str = "nosana-backend";

const TIMEOUT: Duration = Duration::from_secs(30);

/// What one import stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Nodes upserted.
    pub nodes: usize,
    /// Markets upserted.
    pub markets: usize,
    /// Price points upserted.
    pub prices: usize,
    /// Records left out, each with its reason (bad address, coordinates out of range, …).
    pub skipped: Vec<String>,
}

impl ImportReport {
    /// Rows written in all.
    pub fn rows(&self) -> usize {
        self.nodes + self.markets + self.prices
    }

    /// One line for the import history.
    pub fn summary(&self) -> String {
        let mut s = format!("{} nodes, {} markets, {} prices", self.nodes, self.markets, self.prices);
        if !self.skipped.is_empty() {
            s.push_str(&format!("; skipped {}: {}", self.skipped.len(), self.skipped.join("; ")));
        }
        s
    }
}

/// Imports everything the API at `base_url` serves into `store`:
///
/// 1. `GET /nodes`: every node. Entries that carry specs are used as they are; entries that
///    are only an address (a string, or an object without `lat`) are completed with
///    `GET /nodes/{address}/specs`.
/// 2. `GET /markets`.
/// 3. `GET /stats/price?from=T`, where `T` is the newest point already stored from
///    [`PRICE_SOURCE`] (everything on the first run).
///
/// Then it upserts nodes (with their H3 cell; the stored operator is kept), markets and prices.
/// A record that is well-formed JSON but cannot be stored (bad address, coordinates out of
/// range, negative price) is skipped and named in the report. An HTTP error, a non-2xx answer
/// or JSON of the wrong shape stops the import with an error naming the URL; either way one
/// row is appended to the import history (`ok` with a summary, or `failed` with the error).
pub async fn import(base_url: &str, store: &SqlStore) -> Result<ImportReport, OffchainError> {
    let base = base_url.trim().trim_end_matches('/').to_string();
    let started_at = now_unix();
    let outcome = run(&base, store, started_at).await;
    let (status, rows, message) = match &outcome {
        Ok(report) => (ImportStatus::Ok, report.rows() as u64, report.summary()),
        Err(e) => (ImportStatus::Failed, 0, e.to_string()),
    };
    let record =
        ImportRecord { kind: KIND.into(), source: base, rows, started_at, finished_at: now_unix(), status, message };
    let recorded = store.record_import(&record).await;
    let report = outcome?;
    recorded?;
    Ok(report)
}

async fn run(base: &str, store: &SqlStore, at: i64) -> Result<ImportReport, OffchainError> {
    let parsed = reqwest::Url::parse(base).map_err(|e| bad_url(base, e.to_string()))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(bad_url(base, format!("scheme `{}`: only http:// and https:// are supported", parsed.scheme())));
    }
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| OffchainError::Http { url: base.into(), message: chain(&e) })?;
    let api = Api { client, base };

    let mut report = ImportReport::default();
    let specs = api.node_specs(&mut report.skipped).await?;
    let markets: Vec<MarketInfo> = api.get("/markets").await?;
    let from = store.latest_price_time(PRICE_SOURCE).await?;
    let price_path = from.map_or_else(|| "/stats/price".to_string(), |t| format!("/stats/price?from={t}"));
    let prices: Vec<PriceEntry> = api.get(&price_path).await?;

    let nodes = keep_valid(specs.iter().map(|s| node_record(s, at)), &mut report.skipped);
    let markets = keep_valid(markets.iter().map(|m| market_record(m, at)), &mut report.skipped);
    let prices = keep_valid(prices.iter().map(price_point), &mut report.skipped);
    report.nodes = store.upsert_nodes(&nodes).await?;
    report.markets = store.upsert_markets(&markets).await?;
    report.prices = store.upsert_prices(&prices).await?;
    Ok(report)
}

fn bad_url(url: &str, reason: String) -> OffchainError {
    OffchainError::BadUrl { url: url.into(), reason }
}

/// The records that converted, with the others' reasons added to `skipped`.
fn keep_valid<T>(records: impl Iterator<Item = Result<T, SqlError>>, skipped: &mut Vec<String>) -> Vec<T> {
    records
        .filter_map(|r| match r {
            Ok(record) => Some(record),
            Err(e) => {
                skipped.push(e.to_string());
                None
            }
        })
        .collect()
}

fn node_record(s: &NodeSpecs, at: i64) -> Result<NodeRecord, SqlError> {
    let mut n = NodeRecord::located(&s.node_address, s.lat, s.lng, at)?;
    let first = s.gpus.first();
    n.market = s.market_address.clone().filter(|m| !m.is_empty());
    n.gpu = first.map(|g| g.gpu.clone());
    n.gpu_count = s.gpus.len() as i64;
    n.vram_mb = first.map(|g| g.memory as i64);
    n.country = s.country.clone().filter(|c| !c.is_empty());
    n.validate()?;
    Ok(n)
}

fn market_record(m: &MarketInfo, at: i64) -> Result<MarketRecord, SqlError> {
    let record = MarketRecord {
        address: m.address.clone(),
        name: m.name.clone(),
        slug: m.slug.clone(),
        kind: m.kind.clone(),
        gpu_types: m.gpu_types.clone(),
        lowest_vram_gb: m.lowest_vram as i64,
        usd_reward_per_hour: m.usd_reward_per_hour,
        sft: m.sft.clone().filter(|s| !s.is_empty()),
        updated_at: at,
    };
    record.validate()?;
    Ok(record)
}

fn price_point(p: &PriceEntry) -> Result<PricePoint, SqlError> {
    if !p.usd.is_finite() || p.usd < 0.0 {
        return Err(SqlError::invalid(format!("price point at {}", p.timestamp), format!("USD price {}", p.usd)));
    }
    Ok(PricePoint { time: p.timestamp, usd: p.usd, source: PRICE_SOURCE.into() })
}

/// An error with its causes, `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(&format!(": {s}"));
        source = s.source();
    }
    out
}

struct Api<'a> {
    client: reqwest::Client,
    base: &'a str,
}

impl Api<'_> {
    /// GETs `base + path` and parses the body as `T`.
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, OffchainError> {
        let url = format!("{}{path}", self.base);
        let http = |e: reqwest::Error| OffchainError::Http { url: url.clone(), message: chain(&e) };
        let answer = self.client.get(&url).send().await.map_err(http)?;
        let status = answer.status();
        let body = answer.text().await.map_err(http)?;
        if !status.is_success() {
            let body: String = body.chars().take(300).collect();
            return Err(OffchainError::Status { url, status: status.as_u16(), body });
        }
        serde_json::from_str(&body).map_err(|e| OffchainError::Json { url, reason: e.to_string() })
    }

    /// Every node's specs: `/nodes`, completed with `/nodes/{address}/specs` for entries that
    /// carry only an address (an address that is not base58 is skipped, not requested).
    async fn node_specs(&self, skipped: &mut Vec<String>) -> Result<Vec<NodeSpecs>, OffchainError> {
        let entries: Vec<serde_json::Value> = self.get("/nodes").await?;
        let mut specs = Vec::with_capacity(entries.len());
        for (i, entry) in entries.into_iter().enumerate() {
            let address = match &entry {
                serde_json::Value::Object(map) if map.contains_key("lat") => {
                    let url = format!("{}/nodes", self.base);
                    let spec = serde_json::from_value(entry)
                        .map_err(|e| OffchainError::Json { url, reason: format!("entry {i}: {e}") })?;
                    specs.push(spec);
                    continue;
                }
                serde_json::Value::String(address) => address.clone(),
                serde_json::Value::Object(map) => match map.get("nodeAddress").and_then(|a| a.as_str()) {
                    Some(address) => address.to_string(),
                    None => return Err(self.shape(i, "an object with neither `lat` nor `nodeAddress`")),
                },
                _ => return Err(self.shape(i, "neither an address nor an object")),
            };
            if let Err(reason) = crate::nodes::check_address(&address) {
                skipped.push(format!("node entry {i}: {reason}"));
                continue;
            }
            specs.push(self.get(&format!("/nodes/{address}/specs")).await?);
        }
        Ok(specs)
    }

    fn shape(&self, i: usize, what: &str) -> OffchainError {
        OffchainError::Json { url: format!("{}/nodes", self.base), reason: format!("entry {i} is {what}") }
    }
}
