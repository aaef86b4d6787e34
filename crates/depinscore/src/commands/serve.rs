//! `depinscore serve`: the HTTP API on a pre-bound listener until Ctrl-C.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use depinscore_api::{ApiConfig, AppState, RescoreFuture, RescoreOutcome, Rescorer};
use depinscore_clickhouse::ChStore;
use depinscore_inputs::Follower;
use depinscore_report::CloudPriceTable;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::watch;

use crate::commands::rules::LoadedRules;
use crate::commands::{metrics_server, score, stores};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (overrides api.listen).
    #[arg(long)]
    listen: Option<String>,
    /// Print the OpenAPI document and exit.
    #[arg(long)]
    openapi: bool,
}

/// Re-scores through the engine with the server's settings, following the indexed chain between
/// re-scores (each folds only the slots indexed since the one before).
struct EngineRescorer {
    settings: Settings,
    follower: Arc<tokio::sync::Mutex<Option<Follower>>>,
}

impl Rescorer for EngineRescorer {
    fn rescore(&self) -> RescoreFuture {
        let (settings, follower) = (self.settings.clone(), self.follower.clone());
        Box::pin(async move {
            // Driven on a blocking thread: the loader's sqlx futures are not `Send` for every
            // lifetime, and the engine must not block an async worker.
            let handle = tokio::runtime::Handle::current();
            let (s, new) = tokio::task::spawn_blocking(move || {
                handle.block_on(async {
                    let mut follower = follower.lock().await;
                    score::follow_and_store(&settings, &mut follower).await
                })
            })
            .await
            .map_err(|e| format!("the re-score stopped: {e}"))?
            .map_err(|e| format!("{e:#}"))?;
            Ok(RescoreOutcome { id: s.id.clone(), composite: s.body.score.composite, new })
        })
    }

    fn check_evidence(&self, text: &str) -> Result<(), String> {
        LoadedRules::load(&self.settings.score, None).map_err(|e| format!("{e:#}"))?.check_evidence(text)
    }
}

pub fn cloud_prices(settings: &Settings) -> anyhow::Result<CloudPriceTable> {
    let value = &settings.api.cloud_prices;
    let text = match value.as_str() {
        "builtin:v1" => depinscore_report::BUILTIN_CLOUD_PRICES.to_string(),
        v if v.starts_with("builtin:") => anyhow::bail!("api.cloud_prices: no built-in table `{v}`"),
        path => std::fs::read_to_string(path).with_context(|| format!("api.cloud_prices: reading {path}"))?,
    };
    CloudPriceTable::parse(&text).with_context(|| format!("api.cloud_prices ({value})"))
}

pub fn api_config(settings: &Settings) -> anyhow::Result<ApiConfig> {
    let a = &settings.api;
    anyhow::ensure!(a.refresh_secs > 0, "api.refresh_secs must be positive");
    Ok(ApiConfig {
        rate_limit_per_s: a.rate_limit_per_second,
        rate_limit_burst: a.rate_limit_burst,
        trust_forwarded_for: a.trust_forwarded_for,
        ready_max_lag: Duration::from_secs(a.ready_max_lag_secs),
        refresh: Duration::from_secs(a.refresh_secs),
        chromium: (!a.chromium.is_empty()).then(|| PathBuf::from(&a.chromium)),
        generated_for: a.generated_for.clone(),
        explorer_cache: Duration::from_millis(a.explorer_cache_ms),
    })
}

/// ClickHouse for reading: the API's own (read-only) user when set; otherwise the writer's
/// credentials with `readonly = 2` on every query. (A user whose profile is `readonly = 1`
/// may not change settings at all, so it is sent nothing.)
pub fn reader(settings: &Settings) -> anyhow::Result<Arc<ChStore>> {
    let mut cfg = settings.clickhouse.config();
    if settings.api.clickhouse_user.is_empty() {
        cfg.readonly = true;
    } else {
        cfg.user = settings.api.clickhouse_user.clone();
        cfg.password = settings.api.clickhouse_password.clone();
    }
    Ok(Arc::new(ChStore::connect(&cfg).context("clickhouse settings")?))
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    if args.openapi {
        println!("{}", depinscore_api::openapi_json());
        return Ok(());
    }
    let listen = args.listen.clone().unwrap_or_else(|| settings.api.listen.clone());
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen} (api.listen)"))?;
        let metrics = metrics_server::install()?;
        serve_api(settings, listener, metrics, stores::shutdown_signal()).await
    })
}

/// Serves the API on `listener` until `shutdown`, with `/metrics` rendered from `metrics`.
pub async fn serve_api(
    settings: &Settings,
    listener: tokio::net::TcpListener,
    metrics: PrometheusHandle,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let config = api_config(settings)?;
    let cloud = cloud_prices(settings)?;
    let sql = stores::sql(settings).await?;
    let ch = reader(settings)?;
    if let Err(e) = ch.ping().await {
        tracing::warn!(error = %e, url = %settings.clickhouse.url, "ClickHouse does not answer yet; explorer routes answer 503 until it does");
    }
    let upkeep = metrics.clone();
    let upkeep = tokio::spawn(async move {
        // Histograms are drained on render; without a scraper they would only grow.
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let state = AppState::new(sql, Some(ch), config, cloud)
        .with_metrics(Arc::new(move || metrics.render()))
        .with_rescorer(Arc::new(EngineRescorer { settings: settings.clone(), follower: Default::default() }));
    println!("API on http://{}  (docs: /docs, OpenAPI: /openapi.json)", listener.local_addr()?);
    let served = depinscore_api::serve(listener, state, async move {
        let _ = shutdown.wait_for(|s| *s).await;
    })
    .await
    .context("serving the API");
    upkeep.abort();
    served
}
