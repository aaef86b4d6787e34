//! Admin routes (an API key is required): re-score, import prices and node records, publish a
//! report. Bodies are JSON; a malformed one is a 400 naming the field.

use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use depinscore_sql::{EvidenceRecord, MAX_EVIDENCE_BYTES, NodeRecord, PricePoint, h3_res5};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AdminKey;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::json;
use crate::params::{Params, snapshot_id};
use crate::state::{RescoreOutcome, SharedState};

/// A value the store refused is the client's (400); anything else is the store's (503).
fn import_error(e: depinscore_sql::SqlError) -> ApiError {
    match e {
        depinscore_sql::SqlError::Invalid { .. } => ApiError::bad("body", e.to_string()),
        other => ApiError::store("the relational store", other),
    }
}

/// Largest request body the API reads (100,000 price points or node records fit).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A request body: one over [`BODY_LIMIT`] is a 413 problem, an unreadable one a 400.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(RawBody(bytes)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::PayloadTooLarge { limit_bytes: BODY_LIMIT })
            }
            Err(r) => Err(ApiError::bad("body", r.body_text())),
        }
    }
}

/// The scorer the binary wired in, or 406 saying this server was started without `what`.
fn scorer(s: &SharedState, what: &str) -> ApiResult<std::sync::Arc<dyn crate::state::Rescorer>> {
    s.rescorer.clone().ok_or_else(|| ApiError::NotAcceptable(format!("this server was started without {what}")))
}

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
    let rescorer = scorer(&s, "a scorer")?;
    let Ok(running) = s.rescoring.clone().try_lock_owned() else {
        return Err(ApiError::Conflict("a re-score is already running".into()));
    };
    tracing::info!(key = %key.id, "re-score requested");
    // The re-score runs in its own task holding the lock, so it finishes (and keeps others
    // out) even if this request is dropped.
    let task = tokio::spawn(async move {
        let outcome = rescorer.rescore().await;
        drop(running);
        outcome
    });
    let outcome =
        task.await.map_err(|e| ApiError::store("the scorer", e))?.map_err(|e| ApiError::store("the scorer", e))?;
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
        (status = 413, description = "A body over 16 MiB", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn prices(State(s): State<SharedState>, _key: AdminKey, RawBody(bytes): RawBody) -> ApiResult<Response> {
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
    let n = s.sql.upsert_prices(&points).await.map_err(import_error)?;
    json(&Imported { imported: n })
}

/// An evidence file as imported.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EvidenceImported {
    /// SHA-256 of the file: re-scores from now on record it as `evidence_sha256`.
    pub sha256: String,
    /// False when the same text had been imported before (it is the newest again).
    pub new: bool,
}

/// Imports a rubric evidence file (the TOML of `reports/evidence/`, as the request body). It is
/// checked against the scorer's methodology first; from then on re-scores use it instead of
/// `score.evidence`. The next re-score applies it.
#[utoipa::path(post, path = "/v1/admin/evidence", tag = "admin", security(("api_key" = [])),
    request_body(content = String, content_type = "text/plain", description = "The evidence file: TOML text, UTF-8 (any content type is read as such, application/toml included)"),
    responses(
        (status = 200, description = "Imported", body = EvidenceImported),
        (status = 400, description = "Not UTF-8, not TOML, or an answer the methodology refuses", content_type = "application/problem+json", body = Problem),
        (status = 401, description = "No valid API key", content_type = "application/problem+json", body = Problem),
        (status = 406, description = "This server has no scorer to check evidence against", content_type = "application/problem+json", body = Problem),
        (status = 413, description = "A body over 16 MiB", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn evidence(
    State(s): State<SharedState>,
    AdminKey(key): AdminKey,
    RawQuery(q): RawQuery,
    RawBody(bytes): RawBody,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let rescorer = scorer(&s, "a scorer to check evidence")?;
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(ApiError::bad("body", format!("larger than {MAX_EVIDENCE_BYTES} bytes")));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| ApiError::bad("body", format!("not UTF-8: {e}")))?;
    rescorer.check_evidence(text).map_err(|e| ApiError::bad("body", e))?;
    let record = EvidenceRecord::new(text.to_string(), depinscore_sql::now_unix(), key.id.clone());
    let new = s.sql.import_evidence(&record).await.map_err(import_error)?;
    tracing::info!(key = %key.id, sha256 = %record.sha256, new, "rubric evidence imported");
    json(&EvidenceImported { sha256: record.sha256, new })
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
        (status = 413, description = "A body over 16 MiB", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn nodes(State(s): State<SharedState>, _key: AdminKey, RawBody(bytes): RawBody) -> ApiResult<Response> {
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
    let n = s.sql.upsert_nodes(&records).await.map_err(import_error)?;
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
