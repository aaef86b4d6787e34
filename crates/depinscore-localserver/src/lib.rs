//! Real servers as local processes on 127.0.0.1: [`Postgres`] and [`ClickHouse`] for the tests,
//! each in its own temporary data directory, stopped and removed on drop; and the managed
//! ClickHouse of `depinscore demo` ([`ClickHouse::start_in`]), whose data directory stays.
//!
//! Every server gets a watchdog process that stops it and removes its directory when the test
//! process dies without dropping it (a `static` shared by a test binary, an abort, a SIGKILL),
//! so no test run leaves servers behind.
//!
//! Starting fails with an error (never a silent skip) when a server is not installed; the
//! error names `bash .ci/test`, which installs them.

mod clickhouse;
mod error;
mod http;
mod port;
mod postgres;
mod process;
mod tempdir;

pub use clickhouse::ClickHouse;
pub use error::ServerError;
pub use port::free_port;
pub use postgres::{EXTERNAL_URL_VAR, Postgres};
pub use process::find_binary;
pub use tempdir::TempDir;

/// The crate's result type.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;
