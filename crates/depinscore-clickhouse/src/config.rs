use serde::{Deserialize, Serialize};

use crate::ChError;

/// Where ClickHouse is and how to log in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChConfig {
    /// HTTP interface, e.g. `http://127.0.0.1:8123`.
    pub url: String,
    /// Database holding the tables (created by `migrate`).
    pub database: String,
    pub user: String,
    pub password: String,
    /// Every query runs with `readonly = 2`: reads (and per-query settings) only, so a reader
    /// such as the API cannot write or drop anything even with a writer's credentials. It also
    /// sends `use_uncompressed_cache = 1` (see [`READER_SETTINGS`]).
    pub readonly: bool,
    /// The cluster (one shard of replicas) migrations create the schema on, with replicated
    /// engines; empty for one server.
    pub cluster: String,
}

impl Default for ChConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:8123".into(),
            database: "depinscore".into(),
            user: "default".into(),
            password: String::new(),
            readonly: false,
            cluster: String::new(),
        }
    }
}

impl ChConfig {
    /// A client for queries. Validation is off: ClickHouse 18.16 does not speak
    /// RowBinaryWithNamesAndTypes (the row types are checked by the tests instead), and
    /// responses are not compressed: 18.16 answers `compress=1` queries with an empty body.
    pub fn client(&self) -> Result<clickhouse::Client, ChError> {
        check_identifier(&self.database)?;
        let mut client = clickhouse::Client::default()
            .with_url(&self.url)
            .with_user(&self.user)
            .with_validation(false)
            .with_compression(clickhouse::Compression::None);
        if !self.password.is_empty() {
            client = client.with_password(&self.password);
        }
        if self.readonly {
            client = client.with_option("readonly", "2");
            for (name, value) in READER_SETTINGS {
                client = client.with_option(*name, *value);
            }
        }
        Ok(client)
    }

    /// A client for inserts: request bodies are LZ4-compressed (`decompress=1`), which 18.16
    /// and current releases both accept.
    pub fn insert_client(&self) -> Result<clickhouse::Client, ChError> {
        Ok(self.client()?.with_compression(clickhouse::Compression::Lz4))
    }
}

/// What a reader (the API) asks of every query besides `readonly`. `use_uncompressed_cache`:
/// the explorer reads a page's jobs by key, a few rows from each of many compressed blocks per
/// column. Without the server's cache of decompressed blocks (off by default in current
/// releases), every page decompresses all of those blocks again: about 27 ms for a 50-job
/// page over a million jobs on the development machine, against 9 ms from the cache. A
/// `readonly = 1` user cannot send settings, so its profile sets the same
/// (`schema/clickhouse-users/readers.xml`).
pub const READER_SETTINGS: &[(&str, &str)] = &[("use_uncompressed_cache", "1")];

/// Database names are spliced into SQL, so only plain identifiers are accepted.
pub(crate) fn check_identifier(name: &str) -> Result<(), ChError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok { Ok(()) } else { Err(ChError::DatabaseName(name.to_string())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_that_could_inject_sql_are_refused() {
        for bad in ["", "a;DROP TABLE x", "db.x", "1db", "a b", "x`"] {
            assert!(check_identifier(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["depinscore", "test_1", "_x"] {
            assert!(check_identifier(good).is_ok(), "{good:?} refused");
        }
    }
}
