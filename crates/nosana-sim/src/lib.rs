#![warn(missing_docs)]
//! A deterministic simulated Nosana world for the reference node: markets (GPU tiers seeded
//! from mainnet), about 2,800 nodes with operators and locations, projects posting jobs with
//! seasonality, stakers and rewards, reward pools, a treasury that burns and mints, and a
//! NOS/USD price path. It plans each slot's transactions against the reference program
//! ([`Simulation::plan_slot`]), learns what happened from each block ([`Simulation::observe`])
//! and keeps the ground truth ([`Truth`]) and the off-chain data Nosana's backend would serve
//! ([`OffchainData`]). No IO, no clock; every key and draw comes from the seed (job keypairs
//! are derived ahead on one helper thread, which changes nothing but who derives them).

pub mod builders;
mod clients;
pub mod error;
mod job_keys;
mod jobs;
pub mod offchain;
pub mod operators;
pub mod price;
pub mod regions;
pub mod rng;
pub mod scenario;
mod setup;
mod sim;
mod staking;
mod treasury;
pub mod truth;
mod world;

pub use error::{ScenarioError, SimError};
pub use offchain::{MarketMeta, NodeSpec, OffchainData};
pub use price::{PricePath, PricePoint};
pub use scenario::Scenario;
pub use sim::Simulation;
pub use truth::{JobOutcome, Truth};
