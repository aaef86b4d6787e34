//! Admin routes (an API key is required): re-score, import prices and node records, publish a
//! report. Bodies are JSON; a malformed one is a 400 naming the field.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use bytes::Bytes;
use depinscore_sql::{NodeRecord, PricePoint, h3_res5};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AdminKey;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::json;
use crate::params::{Params, snapshot_id};
use crate::state::{RescoreOutcome, SharedState};

/// Parses a JSON body, naming where it is wrong.
fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes) -> ApiResult<T> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad("body", format!("not the expected JSON: {e}")))
}

/// Computes a new score snapshot from the stores now (one at a time).
#[utoipa::path(post, path = "/v1/admin/rescore", tag = "admin", security(("api_key" = [])),
    responses(
        (status = 200, description = "The snapshot computed", body = RescoreOutcome),
        (status = 401, description = "No valid API key", content_type = "application/problem+json", body = Problem),
        (status = 406, description = "This server cannot re-score", content_type = "application/problem+json", body = Problem),
        (status = 409, description = "A re-score is already running", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn rescore(
    State(s): State<SharedState>,
    AdminKey(key): AdminKey,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let Some(rescorer) = s.rescorer.clone() else {
        return Err(ApiError::NotAcceptable("this server was started without a scorer".into()));
    };
    let Ok(_running) = s.rescoring.try_lock() else {
        return Err(ApiError::Conflict("a re-score is already running".into()));
    };
    tracing::info!(key = %key.id, "re-score requested");
    let outcome = rescorer.rescore().await.map_err(|e| ApiError::store("the scorer", e))?;
    s.cache.refresh(&s.sql).await?;
    json(&outcome)
}

/// A NOS/USD price point to import.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceIn {
    /// Unix seconds.
    pub time: i64,
    pub usd: f64,
    pub source: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Imported {
    pub imported: usize,
}

/// Imports NOS/USD price points (upsert by time and source).
#[utoipa::path(post, path = "/v1/admin/prices", tag = "admin", security(("api_key" = [])),
    request_body = Vec<PriceIn>,
    responses(
        (status = 200, description = "Imported", body = Imported),
        (status = 400, description = "A malformed body", content_type = "application/problem+json", body = Problem),
        (status = 401, description = "No valid API key", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn prices(State(s): State<SharedState>, _key: AdminKey, bytes: Bytes) -> ApiResult<Response> {
    let points: Vec<PriceIn> = body(&bytes)?;
    if points.len() > 100_000 {
        return Err(ApiError::bad("body", "more than 100000 points in one request"));
    }
    for (i, p) in points.iter().enumerate() {
        if !p.usd.is_finite() || p.usd < 0.0 || p.source.trim().is_empty() || p.time < 0 {
            return Err(ApiError::bad(
                format!("body[{i}]"),
                "time ≥ 0, usd a finite number ≥ 0 and a source are required",
            ));
        }
    }
    let points: Vec<PricePoint> =
        points.into_iter().map(|p| PricePoint { time: p.time, usd: p.usd, source: p.source }).collect();
    let n = s.sql.upsert_prices(&points).await.map_err(|e| ApiError::bad("body", e.to_string()))?;
    json(&Imported { imported: n })
}

/// A node registry record to import.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeIn {
    pub address: String,
    pub market: Option<String>,
    pub gpu: Option<String>,
    #[serde(default)]
    pub gpu_count: i64,
    pub vram_mb: Option<i64>,
    pub country: Option<String>,
    pub lat: f64,
    pub lng: f64,
    pub operator: Option<String>,
}

/// Imports node registry records (location, specs, operator); each location's H3 cell is
/// computed here.
#[utoipa::path(post, path = "/v1/admin/nodes", tag = "admin", security(("api_key" = [])),
    request_body = Vec<NodeIn>,
    responses(
        (status = 200, description = "Imported", body = Imported),
        (status = 400, description = "A malformed body", content_type = "application/problem+json", body = Problem),
        (status = 401, description = "No valid API key", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn nodes(State(s): State<SharedState>, _key: AdminKey, bytes: Bytes) -> ApiResult<Response> {
    let nodes: Vec<NodeIn> = body(&bytes)?;
    if nodes.len() > 100_000 {
        return Err(ApiError::bad("body", "more than 100000 nodes in one request"));
    }
    let now = depinscore_sql::now_unix();
    let mut records = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.into_iter().enumerate() {
        let cell = h3_res5(n.lat, n.lng).map_err(|e| ApiError::bad(format!("body[{i}]"), e.to_string()))?;
        let record = NodeRecord {
            address: n.address,
            market: n.market,
            gpu: n.gpu,
            gpu_count: n.gpu_count,
            vram_mb: n.vram_mb,
            country: n.country,
            lat: n.lat,
            lng: n.lng,
            h3_res5: cell,
            operator: n.operator,
            updated_at: now,
        };
        record.validate().map_err(|e| ApiError::bad(format!("body[{i}]"), e.to_string()))?;
        records.push(record);
    }
    let n = s.sql.upsert_nodes(&records).await.map_err(|e| ApiError::bad("body", e.to_string()))?;
    json(&Imported { imported: n })
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Published {
    pub id: String,
    pub href: String,
}

/// Publishes the report of a stored snapshot.
#[utoipa::path(post, path = "/v1/admin/reports/{id}/publish", tag = "admin", security(("api_key" = [])),
    params(("id" = String, Path, description = "Snapshot id: 16 hex digits", pattern = "^[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "Published (publishing again keeps the first)", body = Published),
        (status = 400, description = "Malformed id", content_type = "application/problem+json", body = Problem),
        (status = 401, description = "No valid API key", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown id", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn publish(
    State(s): State<SharedState>,
    AdminKey(key): AdminKey,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let id = snapshot_id("id", &id)?;
    let now = depinscore_sql::now_unix();
    if !s.sql.publish_report(&id, &key.id, now).await.map_err(|e| ApiError::store("the snapshot store", e))? {
        return Err(ApiError::not_found(format!("snapshot {id}")));
    }
    json(&Published { href: format!("/v1/reports/{id}"), id })
}
