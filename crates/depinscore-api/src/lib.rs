//! depinscore-api: the HTTP API (axum). Scores and their history, metric time series, the
//! treasury view, H3 geography, rendered reports, admin routes behind hashed API keys, and
//! operations (`/health`, `/ready`, `/metrics`); an OpenAPI 3.1 document generated from the
//! handlers at `/openapi.json` with a browsable page at `/docs`. Errors are problem details.
//!
//! The API computes no score: it serves stored snapshots (the binary wires re-scoring in through
//! [`state::Rescorer`]) and reads ClickHouse with read-only credentials. Nosana's own indexer
//! routes (`/jobs`, `/jobs/{address}`, `/jobs/stats`, `/stats`) are served in its shapes.

pub mod auth;
pub mod bounded;
pub mod cache;
pub mod calendar;
pub mod error;
pub mod http;
pub mod params;
pub mod rate_limit;
pub mod read_cache;
pub mod routes;
pub mod series;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use error::{ApiError, Problem};
pub use state::{ApiConfig, AppState, RescoreFuture, RescoreOutcome, Rescorer, SharedState};

/// The application and its OpenAPI document.
pub fn app(state: AppState) -> (axum::Router, SharedState) {
    let (routes, openapi) = routes::documented();
    let mut state = state;
    state.openapi_json = openapi.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    let shared = Arc::new(state);
    (routes::app(shared.clone(), routes), shared)
}

/// The OpenAPI document as JSON (for tests and `depinscore serve --openapi`).
pub fn openapi_json() -> String {
    routes::documented().1.to_pretty_json().unwrap_or_default()
}

/// Serves on a pre-bound listener until `shutdown` resolves; refreshes the latest snapshot in
/// the background meanwhile.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (app, shared) = app(state);
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let refresher = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(shared.config.refresh);
            loop {
                let stop = tokio::select! {
                    _ = tick.tick() => false,
                    _ = stop_rx.wait_for(|s| *s) => true,
                };
                if stop {
                    break;
                }
                if let Err(e) = shared.cache.refresh(&shared.sql).await {
                    tracing::warn!(error = %e, "refreshing the latest snapshot failed");
                }
            }
        })
    };
    let result = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    let _ = refresher.await;
    result
}
