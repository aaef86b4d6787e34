//! The task behind one Subscribe stream: reads the client's requests (ping → pong; anything else
//! replaces the filter set), replays `from_slot` from the ledger, follows the node's event
//! broadcast through its [`Session`], pings every interval, and pushes updates into a bounded
//! queue. It ends the stream with upstream's status texts: lagged queue or broadcast, shutdown,
//! invalid filter, `from_slot` out of range, or an injected drop.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};
use yellowstone_grpc_proto::prelude::subscribe_update::UpdateOneof;
use yellowstone_grpc_proto::prelude::{SubscribeRequest, SubscribeUpdate, SubscribeUpdatePing, SubscribeUpdatePong};

use super::GrpcConfig;
use super::convert;
use super::faults::{DROPPED, Stalling};
use super::filter::Filter;
use super::session::{Origin, Session};
use crate::events::{EventSender, NodeEvent};
use crate::ledger::Ledger;

/// How long a stream's final status may wait for room in a full queue.
const FINAL_SEND_TIMEOUT: Duration = Duration::from_secs(5);

pub type UpdateResult = Result<SubscribeUpdate, Status>;
/// What Subscribe returns: the subscriber's queue, quiet during injected stalls.
pub type SubscribeStream = Stalling<ReceiverStream<UpdateResult>>;

/// What every subscriber shares.
pub struct Shared {
    pub ledger: Arc<Ledger>,
    pub events: EventSender,
    pub config: GrpcConfig,
    pub shutdown: watch::Receiver<bool>,
    pub next_id: AtomicU64,
}

/// Opens a subscriber: joins the broadcast first (so a `from_slot` replay read later from the
/// ledger leaves no gap), then runs its task.
pub fn open(shared: Arc<Shared>, inbound: Streaming<SubscribeRequest>) -> SubscribeStream {
    let (tx, rx) = mpsc::channel(shared.config.channel_capacity.max(1));
    let events = shared.events.subscribe();
    let stall = shared.config.stall;
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    tokio::spawn(run(shared, id, inbound, events, tx));
    Stalling::new(ReceiverStream::new(rx), stall)
}

/// Counts a Subscribe stream in `nosana_node_grpc_subscriptions` while it lives.
struct OpenSubscription;

impl OpenSubscription {
    fn count() -> Self {
        metrics::gauge!("nosana_node_grpc_subscriptions").increment(1.0);
        metrics::counter!("nosana_node_grpc_subscriptions_opened_total").increment(1);
        OpenSubscription
    }
}

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        metrics::gauge!("nosana_node_grpc_subscriptions").decrement(1.0);
    }
}

/// Why the outbox refused an update.
enum Refused {
    /// The queue is full: the client reads too slowly.
    Lagged,
    /// The client is gone.
    Closed,
}

fn push(tx: &mpsc::Sender<UpdateResult>, update: SubscribeUpdate) -> Result<(), Refused> {
    tx.try_send(Ok(update)).map_err(|e| match e {
        mpsc::error::TrySendError::Full(_) => Refused::Lagged,
        mpsc::error::TrySendError::Closed(_) => Refused::Closed,
    })
}

