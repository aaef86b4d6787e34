//! `depinscore migrate`: apply the ClickHouse and relational migrations and list what is applied.

use anyhow::Context;

use crate::commands::stores;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(settings: &Settings, _args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let ch = stores::clickhouse(settings).await?;
        for m in ch.applied_migrations().await? {
            println!("clickhouse {:04} {}", m.version, m.name);
        }
        let url = crate::commands::config::mask_url(&settings.database.url);
        let sql = depinscore_sql::SqlStore::connect(&settings.database.url)
            .await
            .with_context(|| format!("opening {url} (database.url)"))?;
        let applied = sql.migrate().await.with_context(|| format!("migrating {url}"))?;
        println!("{url}: {} migrations applied now", applied.len());
        Ok(())
    })
}
