//! Treasury: NOS burned against NOS emitted, supply, net emission and the projected date of
//! net deflation, from the latest snapshot.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::calendar::DAY;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::json;
use crate::params::Params;
use crate::routes::score::NO_SNAPSHOT;
use crate::series::{SeriesPoint, daily_series};
use crate::state::SharedState;

const SERIES: &[&str] = &[
    "burns_nos",
    "emission_nos",
    "mints_nos",
    "net_emission_nos",
    "burns_usd",
    "emission_usd",
    "total_supply_nos",
    "circulating_supply_nos",
];

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Treasury {
    /// The snapshot these figures come from.
    pub snapshot: String,
    pub as_of: i64,
    pub as_of_date: String,
    /// The window the totals cover (`first .. last` day).
    pub window: String,
    /// Totals over the window, NOS and USD at time of flow: emission, claims, burns, mints.
    #[schema(value_type = Object)]
    pub totals: Value,
    /// Total, circulating and maximum supply, NOS.
    #[schema(value_type = Object)]
    pub supply: Value,
    /// Annualised (emission + mints − burns), NOS per year; positive = inflation.
    pub net_emission_annual_nos: Option<f64>,
    /// Trailing ARR over the annualised emission value.
    pub demand_to_emission: Option<f64>,
    /// Projected date of net deflation under the trailing trend, and whether it falls within
    /// the horizon.
    #[schema(value_type = Object)]
    pub deflation: Value,
    /// Daily (or weekly/monthly) series: burns, emission, mints, net emission, supply.
    #[schema(value_type = Object)]
    pub series: BTreeMap<String, Vec<SeriesPoint>>,
}

fn f(v: &Value, pointer: &str) -> Option<f64> {
    v.pointer(pointer).and_then(Value::as_f64).filter(|x| x.is_finite())
}

/// Burned vs emitted, supply, net emission and deflation.
#[utoipa::path(get, path = "/v1/treasury", tag = "treasury",
    params(
        ("from" = Option<String>, Query, description = "First day of the series: YYYY-MM-DD or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,12})$"),
        ("to" = Option<String>, Query, description = "Last day of the series: YYYY-MM-DD or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,12})$"),
        ("interval" = Option<String>, Query, description = "day (default), week or month", pattern = "^(day|week|month)$"),
    ),
    responses(
        (status = 200, description = "The treasury view", body = Treasury),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "No snapshot yet", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn treasury(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), &["from", "to", "interval"])?;
    let from = p.time("from", false)?.unwrap_or(0);
    let to = p.time("to", true)?.unwrap_or(253_402_300_799);
    if from > to {
        return Err(ApiError::bad("from", "is after `to`"));
    }
    let interval = p.choice("interval", &["day", "week", "month"], "day")?;
    let c = s.cache.latest(&s.sql).await?.ok_or_else(|| ApiError::not_found(NO_SNAPSHOT))?;
    let b = &c.body;
    let token = b.pointer("/metrics/token").cloned().unwrap_or(Value::Null);
    let series = SERIES
        .iter()
        .filter_map(|n| {
            daily_series(b, n, from.div_euclid(DAY), to.div_euclid(DAY), interval).map(|p| (n.to_string(), p))
        })
        .collect();
    let window = b.pointer("/metrics/window");
    let day = |k: &str| window.and_then(|w| w.get(k)).and_then(Value::as_i64).unwrap_or(0);
    json(&Treasury {
        snapshot: c.id.clone(),
        as_of: c.as_of,
        as_of_date: crate::calendar::date_of_day(c.as_of.div_euclid(DAY)),
        window: format!(
            "{} .. {}",
            crate::calendar::date_of_day(day("first_day")),
            crate::calendar::date_of_day(day("last_day"))
        ),
        totals: serde_json::json!({
            "emission_nos": f(&token, "/emission_nos"),
            "emission_usd": f(&token, "/emission_usd"),
            "claims_nos": f(&token, "/claims_nos"),
            "burns_nos": f(&token, "/burns_nos"),
            "burns_usd": f(&token, "/burns_usd"),
            "mints_nos": f(&token, "/mints_nos"),
        }),
        supply: serde_json::json!({
            "total_nos": f(&token, "/total_supply_nos"),
            "circulating_nos": f(&token, "/circulating_supply_nos"),
            "max_nos": f(&token, "/max_supply_nos"),
        }),
        net_emission_annual_nos: f(&token, "/net_emission_annual_nos"),
        demand_to_emission: f(&token, "/demand_to_emission"),
        deflation: token.get("deflation").cloned().unwrap_or(Value::Null),
        series,
    })
}
