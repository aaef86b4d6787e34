//! Operations: liveness, readiness (stores reachable, indexer recent), Prometheus metrics.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::SharedState;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health() -> Response {
    axum::Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION") }).into_response()
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub checks: Vec<Check>,
}

/// The public answer says what is down; the log says why (hosts, ports, driver messages stay
/// out of responses).
fn unreachable(store: &str, e: impl std::fmt::Display) -> String {
    tracing::warn!(store, error = %e, "readiness check failed");
    "unreachable".into()
}

/// Readiness: the relational store and ClickHouse answer, and the indexer committed recently
/// (its newest checkpoint is younger than `api.ready_max_lag_secs`).
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, description = "Ready", body = Readiness), (status = 503, description = "Not ready", body = Readiness)))]
pub async fn ready(State(s): State<SharedState>) -> Response {
    let mut checks = Vec::new();
    let checkpoints = s.sql.checkpoints().await;
    checks.push(Check {
        name: "database",
        ok: checkpoints.is_ok(),
        detail: match &checkpoints {
            Ok(_) => "reachable".into(),
            Err(e) => unreachable("database", e),
        },
    });
    if let Some(ch) = &s.clickhouse {
        let ping = ch.ping().await;
        checks.push(Check {
            name: "clickhouse",
            ok: ping.is_ok(),
            detail: ping.map_or_else(|e| unreachable("clickhouse", e), |_| "reachable".into()),
        });
    }
    let max_lag = s.config.ready_max_lag.as_secs() as i64;
    if max_lag > 0 {
        let now = depinscore_sql::now_unix();
        let newest = checkpoints.as_ref().ok().and_then(|c| c.iter().max_by_key(|c| c.updated_at).cloned());
        checks.push(match newest {
            Some(c) => Check {
                name: "indexer",
                ok: now - c.updated_at <= max_lag,
                detail: format!(
                    "stream `{}` committed slot {} {} s ago (limit {max_lag} s)",
                    c.stream,
                    c.slot,
                    now - c.updated_at
                ),
            },
            None => Check { name: "indexer", ok: false, detail: "no indexer checkpoint yet".into() },
        });
    }
    let ready = checks.iter().all(|c| c.ok);
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let mut r = (status, axum::Json(Readiness { ready, checks })).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Prometheus metrics of this process.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(s): State<SharedState>) -> Response {
    let mut r = (s.render_metrics)().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}
