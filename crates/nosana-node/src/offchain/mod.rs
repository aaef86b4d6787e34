//! Nosana-backend-style off-chain HTTP endpoints: node specs, market metadata, NOS/USD prices.

pub mod model;
pub mod routes;

pub use model::{Gpu, MarketInfo, MarketKind, NodeSpecs, OffchainData, PricePoint};
