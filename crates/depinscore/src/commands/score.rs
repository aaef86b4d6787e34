//! `depinscore score`: compute the builder score from what the indexer stored (or from a
//! Parquet export), store the snapshot, and print it as a table or as its canonical JSON.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use depinscore_engine::calendar::{DAY, parse_date};
use depinscore_engine::{Inputs, Snapshot};
use depinscore_inputs::{Follower, LoadOptions};
use depinscore_sql::SnapshotRecord;

use crate::commands::rules::LoadedRules;
use crate::commands::stores;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Methodology file (overrides score.methodology).
    #[arg(long)]
    methodology: Option<String>,
    /// Score as of a slot (the highest indexed slot at or before it) or a UTC date
    /// (YYYY-MM-DD, through the end of that day). Default: the last indexed slot.
    #[arg(long)]
    at: Option<String>,
    /// `table` (for people) or `json` (the snapshot's canonical JSON).
    #[arg(long, default_value = "table")]
    format: String,
    /// Read the inputs from a Parquet export (`depinscore export`) instead of the stores.
    #[arg(long)]
    inputs: Option<PathBuf>,
    /// Do not store the snapshot in the database.
    #[arg(long)]
    no_store: bool,
    /// List the stored snapshots (newest as-of first) instead of computing one.
    #[arg(long)]
    list: bool,
}

/// Where an `--at` value points.
#[derive(Debug, PartialEq, Eq)]
pub enum At {
    Slot(u64),
    /// Unix day.
    Date(i64),
}

pub fn parse_at(s: &str) -> anyhow::Result<At> {
    if let Ok(slot) = s.parse::<u64>() {
        return Ok(At::Slot(slot));
    }
    match parse_date(s) {
        Some(day) => Ok(At::Date(day)),
        None => bail!("--at: `{s}` is neither a slot number nor a date (YYYY-MM-DD)"),
    }
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    if args.format != "table" && args.format != "json" {
        bail!("--format: `{}` is not table or json", args.format);
    }
    if args.list {
        return list(settings, &args.format);
    }
    let at = args.at.as_deref().map(parse_at).transpose()?;
    let mut rules = LoadedRules::load(&settings.score, args.methodology.as_deref())?;
    let runtime = tokio::runtime::Runtime::new()?;
    let snapshot = runtime.block_on(async {
        let (inputs, as_of, store) = match &args.inputs {
            Some(dir) => {
                let inputs = depinscore_inputs::import(dir).with_context(|| format!("--inputs {}", dir.display()))?;
                let as_of = match at {
                    None => inputs.chain.last_time,
                    Some(At::Date(day)) => (day + 1) * DAY - 1,
                    Some(At::Slot(_)) => bail!("--at <slot> needs the stores; with --inputs give a date"),
                };
                (inputs, as_of, None)
            }
            None => {
                let (inputs, as_of) = load(settings, at).await?;
                let store = stores::sql(settings).await?;
                rules = with_imported_evidence(rules, &store).await?;
                (inputs, as_of, (!args.no_store).then_some(store))
            }
        };
        let started = std::time::Instant::now();
        let snapshot = depinscore_engine::snapshot(&inputs, &rules.rules(source(settings)), as_of)?;
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, id = %snapshot.id, "score computed");
        if let Some(store) = store {
            let stored = store.save_snapshot(&record(&snapshot)?).await?;
            tracing::info!(id = %snapshot.id, new = stored, "snapshot stored");
        }
        anyhow::Ok(snapshot)
    })?;
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        out.write_all(&snapshot.to_json()?)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", crate::commands::score_table::render(&snapshot))?;
    }
    Ok(())
}

fn list(settings: &Settings, format: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let rows =
        runtime.block_on(async { stores::sql(settings).await?.snapshots(1000).await.map_err(anyhow::Error::from) })?;
    let mut out = std::io::stdout().lock();
    if format == "json" {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "as_of": r.as_of, "last_slot": r.last_slot, "created_at": r.created_at,
                    "methodology_version": r.methodology_version, "composite": r.composite, "input_hash": r.input_hash,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&items)?)?;
        return Ok(());
    }
    writeln!(out, "{:<18} {:<12} {:>12} {:>9} {:<5}", "id", "as of", "last slot", "score", "meth.")?;
    for r in rows {
        let date = depinscore_engine::calendar::date_of(r.as_of);
        writeln!(
            out,
            "{:<18} {:<12} {:>12} {:>9.1} {:<5}",
            r.id, date, r.last_slot, r.composite, r.methodology_version
        )?;
    }
    Ok(())
}

