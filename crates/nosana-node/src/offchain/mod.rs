//! Nosana-backend-style off-chain HTTP endpoints: node specs, market metadata, NOS/USD prices.

pub mod from_sim;
pub mod model;
pub mod routes;

pub use from_sim::from_sim;
pub use model::{Gpu, MarketInfo, MarketKind, NodeSpecs, OffchainData, PricePoint};
