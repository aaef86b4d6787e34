//! Reports: the builder-score report of any stored snapshot as HTML, Markdown, JSON, or PDF
//! (through headless Chromium, when it is installed).

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use depinscore_report::{MarketPrice, Report, ReportInput};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::cache::Cached;
use crate::calendar::{DAY, date_of_day};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{CACHE_LATEST, CACHE_REPORT, conditional, json, not_modified};
use crate::params::{Params, snapshot_id};
use crate::routes::score::NO_SNAPSHOT;
use crate::state::SharedState;

pub const FORMATS: &[&str] = &["html", "markdown", "json", "pdf"];

fn content_type(format: &str) -> &'static str {
    match format {
        "markdown" => "text/markdown; charset=utf-8",
        "json" => "application/json",
        "pdf" => "application/pdf",
        _ => "text/html; charset=utf-8",
    }
}

fn format_of(p: &Params) -> ApiResult<&'static str> {
    let f = p.choice("format", FORMATS, "html")?;
    Ok(FORMATS.iter().copied().find(|x| *x == f).unwrap_or("html"))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportLinks {
    pub html: String,
    pub markdown: String,
    pub json: String,
    pub pdf: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportItem {
    pub id: String,
    pub as_of: i64,
    pub as_of_date: String,
    pub composite: f64,
    pub methodology_version: String,
    /// Published by an administrator (unix seconds), if it was.
    pub published_at: Option<i64>,
    pub links: ReportLinks,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportItem>,
}

/// Reports of the stored snapshots, newest first (`published=true`: only published ones).
#[utoipa::path(get, path = "/v1/reports", tag = "reports",
    params(
        ("limit" = Option<u32>, Query, description = "1..=1000, default 100", minimum = 1, maximum = 1000),
        ("published" = Option<bool>, Query, description = "Only reports an administrator published"),
    ),
    responses(
        (status = 200, description = "The reports", body = ReportList),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn list(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), &["limit", "published"])?;
    let limit = p.uint("limit", 1, 1000, 100)? as u32;
    let only_published = p.boolean("published", false)?;
    let published = s.sql.publications().await.map_err(|e| ApiError::store("the snapshot store", e))?;
    // Published reports are few; with the filter, list far enough back to find `limit` of them.
    let scan = if only_published { 100_000 } else { limit };
    let rows = s.sql.snapshots(scan).await.map_err(|e| ApiError::store("the snapshot store", e))?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let published_at = published.iter().find(|p| p.snapshot_id == r.id).map(|p| p.published_at);
            if only_published && published_at.is_none() {
                return None;
            }
            let link = |f: &str| format!("/v1/reports/{}?format={f}", r.id);
            Some(ReportItem {
                links: ReportLinks {
                    html: link("html"),
                    markdown: link("markdown"),
                    json: link("json"),
                    pdf: link("pdf"),
                },
                as_of_date: date_of_day(r.as_of.div_euclid(DAY)),
                id: r.id,
                as_of: r.as_of,
                composite: r.composite,
                methodology_version: r.methodology_version,
                published_at,
            })
        })
        .take(limit as usize)
        .collect();
    json(&ReportList { items })
}

/// The report of the latest snapshot.
#[utoipa::path(get, path = "/v1/reports/latest", tag = "reports",
    params(("format" = Option<String>, Query, description = "html (default), markdown, json or pdf", pattern = "^(html|markdown|json|pdf)$")),
    responses(
        (status = 200, description = "The report in the asked format", content(
            (String = "text/html"), (String = "text/markdown"), (Object = "application/json"), (String = "application/pdf"),
        )),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "No snapshot yet", content_type = "application/problem+json", body = Problem),
        (status = 406, description = "PDF asked for but Chromium is not installed", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn latest(State(s): State<SharedState>, RawQuery(q): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), &["format"])?;
    let format = format_of(&p)?;
    let c = s.cache.latest(&s.sql).await?.ok_or_else(|| ApiError::not_found(NO_SNAPSHOT))?;
    respond(&s, &c, format, &headers, CACHE_LATEST).await
}

/// The report of one snapshot.
#[utoipa::path(get, path = "/v1/reports/{id}", tag = "reports",
    params(
        ("id" = String, Path, description = "Snapshot id: 16 hex digits", pattern = "^[0-9a-f]{16}$"),
        ("format" = Option<String>, Query, description = "html (default), markdown, json or pdf", pattern = "^(html|markdown|json|pdf)$"),
    ),
    responses(
        (status = 200, description = "The report in the asked format", content(
            (String = "text/html"), (String = "text/markdown"), (Object = "application/json"), (String = "application/pdf"),
        )),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown id", content_type = "application/problem+json", body = Problem),
        (status = 406, description = "PDF asked for but Chromium is not installed", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn one(
    State(s): State<SharedState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), &["format"])?;
    let format = format_of(&p)?;
    let id = snapshot_id("id", &id)?;
    let c = s.cache.get(&s.sql, &id).await?.ok_or_else(|| ApiError::not_found(format!("snapshot {id}")))?;
    respond(&s, &c, format, &headers, CACHE_REPORT).await
}

