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
    /// GPU model name as the node reports it.
    pub gpu_model: String,
    /// GPUs in the node.
    pub gpu_count: u16,
    /// VRAM per GPU in GB.
    pub vram_gb: u32,
    /// CPU model name.
    pub cpu_model: String,
    /// CPU cores.
    pub cpu_cores: u16,
    /// RAM in GB.
    pub ram_gb: u16,
    /// Disk in GB.
    pub disk_gb: u32,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 3166-1 numeric.
    pub country_code: u16,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
    /// Download bandwidth in Mb/s.
    pub bandwidth_down_mbps: u32,
    /// Upload bandwidth in Mb/s.
    pub bandwidth_up_mbps: u32,
    /// Node software version.
    pub node_version: String,
    /// CUDA version.
    pub cuda_version: String,
}

/// A market's metadata, as `GET /api/markets` reports it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MarketMeta {
    /// The simulated market account, base58.
    pub address: String,
    /// The real market's mainnet address this tier is modelled on.
    pub mainnet_address: String,
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: String,
    /// GPU models accepted.
    pub gpu_types: Vec<String>,
    /// GPUs in the node.
    pub gpu_count: u16,
    /// VRAM per GPU in GB.
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
    /// One entry per node.
    pub nodes: Vec<NodeSpec>,
    /// One entry per market.
    pub markets: Vec<MarketMeta>,
    /// Daily NOS/USD points over the whole price horizon.
    pub prices: Vec<PricePoint>,
}
