//! Opening the stores and the stream from settings, shared by the indexer commands.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use depinscore_clickhouse::{ChStore, WriteFence};
use depinscore_indexer::rpc::RpcClient;
use depinscore_indexer::{CommitConfig, Commitment, StreamConfig, TxFilter};
use depinscore_sql::SqlStore;
use tokio::sync::watch;

use crate::settings::Settings;

pub fn unix_now() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as u32).unwrap_or(0)
}

/// ClickHouse with every migration applied.
pub async fn clickhouse(settings: &Settings) -> anyhow::Result<Arc<ChStore>> {
    let cfg = settings.clickhouse.config();
    let store = ChStore::open(&cfg, unix_now()).await.with_context(|| {
        format!("opening ClickHouse at {} (clickhouse.url)", crate::commands::config::mask_url(&cfg.url))
    })?;
    Ok(Arc::new(store))
}

/// ClickHouse with every migration applied, waiting for it while it cannot be reached (down or
/// restarting: retried with backoff up to 30 s, each attempt logged); `None` when `shutdown`
/// came first. Any other failure (refused credentials, a bad database name) is an error. With a
/// `fence`, the store writes only while it is open.
pub async fn clickhouse_when_reachable(
    settings: &Settings,
    shutdown: &mut watch::Receiver<bool>,
    fence: Option<WriteFence>,
) -> anyhow::Result<Option<Arc<ChStore>>> {
    let cfg = settings.clickhouse.config();
    let mut wait = Duration::from_secs(1);
    loop {
        match ChStore::open(&cfg, unix_now()).await {
            Ok(store) => {
                return Ok(Some(Arc::new(match &fence {
                    Some(f) => store.fenced(f.clone()).await.context("fencing the lease holder's ClickHouse writes")?,
                    None => store,
                })));
            }
            Err(e) if e.is_unreachable() => {
                tracing::warn!(url = %crate::commands::config::mask_url(&cfg.url), error = %e, retry_in = ?wait, "ClickHouse is not reachable yet");
            }
            Err(e) => {
                let url = crate::commands::config::mask_url(&cfg.url);
                return Err(e).with_context(|| format!("opening ClickHouse at {url} (clickhouse.url)"));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => return Ok(None),
        }
        wait = (wait * 2).min(Duration::from_secs(30));
    }
}

/// The relational store with every migration applied.
pub async fn sql(settings: &Settings) -> anyhow::Result<SqlStore> {
    let url = &settings.database.url;
    let shown = crate::commands::config::mask_url(url);
    let store = SqlStore::connect(url).await.with_context(|| format!("opening {shown} (database.url)"))?;
    store.migrate().await.with_context(|| format!("migrating {shown}"))?;
    Ok(store)
}

/// Checkpoints kept in the relational store.
pub struct SqlCheckpoints(pub SqlStore);

impl depinscore_indexer::Checkpoints for SqlCheckpoints {
    async fn load(&self, stream: &str) -> Result<Option<u64>, String> {
        self.0.checkpoint(stream).await.map(|c| c.map(|c| c.slot)).map_err(|e| e.to_string())
    }

    async fn save(&self, stream: &str, slot: u64, block_time: i64) -> Result<(), String> {
        self.0.save_checkpoint(stream, slot, block_time).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

pub fn rpc(settings: &Settings) -> anyhow::Result<RpcClient> {
    RpcClient::new(&settings.indexer.rpc, Duration::from_secs(60)).context("building the JSON-RPC client")
}

pub fn commitment(settings: &Settings) -> anyhow::Result<Commitment> {
    Ok(match settings.indexer.commitment.as_str() {
        "processed" => Commitment::Processed,
        "confirmed" => Commitment::Confirmed,
        "finalized" => Commitment::Finalized,
        other => bail!("indexer.commitment: {other:?} is not processed, confirmed or finalized"),
    })
}

pub fn stream_config(settings: &Settings) -> anyhow::Result<StreamConfig> {
    let i = &settings.indexer;
    let filter = match i.filter.as_str() {
        "all" => TxFilter::All,
        "nosana" => TxFilter::Nosana,
        other => bail!("indexer.filter: {other:?} is not all or nosana"),
    };
    let start_slot = match i.start.as_str() {
        "genesis" => Some(0),
        "live" => None,
        n => {
            Some(n.parse::<u64>().map_err(|_| anyhow::anyhow!("indexer.start: {n:?} is not genesis, live or a slot"))?)
        }
    };
    anyhow::ensure!(i.watchdog_secs > 0, "indexer.watchdog_secs must be positive");
    Ok(StreamConfig {
        endpoint: i.grpc.clone(),
        x_token: (!i.x_token.is_empty()).then(|| i.x_token.clone()),
        commitment: commitment(settings)?,
        filter,
        watchdog: Duration::from_secs(i.watchdog_secs),
        backoff_initial: Duration::from_millis(250),
        backoff_max: Duration::from_secs(5),
        rpc_concurrency: i.rpc_concurrency.max(1),
        start_slot,
    })
}

/// `indexer.lease_secs`: 0 (no lease) or 3..=3600 seconds, so that renewing every third of it
/// leaves a whole second of margin.
pub fn lease_secs(settings: &Settings) -> anyhow::Result<u64> {
    let secs = settings.indexer.lease_secs;
    anyhow::ensure!(secs == 0 || (3..=3600).contains(&secs), "indexer.lease_secs must be 0 or within 3..=3600");
    Ok(secs)
}

pub fn commit_config(settings: &Settings) -> anyhow::Result<CommitConfig> {
    let i = &settings.indexer;
    anyhow::ensure!(i.batch_slots > 0, "indexer.batch_slots must be positive");
    anyhow::ensure!(i.batch_rows > 0 && i.batch_rows <= 1_000_000, "indexer.batch_rows must be in 1..=1000000");
    Ok(CommitConfig {
        max_slots: i.batch_slots,
        max_rows: i.batch_rows,
        max_delay: Duration::from_millis(i.flush_ms),
        stream: i.stream.clone(),
    })
}

/// A shutdown signal that turns true on Ctrl-C or SIGTERM.
pub fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    send_on_signal(tx);
    rx
}

/// Sends `true` on `tx` at Ctrl-C or SIGTERM (a component may also send it itself).
pub fn send_on_signal(tx: watch::Sender<bool>) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    let _ = tx.send(true);
                    return;
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(true);
    });
}