fn flush(tx: &mpsc::Sender<UpdateResult>, out: &mut Vec<SubscribeUpdate>) -> Result<(), Refused> {
    for update in out.drain(..) {
        push(tx, update)?;
    }
    Ok(())
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// What ends the loop: a status for the client, or nothing when the client is gone.
type End = Option<Status>;

async fn run(
    shared: Arc<Shared>,
    id: u64,
    mut inbound: Streaming<SubscribeRequest>,
    mut events: broadcast::Receiver<NodeEvent>,
    tx: mpsc::Sender<UpdateResult>,
) {
    let _open = OpenSubscription::count();
    let config = &shared.config;
    let started = Instant::now();
    let period = config.ping_interval.max(Duration::from_millis(1));
    let mut ping = tokio::time::interval_at(started + period, period);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let drop_at = config.drop_every.map(|d| started + d);
    let mut shutdown = shared.shutdown.clone();
    let mut session: Option<Session> = None;
    let mut inbound_open = true;
    let mut out = Vec::new();
    tracing::debug!(subscriber = id, "subscribe stream opened");

    let end: End = loop {
        tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop) => break Some(Status::unavailable("the server is shutting down")),
            _ = tx.closed() => break None,
            _ = sleep_until(drop_at) => {
                metrics::counter!("nosana_node_grpc_streams_dropped_total").increment(1);
                break Some(Status::unavailable(DROPPED));
            }
            msg = inbound.next(), if inbound_open => match msg {
                // The client closed its side; keep streaming (as `subscribe_once` expects).
                None => inbound_open = false,
                Some(Err(status)) => {
                    tracing::debug!(subscriber = id, %status, "subscribe request stream failed");
                    break None;
                }
                Some(Ok(request)) => {
                    if let Err(end) = on_request(&shared, id, &mut session, request, &mut out) {
                        // Whatever the request released before failing still goes out first.
                        let _ = flush(&tx, &mut out);
                        break end;
                    }
                }
            },
            event = events.recv() => match event {
                Ok(event) => {
                    if let Some(session) = session.as_mut() {
                        session.on_event(&event, Origin::Live, &mut out);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(subscriber = id, missed, "subscriber lagged behind the node's events");
                    break Some(Status::internal("lagged to receive geyser messages"));
                }
                Err(broadcast::error::RecvError::Closed) => {
                    break Some(Status::unavailable("the node stopped producing"));
                }
            },
            _ = ping.tick() => {
                out.push(convert::update(vec![], UpdateOneof::Ping(SubscribeUpdatePing {})));
            }
        }
        match flush(&tx, &mut out) {
            Ok(()) => {}
            Err(Refused::Lagged) => {
                tracing::warn!(subscriber = id, "subscriber queue full");
                break Some(Status::internal("lagged to send an update"));
            }
            Err(Refused::Closed) => break None,
        }
    };
    drop(events);
    drop(inbound);
    match end {
        Some(status) => {
            tracing::debug!(subscriber = id, %status, "subscribe stream ended");
            let _ = tokio::time::timeout(FINAL_SEND_TIMEOUT, tx.send(Err(status))).await;
        }
        None => tracing::debug!(subscriber = id, "subscriber went away"),
    }
}

/// A request from the client: a ping gets a pong and changes nothing; anything else replaces the
/// filter set. The first request's `from_slot` replays the ledger through the new filter.
fn on_request(
    shared: &Shared,
    id: u64,
    session: &mut Option<Session>,
    request: SubscribeRequest,
    out: &mut Vec<SubscribeUpdate>,
) -> Result<(), End> {
    if let Some(ping) = request.ping {
        out.push(convert::update(vec![], UpdateOneof::Pong(SubscribeUpdatePong { id: ping.id })));
        return Ok(());
    }
    let filter = Filter::new(&request).map_err(|e| Some(Status::from(e)))?;
    match session {
        Some(session) => {
            if request.from_slot.is_some() {
                tracing::debug!(subscriber = id, "from_slot on a later request is ignored, as upstream does");
            }
            session.set_filter(filter);
        }
        None => {
            let mut fresh = Session::new(filter);
            if let Some(from_slot) = request.from_slot {
                let replay =
                    shared.ledger.replay_from(from_slot).map_err(|e| Some(Status::out_of_range(e.to_string())))?;
                let mut slots = HashSet::new();
                for event in &replay {
                    if let NodeEvent::Block(block) = event {
                        slots.insert(block.slot);
                    }
                    fresh.on_event(event, Origin::Replay, out);
                }
                tracing::debug!(subscriber = id, from_slot, blocks = slots.len(), "replayed from the ledger");
                fresh.replayed(slots);
            }
            *session = Some(fresh);
        }
    }
    Ok(())
}
