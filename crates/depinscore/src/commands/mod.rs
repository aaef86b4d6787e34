pub mod backfill;
pub mod index;
pub mod lifecycle;
mod metrics_server;
pub mod migrate;
pub mod node;
mod stores;
pub mod verify;
