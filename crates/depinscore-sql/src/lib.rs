//! depinscore's relational side store: stream checkpoints, the off-chain node registry (with
//! each location's H3 cell), markets, NOS/USD prices and the import history, in SQLite (a file
//! by default) or Postgres (a `postgres://` URL), through sqlx's `Any` driver. Plus
//! [`offchain::import`], which fills the store from a Nosana-backend-style HTTP API.
//!
//! ```no_run
//! # async fn demo() -> Result<(), depinscore_sql::SqlError> {
//! let store = depinscore_sql::SqlStore::connect("sqlite://data/depinscore.db").await?;
//! store.migrate().await?;
//! store.save_checkpoint("jobs", 312_000_000, 1_735_000_000).await?;
//! # Ok(()) }
//! ```
//!
//! Migrations live in `schema/sql/sqlite/` and `schema/sql/postgres/` (one file per version and
//! dialect, same numbers and names) and are embedded at compile time.

mod api_access;
mod checkpoints;
mod error;
mod evidence;
mod geo;
mod imports;
mod leases;
mod markets;
mod migrate;
mod nodes;
pub mod offchain;
mod prices;
mod snapshots;
mod store;
mod time;

pub use api_access::{ApiKey, NewApiKey, Publication, SECRET_PREFIX, secret_digest};
pub use checkpoints::Checkpoint;
pub use error::SqlError;
pub use evidence::{EvidenceRecord, MAX_EVIDENCE_BYTES};
pub use geo::{H3_RESOLUTION, LocationError, h3_res5};
pub use imports::{ImportRecord, ImportStatus};
pub use leases::Lease;
pub use markets::MarketRecord;
pub use migrate::{MIGRATIONS, MIGRATIONS_TABLE, Migration};
pub use nodes::NodeRecord;
pub use prices::PricePoint;
pub use snapshots::SnapshotRecord;
pub use store::{Backend, SqlStore, TABLES};
pub use time::now_unix;
