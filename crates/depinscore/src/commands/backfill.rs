//! `depinscore backfill`: history over JSON-RPC into ClickHouse, resumable through the same
//! checkpoint as the live stream; `--snapshot` loads every account's current state.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use depinscore_indexer::Committed;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use crate::commands::stores;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// First slot (default: after the checkpoint, or genesis).
    #[arg(long)]
    from_slot: Option<u64>,
    /// Last slot (default: the node's confirmed slot now).
    #[arg(long)]
    to_slot: Option<u64>,
    /// Then load the current state of every account through getProgramAccounts.
    #[arg(long)]
    snapshot: bool,
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shutdown = stores::shutdown_signal();
        let rpc = stores::rpc(settings)?;
        let commit = stores::commit_config(settings)?;
        let ch = stores::clickhouse(settings).await?;
        let checkpoints = Arc::new(stores::SqlCheckpoints(stores::sql(settings).await?));
        let to = match args.to_slot {
            Some(t) => t,
            None => rpc.slot("confirmed").await.with_context(|| format!("getSlot at {}", settings.indexer.rpc))?,
        };
        let from = args.from_slot.unwrap_or(0);
        let bar = ProgressBar::new(to.saturating_sub(from) + 1);
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] slot {pos}/{len} {per_sec} eta {eta} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let (progress_tx, mut progress) = watch::channel(Committed::default());
        let ticker = {
            let bar = bar.clone();
            tokio::spawn(async move {
                while progress.changed().await.is_ok() {
                    let p = *progress.borrow();
                    bar.set_position(p.slot.saturating_sub(from) + 1);
                    bar.set_message(format!("{} transactions", p.transactions));
                }
            })
        };
        let started = std::time::Instant::now();
        let last = depinscore_indexer::backfill::backfill(
            &rpc,
            ch.clone(),
            checkpoints,
            commit,
            depinscore_indexer::backfill::Range { from, to, concurrency: settings.indexer.rpc_concurrency.max(1) },
            progress_tx,
            shutdown,
        )
        .await
        .map_err(anyhow::Error::msg)?;
        ticker.abort();
        bar.finish();
        match last {
            Some(slot) => println!("backfilled through slot {slot} in {:.1} s", started.elapsed().as_secs_f64()),
            None => println!("nothing to backfill: the checkpoint is at or past slot {to}"),
        }
        if args.snapshot {
            let (slot, rows) = depinscore_indexer::backfill::snapshot(&rpc, &ch, stores::unix_now())
                .await
                .map_err(anyhow::Error::msg)?;
            println!("snapshot at slot {slot}: {rows} account states");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
        Ok(())
    })
}
