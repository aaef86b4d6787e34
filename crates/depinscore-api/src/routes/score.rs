//! The builder score: the latest snapshot, the history, one snapshot.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{DAY, date_of_day};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{CACHE_IMMUTABLE, CACHE_LATEST, JSON, conditional, json};
use crate::params::{Params, snapshot_id};
use crate::state::SharedState;

pub const NO_SNAPSHOT: &str = "score snapshot (none computed yet: run `depinscore score`)";

/// The latest builder score: dimensions, metrics, rubric evidence, provenance, sensitivity
/// and the check of published figures (the daily table and series are under `/v1/metrics`).
#[utoipa::path(get, path = "/v1/score", tag = "score",
    responses(
        (status = 200, description = "The latest snapshot", content_type = "application/json", body = Object),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter was given", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "No snapshot yet", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn latest(State(s): State<SharedState>, RawQuery(q): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let c = s.cache.latest(&s.sql).await?.ok_or_else(|| ApiError::not_found(NO_SNAPSHOT))?;
    Ok(conditional(&headers, &c.etag(""), CACHE_LATEST, JSON, c.score_json.clone()))
}

/// One stored snapshot, by id. Snapshots are content-addressed: the response never changes.
#[utoipa::path(get, path = "/v1/score/{id}", tag = "score",
    params(("id" = String, Path, description = "Snapshot id: 16 hex digits", pattern = "^[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "The snapshot", content_type = "application/json", body = Object),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown id", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn one(
    State(s): State<SharedState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let id = snapshot_id("id", &id)?;
    let c = s.cache.get(&s.sql, &id).await?.ok_or_else(|| ApiError::not_found(format!("snapshot {id}")))?;
    Ok(conditional(&headers, &c.etag(""), CACHE_IMMUTABLE, JSON, c.score_json.clone()))
}

/// One entry of the score history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub id: String,
    /// Unix seconds the metrics are as of.
    pub as_of: i64,
    pub as_of_date: String,
    pub last_slot: u64,
    pub composite: f64,
    pub methodology_version: String,
    pub input_hash: String,
    /// When it was computed and stored, unix seconds.
    pub created_at: i64,
    pub href: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct History {
    pub items: Vec<HistoryItem>,
}

/// Stored snapshots by as-of time (newest first unless `order=asc`).
#[utoipa::path(get, path = "/v1/score/history", tag = "score",
    params(
        ("from" = Option<String>, Query, description = "As-of at or after: YYYY-MM-DD or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,12})$"),
        ("to" = Option<String>, Query, description = "As-of at or before: YYYY-MM-DD (whole day) or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,12})$"),
        ("limit" = Option<u32>, Query, description = "1..=1000, default 100", minimum = 1, maximum = 1000),
        ("order" = Option<String>, Query, description = "desc (default) or asc", pattern = "^(asc|desc)$"),
    ),
    responses(
        (status = 200, description = "The history", body = History),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn history(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), &["from", "to", "limit", "order"])?;
    let from = p.time("from", false)?.unwrap_or(0);
    let to = p.time("to", true)?.unwrap_or(i64::MAX);
    if from > to {
        return Err(ApiError::bad("from", "is after `to`"));
    }
    let limit = p.uint("limit", 1, 1000, 100)? as u32;
    let newest_first = p.choice("order", &["desc", "asc"], "desc")? == "desc";
    let rows = s
        .sql
        .snapshots_between(from, to, limit, newest_first)
        .await
        .map_err(|e| ApiError::store("the snapshot store", e))?;
    let items = rows
        .into_iter()
        .map(|r| HistoryItem {
            href: format!("/v1/score/{}", r.id),
            as_of_date: date_of_day(r.as_of.div_euclid(DAY)),
            id: r.id,
            as_of: r.as_of,
            last_slot: r.last_slot,
            composite: r.composite,
            methodology_version: r.methodology_version,
            input_hash: r.input_hash,
            created_at: r.created_at,
        })
        .collect();
    json(&History { items })
}
