//! `depinscore verify`: compare ClickHouse with the node (account states) and, with `--truth`,
//! with the reference node's ground truth. Prints every difference; fails on any.

use std::path::PathBuf;

use anyhow::Context;
use depinscore_indexer::verify::{self, TruthFile};

use crate::commands::stores;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Ground truth written by `depinscore node --truth`.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Skip the account comparison with the node's getProgramAccounts.
    #[arg(long)]
    no_accounts: bool,
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let differences = runtime.block_on(async {
        let ch = stores::clickhouse(settings).await?;
        let mut differences = Vec::new();
        if let Some(path) = &args.truth {
            let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let truth: TruthFile = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a ground-truth file", path.display()))?;
            let all = settings.indexer.filter == "all";
            let d = verify::against_truth(&ch, &truth, all).await.map_err(anyhow::Error::msg)?;
            println!("truth: {} jobs, {} differences", truth.jobs.len(), d.len());
            differences.extend(d);
        }
        if !args.no_accounts {
            let rpc = stores::rpc(settings)?;
            let d = verify::against_node(&ch, &rpc).await.map_err(anyhow::Error::msg)?;
            println!("accounts: {} differences with {}", d.len(), settings.indexer.rpc);
            differences.extend(d);
        }
        for q in ch.quarantine_counts().await? {
            println!("quarantined: {} {} × {}", q.items, q.source, q.reason);
        }
        anyhow::Ok(differences)
    })?;
    for d in &differences {
        println!("DIFF {d}");
    }
    anyhow::ensure!(differences.is_empty(), "{} differences", differences.len());
    println!("verify: zero differences");
    Ok(())
}
