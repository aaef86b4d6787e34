//! The off-chain data a Nosana deployment serves from its backend, as plain serde structs in
//! the backend's field names. The simulation fills an [`OffchainData`]; the node serves it.

use serde::{Deserialize, Serialize};

/// One GPU of a node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gpu {
    /// Model name, e.g. `NVIDIA GeForce RTX 4090`.
    pub gpu: String,
    /// VRAM in MB.
    pub memory: u64,
}

/// `GET /api/nodes/{address}/specs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpecs {
    /// The node's authority (base58).
    pub node_address: String,
    /// The market (GPU tier) it serves, if any.
    pub market_address: Option<String>,
    pub gpus: Vec<Gpu>,
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cpu_cores: u32,
    /// MB.
    pub ram: u64,
    /// GB.
    pub disk_space: u64,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub lat: f64,
    pub lng: f64,
    /// Mbps.
    pub download: f64,
    /// Mbps.
    pub upload: f64,
    /// Milliseconds.
    pub ping: f64,
    /// The node software version.
    pub node_version: String,
    pub cuda_version: Option<String>,
    pub nvml_version: Option<String>,
    /// e.g. `Linux`, `WSL2`.
    pub system_environment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MarketKind {
    Premium,
    Community,
}

/// `GET /api/markets` entries (the backend's snake_case names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketInfo {
    pub address: String,
    pub name: String,
    pub slug: String,
    #[serde(rename = "type")]
    pub kind: MarketKind,
    pub gpu_types: Vec<String>,
    pub required_images: Vec<String>,
    pub required_remote_resources: Vec<String>,
    /// GB.
    pub lowest_vram: u64,
    pub usd_reward_per_hour: f64,
    /// The access-key (SFT) collection, if gated.
    pub sft: Option<String>,
}

/// NOS/USD at a time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PricePoint {
    /// Unix seconds.
    pub timestamp: i64,
    pub usd: f64,
}

/// Everything the off-chain endpoints serve. `prices` ascending by time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OffchainData {
    pub nodes: Vec<NodeSpecs>,
    pub markets: Vec<MarketInfo>,
    pub prices: Vec<PricePoint>,
}
