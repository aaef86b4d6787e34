//! `depinscore import`: the off-chain data the chain does not carry (node specs and locations,
//! markets, NOS/USD prices) from a Nosana-backend-style HTTP API into the relational store.

use anyhow::Context;
use depinscore_sql::SqlStore;
use depinscore_sql::offchain::ImportReport;

use crate::commands::stores;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// API root (overrides offchain.url), e.g. http://127.0.0.1:8899/api for `depinscore node`.
    #[arg(long)]
    url: Option<String>,
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let url = args.url.clone().unwrap_or_else(|| settings.offchain.url.clone());
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let (_, report) = import(settings, &url).await?;
        println!("{}", report.summary());
        Ok(())
    })
}

/// Imports from `url` into the relational store; returns the store and what was imported.
pub async fn import(settings: &Settings, url: &str) -> anyhow::Result<(SqlStore, ImportReport)> {
    let store = stores::sql(settings).await?;
    let report = depinscore_sql::offchain::import(url, &store)
        .await
        .with_context(|| format!("importing from {} (offchain.url)", crate::commands::config::mask_url(url)))?;
    Ok((store, report))
}
