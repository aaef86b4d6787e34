//! `depinscore report`: render the builder-score report of a stored snapshot to files.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use depinscore_report::{MarketPrice, Report, ReportInput};

use crate::commands::{serve, stores};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The snapshot (default: the latest stored).
    #[arg(long)]
    id: Option<String>,
    /// html, markdown, json, pdf (needs Chromium) or all (pdf only when Chromium is found).
    #[arg(long, default_value = "all")]
    format: String,
    /// Directory to write into (overrides report.out_dir).
    #[arg(long)]
    out: Option<PathBuf>,
}

const FORMATS: &[(&str, &str)] = &[("html", "html"), ("markdown", "md"), ("json", "json"), ("pdf", "pdf")];

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let wanted: Vec<&str> = match args.format.as_str() {
        "all" => vec!["html", "markdown", "json", "pdf"],
        f if FORMATS.iter().any(|(n, _)| *n == f) => vec![f],
        other => bail!("--format: `{other}` is not html, markdown, json, pdf or all"),
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(&settings.report.out_dir));
    let runtime = tokio::runtime::Runtime::new()?;
    let written = runtime.block_on(write(settings, args.id.as_deref(), &wanted, &out, args.format == "all"))?;
    for path in written {
        println!("{}", path.display());
    }
    Ok(())
}

/// Renders the report of snapshot `id` (or the latest) in `formats` into `out`; returns the
/// files written. With `pdf_if_possible`, a missing Chromium skips the PDF instead of failing.
pub async fn write(
    settings: &Settings,
    id: Option<&str>,
    formats: &[&str],
    out: &Path,
    pdf_if_possible: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let sql = stores::sql(settings).await?;
    let record = match id {
        Some(id) => sql.snapshot(id).await?.with_context(|| format!("--id: no stored snapshot `{id}`"))?,
        None => sql.latest_snapshot().await?.context("no score snapshot stored yet: run `depinscore score` first")?,
    };
    let markets: Vec<MarketPrice> = sql
        .markets()
        .await?
        .into_iter()
        .map(|m| MarketPrice { tier: m.name.clone(), name: m.name, usd_reward_per_hour: m.usd_reward_per_hour })
        .collect();
    let cloud = serve::cloud_prices(settings)?;
    let input = ReportInput {
        snapshot_json: &record.body,
        markets: &markets,
        cloud_prices: &cloud,
        generated_for: Some(settings.api.generated_for.as_str()),
    };
    let started = std::time::Instant::now();
    let report = Report::build(&input).with_context(|| format!("snapshot {}", record.id))?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut written = Vec::new();
    let mut html: Option<String> = None;
    for format in formats {
        let ext = FORMATS.iter().find(|(n, _)| n == format).map_or("txt", |(_, e)| *e);
        let path = out.join(format!("nosana-builder-score-{}.{ext}", record.id));
        let bytes = match *format {
            "markdown" => report.to_markdown()?.into_bytes(),
            "json" => report.to_json()?.into_bytes(),
            "pdf" => {
                let page = match &html {
                    Some(h) => h.clone(),
                    None => report.to_html()?,
                };
                let configured = (!settings.api.chromium.is_empty()).then(|| PathBuf::from(&settings.api.chromium));
                match depinscore_api::routes::reports::chromium(configured.as_deref()) {
                    Some(browser) => {
                        let bytes = depinscore_api::routes::reports::print_pdf(&browser, &page)
                            .await
                            .map_err(|e| anyhow::anyhow!("printing the PDF with {}: {e}", browser.display()))?;
                        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
                    }
                    None if pdf_if_possible => {
                        tracing::info!("Chromium not found: no PDF (apt-get install chromium)");
                        continue;
                    }
                    None => bail!("--format pdf needs Chromium (apt-get install chromium, or set api.chromium)"),
                }
                written.push(path);
                continue;
            }
            _ => {
                let h = report.to_html()?;
                html = Some(h.clone());
                h.into_bytes()
            }
        };
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    tracing::info!(id = %record.id, elapsed_ms = started.elapsed().as_millis() as u64, "report rendered");
    Ok(written)
}
