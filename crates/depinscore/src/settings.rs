//! Settings: one TOML file (optional) overlaid by `DEPINSCORE__SECTION__KEY` environment
//! variables. Every key, its default and meaning is in `settings-template.toml`.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub reference: ReferenceSettings,
    #[serde(default)]
    pub clickhouse: ClickHouseSettings,
    #[serde(default)]
    pub database: DatabaseSettings,
    #[serde(default)]
    pub indexer: IndexerSettings,
    #[serde(default)]
    pub score: ScoreSettings,
    #[serde(default)]
    pub api: ApiSettings,
    #[serde(default)]
    pub report: ReportSettings,
    #[serde(default)]
    pub demo: DemoSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub offchain: OffchainSettings,
}

/// Where node specs, markets and prices come from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct OffchainSettings {
    /// Root of a Nosana-backend-style API (`/nodes`, `/markets`, `/stats/price`); http or https.
    pub url: String,
}

impl Default for OffchainSettings {
    fn default() -> Self {
        Self { url: "http://127.0.0.1:8899/api".into() }
    }
}

/// Logs on stderr.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `text` or `json` (one JSON object per line).
    pub format: String,
    /// A tracing filter (`info`, `depinscore_indexer=debug,info`); `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { format: "text".into(), level: "info".into() }
    }
}

/// `depinscore demo`: the whole product on this machine.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DemoSettings {
    /// The demo's ClickHouse data and, while `database.url` is the default, its SQLite store.
    pub data_dir: String,
    /// Start a local `clickhouse-server` in `data_dir` (true) or use `clickhouse.url` (false).
    pub managed_clickhouse: bool,
    /// Scenario file laid over the default world (empty: the default scenario).
    pub scenario: String,
    pub seed: u64,
    /// Days of chain history produced as fast as possible before the node goes live.
    pub history_days: u32,
    /// Block-time compression of that history (1000: 400 s of chain time per slot).
    pub compression: u32,
    /// While following live, re-score and rewrite the report this often (0: never).
    pub rescore_secs: u64,
}

impl Default for DemoSettings {
    fn default() -> Self {
        Self {
            data_dir: "data/demo".into(),
            managed_clickhouse: true,
            scenario: String::new(),
            seed: 1,
            history_days: 30,
            compression: 1000,
            rescore_secs: 600,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ApiSettings {
    pub listen: String,
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    pub trust_forwarded_for: bool,
    pub ready_max_lag_secs: u64,
    pub refresh_secs: u64,
    pub explorer_cache_ms: u64,
    pub clickhouse_user: String,
    pub clickhouse_password: String,
    pub chromium: String,
    pub cloud_prices: String,
    pub generated_for: String,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            rate_limit_per_second: 100,
            rate_limit_burst: 200,
            trust_forwarded_for: false,
            ready_max_lag_secs: 120,
            refresh_secs: 5,
            explorer_cache_ms: 1000,
            clickhouse_user: String::new(),
            clickhouse_password: String::new(),
            chromium: String::new(),
            cloud_prices: "builtin:v1".into(),
            generated_for: "Nosana".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    pub out_dir: String,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self { out_dir: "reports/out".into() }
    }
}

/// What a score is computed with. `builtin:<name>` is the copy of `reports/…` compiled into
/// the binary; anything else is a file path.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreSettings {
    /// Methodology file (`reports/methodology/v1.toml`).
    pub methodology: String,
    /// Rubric evidence file (`reports/evidence/nosana.toml`).
    pub evidence: String,
    /// Hardware cost table (`reports/hardware/v1.toml`).
    pub hardware: String,
    /// Published figures to check against their own weights.
    pub published: Vec<String>,
    /// Wallets whose NOS does not circulate (treasury, team), base58.
    pub treasury_wallets: Vec<String>,
    /// Use only NOS/USD points of this source (empty: all sources).
    pub price_source: String,
}

impl Default for ScoreSettings {
    fn default() -> Self {
        Self {
            methodology: "builtin:v1".into(),
            evidence: "builtin:nosana".into(),
            hardware: "builtin:v1".into(),
            published: vec!["builtin:depin-builders-nosana-2026-05-29".into()],
            treasury_wallets: Vec::new(),
            price_source: String::new(),
        }
    }
}

/// Where the analytics store is.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ClickHouseSettings {
    /// HTTP interface.
    pub url: String,
    pub database: String,
    pub user: String,
    pub password: String,
    /// Migrations create the schema on this cluster (one shard of replicas, replicated
    /// engines); empty for one server.
    pub cluster: String,
}

impl Default for ClickHouseSettings {
    fn default() -> Self {
        let c = depinscore_clickhouse::ChConfig::default();
        Self { url: c.url, database: c.database, user: c.user, password: c.password, cluster: c.cluster }
    }
}

