//! `depinscore index`: follow the Yellowstone stream into ClickHouse until Ctrl-C.

use std::sync::Arc;

use anyhow::Context;
use depinscore_indexer::Committed;
use tokio::sync::watch;

use crate::commands::{metrics_server, stores};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(settings: &Settings, _args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shutdown = stores::shutdown_signal();
        let metrics = if settings.indexer.metrics.is_empty() {
            None
        } else {
            let listener = tokio::net::TcpListener::bind(&settings.indexer.metrics)
                .await
                .with_context(|| format!("binding {} (indexer.metrics)", settings.indexer.metrics))?;
            println!("metrics on http://{}/metrics", listener.local_addr()?);
            let handle = metrics_server::install()?;
            Some(tokio::spawn(metrics_server::serve(listener, handle, shutdown.clone())))
        };
        let (progress_tx, mut progress) = watch::channel(Committed::default());
        let reporter = tokio::spawn(async move {
            let mut last = std::time::Instant::now();
            while progress.changed().await.is_ok() {
                if last.elapsed().as_secs() >= 5 {
                    let p = *progress.borrow();
                    tracing::info!(slot = p.slot, transactions = p.transactions, "committed");
                    last = std::time::Instant::now();
                }
            }
        });
        let result = follow(settings, progress_tx, shutdown).await;
        reporter.abort();
        if let Some(m) = metrics {
            let _ = m.await;
        }
        result
    })
}

/// Follows the stream of `indexer.*` into ClickHouse until `shutdown`, reporting each commit
/// on `progress`. Metrics go to the process-wide recorder, if one is installed.
pub async fn follow(
    settings: &Settings,
    progress: watch::Sender<Committed>,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let stream = stores::stream_config(settings)?;
    let commit = stores::commit_config(settings)?;
    let rpc = stores::rpc(settings)?;
    let ch = stores::clickhouse(settings).await?;
    let checkpoints = Arc::new(stores::SqlCheckpoints(stores::sql(settings).await?));
    println!("following {} into {}/{}", stream.endpoint, settings.clickhouse.url, settings.clickhouse.database);
    depinscore_indexer::index(stream, commit, rpc, ch, checkpoints, progress, shutdown)
        .await
        .map_err(anyhow::Error::msg)
}
