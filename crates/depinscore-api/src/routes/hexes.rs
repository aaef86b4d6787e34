//! Geography: the occupied H3 cells of the node registry as a GeoJSON FeatureCollection.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use h3o::{CellIndex, LatLng, Resolution};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult, Problem};
use crate::http::bytes_with;
use crate::params::Params;
use crate::state::SharedState;

pub const GEO_JSON: &str = "application/geo+json";

/// Occupied H3 cells with node counts (GeoJSON; coordinates are [longitude, latitude]).
#[utoipa::path(get, path = "/v1/hexes", tag = "geography",
    params(
        ("res" = Option<u8>, Query, description = "H3 resolution 0..=10, default 5 (the score's)", minimum = 0, maximum = 10),
        ("market" = Option<String>, Query, description = "Only nodes of this market (base58)", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
    ),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn hexes(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), &["res", "market"])?;
    let res = p.uint("res", 0, 10, 5)? as u8;
    let market = p.address("market")?;
    let resolution = Resolution::try_from(res).map_err(|_| ApiError::bad("res", "not an H3 resolution"))?;
    let nodes = s.sql.nodes().await.map_err(|e| ApiError::store("the node registry", e))?;
    let mut cells: BTreeMap<u64, u64> = BTreeMap::new();
    let mut located = 0u64;
    for n in nodes.iter().filter(|n| market.is_none() || n.market == market) {
        // The engine's rule: a location outside ±90° / ±180° is no location.
        if !(-90.0..=90.0).contains(&n.lat) || !(-180.0..=180.0).contains(&n.lng) {
            continue;
        }
        let Ok(point) = LatLng::new(n.lat, n.lng) else { continue };
        located += 1;
        *cells.entry(u64::from(point.to_cell(resolution))).or_insert(0) += 1;
    }
    let features: Vec<Value> = cells
        .iter()
        .filter_map(|(cell, count)| {
            let cell = CellIndex::try_from(*cell).ok()?;
            let mut ring: Vec<[f64; 2]> = cell.boundary().iter().map(|ll| [ll.lng(), ll.lat()]).collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            let center = LatLng::from(cell);
            Some(json!({
                "type": "Feature",
                "id": cell.to_string(),
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"cell": cell.to_string(), "nodes": count, "center": [center.lng(), center.lat()]},
            }))
        })
        .collect();
    let body = json!({
        "type": "FeatureCollection",
        "resolution": res,
        "located_nodes": located,
        "occupied_cells": features.len(),
        "features": features,
    });
    let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::store("the serializer", e))?;
    let mut r = bytes_with(bytes.into(), GEO_JSON);
    r.headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("public, max-age=60"));
    Ok(r)
}
