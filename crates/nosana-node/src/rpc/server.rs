//! The HTTP server: JSON-RPC at `POST /`, `GET /health`, and the off-chain endpoints under
//! `/api`. Every answer to `POST /` is HTTP 200 with a JSON-RPC body, as Agave's.

use std::future::Future;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::RpcState;
use super::dispatch::handle_body;
use crate::offchain::routes;

pub fn router(state: RpcState) -> Router {
    Router::new()
        .route("/", post(json_rpc))
        .route("/health", get(health))
        .nest("/api", routes::router())
        .fallback(not_found)
        .with_state(state)
}

/// Serves on a bound listener until `shutdown` completes, then drains open connections.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: RpcState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

async fn json_rpc(State(state): State<RpcState>, body: Bytes) -> Response {
    match handle_body(&state, &body) {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        // Only notifications: nothing to say.
        None => StatusCode::OK.into_response(),
    }
}

async fn health() -> &'static str {
    "ok"
}

async fn not_found() -> Response {
    routes::ApiError::not_found("no such endpoint").into_response()
}
