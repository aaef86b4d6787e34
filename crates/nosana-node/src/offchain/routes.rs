//! `GET /api/nodes`, `/api/nodes/{address}/specs`, `/api/markets`, `/api/markets/{address}` and
//! `/api/stats/price?from&to`. Unknown ids answer 404 JSON, malformed ones 400 JSON.

use std::collections::HashMap;
use std::str::FromStr;

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use solana_pubkey::Pubkey;

use crate::rpc::RpcState;

pub fn router() -> Router<RpcState> {
    Router::new()
        .route("/nodes", get(nodes))
        .route("/nodes/{address}/specs", get(node_specs))
        .route("/markets", get(markets))
        .route("/markets/{address}", get(market))
        .route("/stats/price", get(price))
}

/// An error answered as the backend's body: `{"statusCode", "message", "error"}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "statusCode": self.status.as_u16(),
            "message": self.message,
            "error": self.status.canonical_reason().unwrap_or("Error"),
        });
        (self.status, Json(body)).into_response()
    }
}

type ApiResult = Result<Response, ApiError>;

fn address(raw: &str) -> Result<String, ApiError> {
    Pubkey::from_str(raw)
        .map(|k| k.to_string())
        .map_err(|_| ApiError::bad_request(format!("`{raw}` is not a base58 Solana address")))
}

type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

fn query(q: QueryMap) -> Result<HashMap<String, String>, ApiError> {
    q.map(|Query(map)| map).map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))
}

/// All nodes, or those of `?market=`.
async fn nodes(State(state): State<RpcState>, q: QueryMap) -> ApiResult {
    let q = query(q)?;
    let market = q.get("market").map(|m| address(m)).transpose()?;
    let list: Vec<_> = state
        .offchain
        .nodes
        .iter()
        .filter(|n| market.as_ref().is_none_or(|m| n.market_address.as_ref() == Some(m)))
        .collect();
    Ok(Json(list).into_response())
}

async fn node_specs(State(state): State<RpcState>, Path(raw): Path<String>) -> ApiResult {
    let key = address(&raw)?;
    let node = state.offchain.nodes.iter().find(|n| n.node_address == key);
    node.map(|n| Json(n).into_response()).ok_or_else(|| ApiError::not_found(format!("node {key} not found")))
}

async fn markets(State(state): State<RpcState>) -> Response {
    Json(&state.offchain.markets).into_response()
}

/// A market by address, or by slug as the backend also allows.
async fn market(State(state): State<RpcState>, Path(raw): Path<String>) -> ApiResult {
    if let Some(m) = state.offchain.markets.iter().find(|m| m.slug == raw) {
        return Ok(Json(m).into_response());
    }
    let key = address(&raw)?;
    let market = state.offchain.markets.iter().find(|m| m.address == key);
    market.map(|m| Json(m).into_response()).ok_or_else(|| ApiError::not_found(format!("market {key} not found")))
}

/// Price points with `from <= timestamp <= to` (unix seconds, both optional).
async fn price(State(state): State<RpcState>, q: QueryMap) -> ApiResult {
    let q = query(q)?;
    let bound = |name: &str| -> Result<Option<i64>, ApiError> {
        let Some(v) = q.get(name) else { return Ok(None) };
        v.parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("`{name}` must be a unix timestamp in seconds, got `{v}`")))
    };
    let from = bound("from")?.unwrap_or(i64::MIN);
    let to = bound("to")?.unwrap_or(i64::MAX);
    if from > to {
        return Err(ApiError::bad_request(format!("`from` ({from}) is after `to` ({to})")));
    }
    let points: Vec<_> = state.offchain.prices.iter().filter(|p| (from..=to).contains(&p.timestamp)).collect();
    Ok(Json(points).into_response())
}
