//! The Yellowstone ("Dragon's Mouth") Geyser gRPC server: serves the node's blocks and slot
//! statuses the way a Solana node with the Yellowstone plugin does, on the server trait that
//! `yellowstone-grpc-proto` 14.0.1 generates, plus `grpc.health.v1.Health`.
//!
//! The producer must record a block or status in the [`Ledger`] *before* broadcasting its
//! [`NodeEvent`](crate::NodeEvent): a `from_slot` subscriber joins the broadcast first and then
//! reads the ledger, so that order is what makes the replay meet the live stream without a gap.

pub mod convert;
pub mod faults;
pub mod filter;
pub mod service;
pub mod session;
pub mod subscriber;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::codec::CompressionEncoding;
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Status};
use yellowstone_grpc_proto::geyser::geyser_server::GeyserServer;

pub use faults::Stall;
pub use service::GeyserService;

use crate::events::EventSender;
use crate::ledger::Ledger;

/// The gRPC service name health checks ask about.
pub const SERVICE_NAME: &str = "geyser.Geyser";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrpcConfig {
    /// How often every Subscribe stream gets a `ping` update (upstream: 10 s).
    pub ping_interval: Duration,
    /// Updates queued per subscriber before its stream ends as lagged.
    pub channel_capacity: usize,
    /// When set, every call must carry this `x-token` (else `UNAUTHENTICATED`).
    pub x_token: Option<String>,
    /// Fault: end every Subscribe stream this long after it opened (`UNAVAILABLE`).
    pub drop_every: Option<Duration>,
    /// Fault: stop sending on every Subscribe stream for a while, periodically.
    pub stall: Option<Stall>,
    /// Largest request the server decodes (upstream: 4 MiB).
    pub max_decoding_message_size: usize,
}

impl Default for GrpcConfig {
    fn default() -> Self {
        GrpcConfig {
            ping_interval: Duration::from_secs(10),
            channel_capacity: 100_000,
            x_token: None,
            drop_every: None,
            stall: None,
            max_decoding_message_size: 4 * 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GrpcError {
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Checks the `x-token` header when a token is configured.
#[derive(Clone)]
struct XToken(Option<Arc<str>>);

impl tonic::service::Interceptor for XToken {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        match &self.0 {
            None => Ok(request),
            Some(expected) => match request.metadata().get("x-token") {
                Some(token) if token.as_bytes() == expected.as_bytes() => Ok(request),
                _ => Err(Status::unauthenticated("No valid auth token")),
            },
        }
    }
}

/// Serves Geyser and health on `listener` until `shutdown` resolves; then every open Subscribe
/// stream ends with `UNAVAILABLE` and the server drains.
pub async fn serve(
    listener: TcpListener,
    ledger: Arc<Ledger>,
    events: EventSender,
    config: GrpcConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), GrpcError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let x_token = XToken(config.x_token.as_deref().map(Arc::from));
    let max_decoding = config.max_decoding_message_size;
    let shared =
        Arc::new(subscriber::Shared { ledger, events, config, shutdown: stop_rx.clone(), next_id: AtomicU64::new(0) });
    let geyser = GeyserServer::new(GeyserService::new(shared))
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .send_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Zstd)
        .max_decoding_message_size(max_decoding)
        .max_encoding_message_size(usize::MAX);
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter.set_service_status(SERVICE_NAME, tonic_health::ServingStatus::Serving).await;

    let local = listener.local_addr().ok();
    tracing::info!(addr = ?local, "Yellowstone gRPC listening");
    let incoming = TcpListenerStream::new(listener).map(|conn| {
        if let Ok(stream) = &conn {
            let _ = stream.set_nodelay(true);
        }
        conn
    });
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut stopped = stop_rx;
    let result = tonic::transport::Server::builder()
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .add_service(health)
        .add_service(InterceptedService::new(geyser, x_token))
        .serve_with_incoming_shutdown(incoming, async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .await;
    health_reporter.set_service_status(SERVICE_NAME, tonic_health::ServingStatus::NotServing).await;
    tracing::info!(addr = ?local, "Yellowstone gRPC stopped");
    Ok(result?)
}
