//! What Nosana's off-chain backend serves and the chain does not hold: node hardware specs,
//! market metadata (names, GPU types, tier) and the NOS/USD price history.

use serde::Serialize;

use crate::price::PricePoint;

/// A node's hardware and location, as `GET /api/nodes/{address}/specs` reports it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeSpec {
    /// The node's wallet (authority), base58.
    pub address: String,
    /// The market (tier) the node serves, base58 of the simulated market account.
    pub market: String,
    pub gpu_model: String,
    pub gpu_count: u16,
    pub vram_gb: u32,
    pub cpu_model: String,
    pub cpu_cores: u16,
    pub ram_gb: u16,
    pub disk_gb: u32,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 3166-1 numeric.
    pub country_code: u16,
    pub lat: f64,
    pub lng: f64,
    pub bandwidth_down_mbps: u32,
    pub bandwidth_up_mbps: u32,
    pub node_version: String,
    pub cuda_version: String,
}

/// A market's metadata, as `GET /api/markets` reports it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MarketMeta {
    /// The simulated market account, base58.
    pub address: String,
    /// The real market's mainnet address this tier is modelled on.
    pub mainnet_address: String,
    pub name: String,
    pub slug: String,
    pub gpu_types: Vec<String>,
    pub gpu_count: u16,
    pub vram_gb: u32,
    /// `PREMIUM` or `COMMUNITY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Job price in NOS base units per second.
    pub nos_job_price_per_second: u64,
    /// The NFT collection nodes need, if gated.
    pub sft_collection: Option<String>,
}

/// Everything the node serves over its off-chain HTTP endpoints.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OffchainData {
    pub nodes: Vec<NodeSpec>,
    pub markets: Vec<MarketMeta>,
    /// Daily NOS/USD points over the whole price horizon.
    pub prices: Vec<PricePoint>,
}
