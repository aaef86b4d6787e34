//! `depinscore export`: write the engine's inputs as Parquet, so a score can be rerun offline
//! with `depinscore score --inputs <dir>`.

use std::path::PathBuf;

use crate::commands::score::{At, load, parse_at};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write (created when missing).
    #[arg(long)]
    out: PathBuf,
    /// Up to a slot or a UTC date (YYYY-MM-DD), as `score --at`.
    #[arg(long)]
    at: Option<String>,
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let at: Option<At> = args.at.as_deref().map(parse_at).transpose()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let inputs = runtime.block_on(async { load(settings, at).await.map(|(i, _)| i) })?;
    let files = depinscore_inputs::export(&inputs, &args.out)?;
    for (name, rows) in inputs.row_counts() {
        println!("{name}: {rows} rows");
    }
    println!("keys: {} addresses", inputs.keys.len().saturating_sub(1));
    for f in files {
        println!("wrote {f}");
    }
    Ok(())
}
