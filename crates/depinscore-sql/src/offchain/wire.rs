//! The backend's JSON shapes, reduced to the fields the store keeps (unknown fields are
//! ignored, so newer backends still parse).

use serde::Deserialize;

/// One GPU of a node.
#[derive(Debug, Deserialize)]
pub(crate) struct Gpu {
    /// Model name.
    pub(crate) gpu: String,
    /// VRAM, MB.
    pub(crate) memory: u64,
}

/// `GET /nodes/{address}/specs`, and the entries of `GET /nodes` when it lists full specs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NodeSpecs {
    pub(crate) node_address: String,
    #[serde(default)]
    pub(crate) market_address: Option<String>,
    #[serde(default)]
    pub(crate) gpus: Vec<Gpu>,
    #[serde(default)]
    pub(crate) country: Option<String>,
    pub(crate) lat: f64,
    pub(crate) lng: f64,
}

/// `GET /markets` entries (snake_case in the backend).
#[derive(Debug, Deserialize)]
pub(crate) struct MarketInfo {
    pub(crate) address: String,
    pub(crate) name: String,
    pub(crate) slug: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) gpu_types: Vec<String>,
    /// GB.
    #[serde(default)]
    pub(crate) lowest_vram: u64,
    #[serde(default)]
    pub(crate) usd_reward_per_hour: f64,
    #[serde(default)]
    pub(crate) sft: Option<String>,
}

/// `GET /stats/price` entries.
#[derive(Debug, Deserialize)]
pub(crate) struct PriceEntry {
    /// Unix seconds.
    pub(crate) timestamp: i64,
    pub(crate) usd: f64,
}
