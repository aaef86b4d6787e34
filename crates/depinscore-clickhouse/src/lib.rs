//! ClickHouse adapter of the indexer: the numbered migrations in `schema/clickhouse/`, the row
//! types of every table, the exactly-once slot-batch writer and the read queries the indexer's
//! `verify` and the engine need.
//!
//! Works on ClickHouse 18.16 (RowBinary without validation) and current LTS.

mod analytics;
mod cluster;
mod config;
mod error;
pub mod explorer;
mod fence;
mod migrate;
mod queries;
mod rows;
mod writer;

pub use analytics::{ChainExtent, FlowFact, JobEventFact, StakeFact};
pub use cluster::for_cluster;
pub use config::{ChConfig, READER_SETTINGS};
pub use error::ChError;
pub use explorer::*;
pub use fence::WriteFence;
pub use migrate::{AppliedMigration, MIGRATIONS, Migration, statements};
pub use queries::{FlowTotal, JobEventCount, LatestAccount, QuarantineCount, QuarantinedItem, SubjectFlow, TableCount};
pub use rows::*;
pub use writer::{ChStore, SlotBatch, WriteReport};