/// A report depends on its snapshot and on what is rendered around it (market prices, the
/// cloud price table, `generated_for`): all of it goes into the entity tag and the cache key.
fn variant(s: &SharedState, format: &str, markets: &[MarketPrice]) -> String {
    let mut h = Sha256::new();
    for m in markets {
        h.update(m.name.as_bytes());
        h.update(m.usd_reward_per_hour.to_le_bytes());
    }
    h.update(s.cloud_prices.version.as_bytes());
    h.update(s.cloud_prices.date.as_bytes());
    h.update(s.config.generated_for.as_bytes());
    let digest: String = h.finalize().iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{format}-{digest}")
}

async fn markets(s: &SharedState) -> ApiResult<Vec<MarketPrice>> {
    Ok(s.sql
        .markets()
        .await
        .map_err(|e| ApiError::store("the market store", e))?
        .into_iter()
        .map(|m| MarketPrice { tier: m.name.clone(), name: m.name, usd_reward_per_hour: m.usd_reward_per_hour })
        .collect())
}

/// 304 when the client holds this exact report (checked before any rendering), else the
/// report. PDFs get a weak tag: Chromium does not print the same bytes twice.
async fn respond(
    s: &SharedState,
    c: &Arc<Cached>,
    format: &'static str,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> ApiResult<Response> {
    let markets = markets(s).await?;
    let variant = variant(s, format, &markets);
    let etag = if format == "pdf" { format!("W/{}", c.etag(&variant)) } else { c.etag(&variant) };
    if not_modified(headers, &etag) {
        return Ok(conditional(headers, &etag, cache_control, content_type(format), Bytes::new()));
    }
    let bytes = render(s, c, format, &variant, markets).await?;
    Ok(conditional(headers, &etag, cache_control, content_type(format), bytes))
}

/// The rendered report, cached per snapshot and variant. At most `RENDERS` renders (and
/// Chromium processes) run at once; the rest wait their turn.
async fn render(
    s: &SharedState,
    c: &Arc<Cached>,
    format: &'static str,
    variant: &str,
    markets: Vec<MarketPrice>,
) -> ApiResult<Bytes> {
    if let Some(b) = s.cache.report(&c.id, variant) {
        return Ok(b);
    }
    let chromium = if format == "pdf" {
        Some(chromium(s.config.chromium.as_deref()).ok_or_else(|| {
            ApiError::NotAcceptable("PDF reports need Chromium (apt-get install chromium, or set api.chromium)".into())
        })?)
    } else {
        None
    };
    let _permit = s.renders.acquire().await.map_err(|e| ApiError::store("the report renderer", e))?;
    // Another request may have rendered it while this one waited.
    if let Some(b) = s.cache.report(&c.id, variant) {
        return Ok(b);
    }
    let (raw, state) = (c.raw.clone(), s.clone());
    let started = std::time::Instant::now();
    let text = tokio::task::spawn_blocking(move || {
        let input = ReportInput {
            snapshot_json: &raw,
            markets: &markets,
            cloud_prices: &state.cloud_prices,
            generated_for: Some(state.config.generated_for.as_str()),
        };
        let report = Report::build(&input)?;
        match format {
            "markdown" => report.to_markdown(),
            "json" => report.to_json(),
            _ => report.to_html(),
        }
    })
    .await
    .map_err(|e| ApiError::store("the report renderer", e))?
    .map_err(|e| ApiError::store("the report renderer", e))?;
    ::metrics::histogram!("depinscore_api_report_render_seconds").record(started.elapsed().as_secs_f64());
    let bytes = match chromium {
        Some(browser) => Bytes::from(pdf(&browser, &text).await?),
        None => Bytes::from(text),
    };
    s.cache.keep_report(&c.id, variant, bytes.clone());
    Ok(bytes)
}

/// Chromium: the configured path, or the first of the usual names on PATH.
pub fn chromium(configured: Option<&FsPath>) -> Option<PathBuf> {
    if let Some(p) = configured {
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        ["chromium", "chromium-browser", "google-chrome", "chrome"].iter().map(|n| dir.join(n)).find(|p| p.is_file())
    })
}

/// Prints HTML to PDF with headless Chromium.
async fn pdf(browser: &FsPath, html: &str) -> ApiResult<Vec<u8>> {
    print_pdf(browser, html).await.map_err(|e| ApiError::store("Chromium", e))
}

/// Prints HTML to PDF with headless Chromium in a private temporary profile, killing it after
/// 60 s; the error says what went wrong.
pub async fn print_pdf(browser: &FsPath, html: &str) -> Result<Vec<u8>, String> {
    let dir = std::env::temp_dir().join(format!("depinscore-pdf-{}-{}", std::process::id(), unique()));
    tokio::fs::create_dir_all(&dir).await.map_err(|e| e.to_string())?;
    let (input, output) = (dir.join("report.html"), dir.join("report.pdf"));
    let result = async {
        tokio::fs::write(&input, html).await.map_err(|e| e.to_string())?;
        let mut cmd = tokio::process::Command::new(browser);
        cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(format!("--print-to-pdf={}", output.display()))
            .arg(format!("file://{}", input.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        let status = tokio::time::timeout(Duration::from_secs(60), cmd.status())
            .await
            .map_err(|_| "timed out after 60 s".to_string())?
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("exited with {status}"));
        }
        tokio::fs::read(&output).await.map_err(|e| e.to_string())
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    result
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
