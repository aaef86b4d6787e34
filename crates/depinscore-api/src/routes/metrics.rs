//! Metric time series: `/v1/metrics` lists them, `/v1/metrics/{name}` serves one.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::calendar::{DAY, date_of_day};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::json;
use crate::params::Params;
use crate::routes::score::NO_SNAPSHOT;
use crate::series::{POINT_METRICS, SeriesPoint, bucket, daily_series};
use crate::state::SharedState;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MetricInfo {
    pub name: String,
    /// `daily` (a series stored in the latest snapshot) or `snapshot` (one value per stored
    /// snapshot).
    pub kind: &'static str,
    pub unit: String,
    /// How days combine into weeks and months: `sum` or `last`.
    pub aggregate: String,
    pub description: String,
    pub href: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MetricList {
    pub metrics: Vec<MetricInfo>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MetricSeries {
    pub name: String,
    pub kind: &'static str,
    pub unit: String,
    pub description: String,
    /// `day`, `week` (from Monday) or `month`.
    pub interval: String,
    /// The snapshot a daily series comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// More snapshots fall in the range than one answer reads (2,000): these are the newest;
    /// narrow `from` for older ones.
    pub truncated: bool,
    pub points: Vec<SeriesPoint>,
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str)
}

/// Every metric with a time series.
#[utoipa::path(get, path = "/v1/metrics", tag = "metrics",
    responses(
        (status = 200, description = "The metrics", body = MetricList),
        (status = 400, description = "A parameter was given", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn list(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let mut metrics = Vec::new();
    let latest = s.cache.latest(&s.sql).await?;
    if let Some(c) = &latest
        && let Some(series) = c.body.get("series").and_then(Value::as_object)
    {
        for name in series.keys() {
            let info = |k: &str| str_at(&c.body, &["series_info", name, k]).unwrap_or("").to_string();
            metrics.push(MetricInfo {
                name: name.clone(),
                kind: "daily",
                unit: info("unit"),
                aggregate: info("aggregate"),
                description: info("description"),
                href: format!("/v1/metrics/{name}"),
            });
        }
    }
    for m in POINT_METRICS {
        metrics.push(MetricInfo {
            name: m.name.to_string(),
            kind: "snapshot",
            unit: m.unit.to_string(),
            aggregate: "last".into(),
            description: m.description.to_string(),
            href: format!("/v1/metrics/{}", m.name),
        });
    }
    json(&MetricList { metrics })
}

/// Snapshots read for one point-metric series.
const MAX_SNAPSHOTS: u32 = 2_000;

/// One metric over time.
#[utoipa::path(get, path = "/v1/metrics/{name}", tag = "metrics",
    params(
        ("name" = String, Path, description = "A metric name from /v1/metrics", pattern = "^[a-z0-9_]{1,64}$"),
        ("from" = Option<String>, Query, description = "First day: YYYY-MM-DD or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,12})$"),
        ("to" = Option<String>, Query, description = "Last day: YYYY-MM-DD or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,12})$"),
        ("interval" = Option<String>, Query, description = "day (default), week or month", pattern = "^(day|week|month)$"),
    ),
    responses(
        (status = 200, description = "The series", body = MetricSeries),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown metric, or no snapshot yet", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn one(State(s): State<SharedState>, Path(name): Path<String>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    // What the document promises: a malformed name is a 400, a well-formed unknown one a 404.
    if name.is_empty()
        || name.len() > 64
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ApiError::bad("name", "must be 1 to 64 characters of a-z, 0-9 and _"));
    }
    let p = Params::parse(q.as_deref(), &["from", "to", "interval"])?;
    let from = p.time("from", false)?.unwrap_or(0);
    let to = p.time("to", true)?.unwrap_or(253_402_300_799);
    if from > to {
        return Err(ApiError::bad("from", "is after `to`"));
    }
    let interval = p.choice("interval", &["day", "week", "month"], "day")?.to_string();
    if let Some(m) = POINT_METRICS.iter().find(|m| m.name == name) {
        // The newest snapshots of the range, oldest first.
        let mut rows = s
            .sql
            .snapshots_between(from, to, MAX_SNAPSHOTS, true)
            .await
            .map_err(|e| ApiError::store("the snapshot store", e))?;
        let truncated = rows.len() == MAX_SNAPSHOTS as usize;
        rows.reverse();
        let mut points: Vec<SeriesPoint> = Vec::new();
        let mut last_bucket = None;
        for r in rows {
            let Some(values) = s.cache.points(&s.sql, &r.id).await? else { continue };
            let b = bucket(r.as_of.div_euclid(DAY), &interval);
            let point = SeriesPoint {
                date: date_of_day(b),
                value: values.get(m.name).copied().flatten(),
                snapshot: Some(r.id),
                days: None,
                partial: None,
            };
            // Snapshots come oldest first: the last one of an interval stands for it.
            if last_bucket == Some(b) {
                if let Some(prev) = points.last_mut() {
                    *prev = point;
                }
            } else {
                points.push(point);
            }
            last_bucket = Some(b);
        }
        return json(&MetricSeries {
            name,
            kind: "snapshot",
            unit: m.unit.into(),
            description: m.description.into(),
            interval,
            snapshot: None,
            truncated,
            points,
        });
    }
    let c = s.cache.latest(&s.sql).await?.ok_or_else(|| ApiError::not_found(NO_SNAPSHOT))?;
    let (from_day, to_day) = (from.div_euclid(DAY), to.div_euclid(DAY));
    let Some(points) = daily_series(&c.body, &name, from_day, to_day, &interval) else {
        let shown: String = name.chars().take(64).collect();
        return Err(ApiError::not_found(format!("metric `{shown}` (see /v1/metrics)")));
    };
    let info = |k: &str| str_at(&c.body, &["series_info", &name, k]).unwrap_or("").to_string();
    json(&MetricSeries {
        unit: info("unit"),
        description: info("description"),
        name,
        kind: "daily",
        interval,
        snapshot: Some(c.id.clone()),
        truncated: false,
        points,
    })
}
