//! Prometheus `/metrics` on a pre-bound listener.

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::sync::watch;

/// Install the process-wide recorder (once).
pub fn install() -> anyhow::Result<PrometheusHandle> {
    PrometheusBuilder::new().install_recorder().map_err(|e| anyhow::anyhow!("installing the metrics recorder: {e}"))
}

/// Serve `/metrics` until shutdown.
pub async fn serve(listener: tokio::net::TcpListener, handle: PrometheusHandle, mut shutdown: watch::Receiver<bool>) {
    let app = Router::new().route("/metrics", get(move || std::future::ready(handle.render())));
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|s| *s).await;
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "metrics server failed");
    }
}