/// Computes the latest snapshot (the engine on a blocking thread) and stores it; returns it and
/// whether it was new. What `serve`'s re-score and `demo` run. `follower` keeps the inputs
/// between calls, so a call folds only the slots indexed since the one before (the first call,
/// and the first after a failure, loads everything).
pub async fn follow_and_store(
    settings: &Settings,
    follower: &mut Option<Follower>,
) -> anyhow::Result<(Snapshot, bool)> {
    let store = stores::sql(settings).await?;
    let rules = with_imported_evidence(LoadedRules::load(&settings.score, None)?, &store).await?;
    let ch = stores::clickhouse(settings).await?;
    let (held, sql, opts, source) =
        (follower.take(), store.clone(), load_options(settings), source(settings).to_string());
    // Loading and folding on a blocking thread: polars must not run on an async worker.
    let handle = tokio::runtime::Handle::current();
    let (followed, snapshot) = tokio::task::spawn_blocking(move || {
        handle.block_on(async move {
            let max_age = rules.methodology.parameters.price_max_age_s;
            let followed = match held {
                Some(f) => f.update(&ch, &sql, max_age, None).await?,
                None => Follower::start(&ch, &sql, opts, max_age).await?,
            };
            ensure_indexed(followed.inputs())?;
            let snapshot = followed.snapshot(&rules.rules(&source))?;
            anyhow::Ok((followed, snapshot))
        })
    })
    .await
    .context("the engine stopped")??;
    *follower = Some(followed);
    let new = store.save_snapshot(&record(&snapshot)?).await?;
    Ok((snapshot, new))
}

/// The newest evidence imported through the API replaces `score.evidence` once there is one.
async fn with_imported_evidence(rules: LoadedRules, store: &depinscore_sql::SqlStore) -> anyhow::Result<LoadedRules> {
    match store.latest_evidence().await? {
        None => Ok(rules),
        Some(e) => {
            tracing::info!(sha256 = %e.sha256, imported_at = e.imported_at, "scoring with the imported rubric evidence");
            rules.with_evidence(e.body, &format!("the evidence imported at {} ({})", e.imported_at, e.sha256))
        }
    }
}

fn source(settings: &Settings) -> &str {
    if settings.score.price_source.is_empty() { "all sources in the database" } else { &settings.score.price_source }
}

/// Loads the inputs from the stores up to `at`; returns them with the as-of time.
pub async fn load(settings: &Settings, at: Option<At>) -> anyhow::Result<(Inputs, i64)> {
    let ch = stores::clickhouse(settings).await?;
    let sql = stores::sql(settings).await?;
    // Everything indexed is loaded, also for a past as-of time: supply and stakes are rebuilt
    // backwards from the accounts' latest state through every later flow, and the windows end
    // at the as-of time.
    let as_of = match at {
        None => None,
        Some(At::Slot(slot)) => {
            let Some((_, t)) = ch.slot_at_or_before(slot).await? else {
                bail!("--at {slot}: no indexed slot at or before it")
            };
            Some(i64::from(t))
        }
        Some(At::Date(day)) => {
            let end = (day + 1) * DAY - 1;
            let t = u32::try_from(end).context("--at: date out of range")?;
            if ch.slot_at_or_before_time(t).await?.is_none() {
                bail!("--at: no indexed slot on or before that date");
            }
            Some(end)
        }
    };
    let inputs = depinscore_inputs::load(&ch, &sql, &load_options(settings)).await?;
    ensure_indexed(&inputs)?;
    let as_of = as_of.unwrap_or(inputs.chain.last_time);
    Ok((inputs, as_of))
}

pub fn record(s: &Snapshot) -> anyhow::Result<SnapshotRecord> {
    Ok(SnapshotRecord {
        id: s.id.clone(),
        created_at: i64::from(stores::unix_now()),
        as_of: s.body.metrics.as_of,
        last_slot: s.body.provenance.chain.last_slot,
        methodology_version: s.body.provenance.methodology_version.clone(),
        composite: s.body.score.composite,
        input_hash: s.body.provenance.input_hash.clone(),
        body: String::from_utf8(s.to_json()?)?,
    })
}

/// What the score settings ask of the loader: everything indexed.
fn load_options(settings: &Settings) -> LoadOptions {
    LoadOptions {
        until_slot: None,
        treasury_wallets: settings.score.treasury_wallets.clone(),
        price_source: (!settings.score.price_source.is_empty()).then(|| settings.score.price_source.clone()),
        ..LoadOptions::default()
    }
}

fn ensure_indexed(inputs: &Inputs) -> anyhow::Result<()> {
    anyhow::ensure!(
        inputs.chain.last_slot > 0 || inputs.flows.height() > 0,
        "nothing indexed yet: run `depinscore index` or `backfill` first"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_is_a_slot_or_a_date_and_anything_else_is_refused_naming_the_flag() {
        assert_eq!(parse_at("123").unwrap(), At::Slot(123));
        assert_eq!(parse_at("2026-05-28").unwrap(), At::Date(20_601));
        let err = parse_at("yesterday").unwrap_err().to_string();
        assert!(err.contains("--at") && err.contains("yesterday"), "{err}");
        assert!(parse_at("2026-02-30").is_err());
    }
}