impl ClickHouseSettings {
    pub fn config(&self) -> depinscore_clickhouse::ChConfig {
        depinscore_clickhouse::ChConfig {
            url: self.url.clone(),
            database: self.database.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            readonly: false,
            cluster: self.cluster.clone(),
        }
    }
}

/// The relational store (checkpoints, node registry, prices, imports).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://path` (created when missing) or `postgres://user@host/db`.
    pub url: String,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self { url: "sqlite://data/depinscore.db".into() }
    }
}

/// The stream the indexer follows.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct IndexerSettings {
    /// Yellowstone gRPC endpoint.
    pub grpc: String,
    /// Provider token sent as `x-token` (empty: none).
    pub x_token: String,
    /// Solana JSON-RPC endpoint (gaps, backfill, snapshots, verify).
    pub rpc: String,
    /// `processed`, `confirmed` or `finalized`.
    pub commitment: String,
    /// `all` (every non-vote transaction; seals slots by count) or `nosana` (only transactions
    /// touching the five programs or the NOS mint; for mainnet).
    pub filter: String,
    /// Without a checkpoint: `genesis`, `live`, or a slot number.
    pub start: String,
    /// Reconnect when the stream is silent this long.
    pub watchdog_secs: u64,
    /// Commit after this many slots, rows or milliseconds, whichever comes first.
    pub batch_slots: usize,
    pub batch_rows: usize,
    pub flush_ms: u64,
    /// Concurrent `getBlock` calls for gaps and backfill.
    pub rpc_concurrency: usize,
    /// Checkpoint name of this stream.
    pub stream: String,
    /// Prometheus `/metrics` listen address (empty: none).
    pub metrics: String,
    /// One writer per stream: the lease an indexer holds and renews (seconds); a standby takes
    /// over once it expires. 0: no lease (only one indexer may run per stream).
    pub lease_secs: u64,
}

impl Default for IndexerSettings {
    fn default() -> Self {
        Self {
            grpc: "http://127.0.0.1:10000".into(),
            x_token: String::new(),
            rpc: "http://127.0.0.1:8899".into(),
            commitment: "confirmed".into(),
            filter: "all".into(),
            start: "genesis".into(),
            watchdog_secs: 30,
            batch_slots: 512,
            batch_rows: 200_000,
            flush_ms: 100,
            rpc_concurrency: 8,
            stream: "grpc".into(),
            metrics: "127.0.0.1:9100".into(),
            lease_secs: 15,
        }
    }
}

/// The bundled reference program.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSettings {
    /// `JOB_FEE_FRACTION`: network fee = deposit / fraction; 0 = no fee (mainnet since 2026-05).
    #[serde(default)]
    pub fee_fraction: u64,
}

impl Settings {
    /// Reads `file` (when given) and the environment. A broken file or value is an error that
    /// names the file and the key.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            anyhow::ensure!(path.is_file(), "settings file {} does not exist", path.display());
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
        }
        builder = builder.add_source(config::Environment::with_prefix("DEPINSCORE").separator("__").try_parsing(true));
        let raw = builder.build().context("reading settings")?;
        raw.try_deserialize().context("invalid settings")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(contents: &str) -> tempfile_path::TempPath {
        tempfile_path::TempPath::with(contents)
    }

    /// A minimal temporary file, removed on drop (no extra dependency for one test helper).
    mod tempfile_path {
        pub struct TempPath(pub std::path::PathBuf);
        impl TempPath {
            pub fn with(contents: &str) -> Self {
                let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
                let p = std::env::temp_dir().join(format!("depinscore-settings-{}-{n}.toml", std::process::id()));
                std::fs::write(&p, contents).unwrap();
                TempPath(p)
            }
        }
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn no_file_gives_the_defaults() {
        assert_eq!(Settings::load(None).unwrap(), Settings::default());
    }

    #[test]
    fn the_template_is_valid_and_holds_the_defaults() {
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("settings-template.toml");
        assert_eq!(Settings::load(Some(&template)).unwrap(), Settings::default());
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_naming_the_key() {
        let f = write("[reference]\nfee_fraction = \"ten\"\n");
        let err = format!("{:#}", Settings::load(Some(&f.0)).unwrap_err());
        assert!(err.contains("fee_fraction"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let f = write("[reference]\nfee_fractoin = 10\n");
        let err = format!("{:#}", Settings::load(Some(&f.0)).unwrap_err());
        assert!(err.contains("fee_fractoin"), "{err}");
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = Settings::load(Some(Path::new("/nonexistent/depinscore.toml"))).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/depinscore.toml"), "{err}");
    }
}
