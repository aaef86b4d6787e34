//! `depinscore index`: follow the Yellowstone stream into ClickHouse until Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use depinscore_clickhouse::WriteFence;
use depinscore_indexer::Committed;
use tokio::sync::watch;

use crate::commands::{metrics_server, stores};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(settings: &Settings, _args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shutdown = stores::shutdown_signal();
        let metrics = if settings.indexer.metrics.is_empty() {
            None
        } else {
            let listener = tokio::net::TcpListener::bind(&settings.indexer.metrics)
                .await
                .with_context(|| format!("binding {} (indexer.metrics)", settings.indexer.metrics))?;
            println!("metrics on http://{}/metrics", listener.local_addr()?);
            let handle = metrics_server::install()?;
            Some(tokio::spawn(metrics_server::serve(listener, handle, shutdown.clone())))
        };
        let (progress_tx, mut progress) = watch::channel(Committed::default());
        let reporter = tokio::spawn(async move {
            let mut last = std::time::Instant::now();
            while progress.changed().await.is_ok() {
                if last.elapsed().as_secs() >= 5 {
                    let p = *progress.borrow();
                    tracing::info!(slot = p.slot, transactions = p.transactions, "committed");
                    last = std::time::Instant::now();
                }
            }
        });
        let result = follow_holding_the_lease(settings, progress_tx, shutdown).await;
        reporter.abort();
        // The metrics server stops with the indexer, whatever stopped it (waiting for a signal
        // after an error would leave a dead indexer running).
        if let Some(m) = metrics {
            m.abort();
        }
        result
    })
}

/// One active writer per stream: with `indexer.lease_secs > 0`, waits as a standby until the
/// stream's lease is free or has expired, then follows while renewing it every third of its
/// time; a renewal that fails (another indexer took the stream, or the store was unreachable
/// until the lease ran out) stops the indexer with an error. A clean stop releases the lease.
///
/// ClickHouse is written through a [`WriteFence`] that each renewal keeps open until a margin
/// before the lease expires, on this process's monotonic clock ([`lease_end`]). A writer that
/// was paused past its lease (and a standby took over meanwhile) finds the fence closed when
/// it resumes and writes nothing, even before its renewer has noticed. The margin is a fifth
/// of the lease (at least a second), or ClickHouse's `http_receive_timeout` and a second when
/// that is longer (`ChStore::fenced`): an INSERT a pause cut off fails on the server before
/// a standby can take over.
async fn follow_holding_the_lease(
    settings: &Settings,
    progress: watch::Sender<Committed>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let ttl = stores::lease_secs(settings)?;
    if ttl == 0 {
        return follow(settings, progress, shutdown).await;
    }
    // A misconfigured standby fails now, not when it takes over.
    stores::stream_config(settings)?;
    stores::commit_config(settings)?;
    let store = stores::sql(settings).await?;
    let stream = settings.indexer.stream.as_str();
    let holder = holder_name();
    let beat = Duration::from_millis(ttl * 1000 / 3);
    let fence = WriteFence::for_lease(Duration::from_secs(ttl));
    let mut announced = false;
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        let sent = Instant::now();
        match store.acquire_lease(stream, &holder, ttl, now()).await {
            Ok(true) => {
                fence.open_until(lease_end(sent, ttl));
                break;
            }
            Ok(false) if !announced => {
                let by =
                    store.lease(stream).await.ok().flatten().map_or_else(|| "another indexer".into(), |l| l.holder);
                println!("standby: stream `{stream}` is written by {by}; taking over when its lease expires");
                announced = true;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "standby: reading the stream's lease failed; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(beat) => {}
            _ = shutdown.changed() => {}
        }
    }
    println!("writing stream `{stream}` as {holder} (lease of {ttl} s)");
    let (stop_tx, stop) = watch::channel(false);
    {
        let (stop_tx, mut shutdown) = (stop_tx.clone(), shutdown.clone());
        tokio::spawn(async move {
            let _ = shutdown.wait_for(|s| *s).await;
            let _ = stop_tx.send(true);
        });
    }
    // Renewed on a thread of its own, so a busy indexer can never starve it past the lease.
    let done = Arc::new(AtomicBool::new(false));
    let renewer = {
        let lease = HeldLease { settings: settings.clone(), stream: stream.to_string(), holder: holder.clone(), ttl };
        let (done, fence) = (done.clone(), fence.clone());
        std::thread::spawn(move || renew_until_done(&lease, &done, &fence, &stop_tx))
    };
    let result = follow_fenced(settings, progress, stop, Some(fence.clone())).await;
    done.store(true, Ordering::Relaxed);
    fence.close();
    let lost = tokio::task::spawn_blocking(move || renewer.join())
        .await
        .context("waiting for the lease renewer")?
        .map_err(|_| anyhow::anyhow!("the lease renewer panicked"))?;
    if lost {
        result?;
        anyhow::bail!("lost the lease of stream `{stream}`: another indexer writes it now");
    }
    if let Err(e) = store.release_lease(stream, &holder).await {
        tracing::warn!(error = %e, "could not release the lease; a standby takes over when it expires");
    }
    result
}

/// When a lease taken or renewed by a request sent at `sent` ends, on this process's clock (the
/// store counts it from a moment after `sent`). The fence closes its margin before.
fn lease_end(sent: Instant, ttl: u64) -> Instant {
    sent + Duration::from_secs(ttl)
}

/// A lease this process holds: the stream, as whom, for how long (seconds), and the settings
/// of the store it is kept in.
struct HeldLease {
    settings: Settings,
    stream: String,
    holder: String,
    ttl: u64,
}

/// Renews the lease on its own thread until `done`, keeping `fence` open; returns true (after
/// closing `fence` and sending `stop`) when the lease was lost: taken by another indexer, or
/// not renewed before it ran out.
fn renew_until_done(lease: &HeldLease, done: &AtomicBool, fence: &WriteFence, stop: &watch::Sender<bool>) -> bool {
    let lost = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(renew(lease, done, fence)),
        Err(e) => {
            tracing::error!(error = %e, "cannot start the lease renewer; stopping");
            true
        }
    };
    if lost {
        fence.close();
        let _ = stop.send(true);
    }
    lost
}

/// Renews once a third of the lease has passed; true when the lease is lost: another holder
/// has it, or no renewal got through before it ran out (a hanging store call included).
async fn renew(lease: &HeldLease, done: &AtomicBool, fence: &WriteFence) -> bool {
    let (settings, stream, holder) = (&lease.settings, lease.stream.as_str(), lease.holder.as_str());
    let ttl = lease.ttl as i64;
    let mut valid_until = now() + ttl;
    let mut store = None;
    while !done.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let at = now();
        if done.load(Ordering::Relaxed) || at + ttl * 2 / 3 < valid_until {
            continue;
        }
        let left = Duration::from_secs(valid_until.saturating_sub(at).max(1) as u64);
        let sent = Instant::now();
        let attempt = async {
            if store.is_none() {
                store = Some(stores::sql(settings).await.map_err(|e| format!("{e:#}"))?);
            }
            let s = store.as_ref().expect("opened just above");
            s.acquire_lease(stream, holder, lease.ttl, at).await.map_err(|e| e.to_string())
        };
        let renewed = tokio::time::timeout(left, attempt).await.unwrap_or_else(|_| Err("timed out".into()));
        match renewed {
            // Nobody else holds it: ours again from `at` (an upsert for another holder fails).
            Ok(true) => {
                valid_until = at + ttl;
                fence.open_until(lease_end(sent, lease.ttl));
            }
            Ok(false) => {
                tracing::error!(%stream, "another indexer took the stream's lease; stopping");
                return true;
            }
            Err(e) if now() + 1 >= valid_until => {
                tracing::error!(%stream, error = %e, "could not renew the lease before it ran out; stopping");
                return true;
            }
            Err(e) => tracing::warn!(%stream, error = %e, "renewing the lease failed; retrying"),
        }
    }
    false
}

/// This process, as a lease holder: host, pid and a nonce.
fn holder_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    // The pid alone repeats across containers (pid 1) that may share a host name.
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{host}:{}:{nonce:08x}", std::process::id())
}

fn now() -> i64 {
    i64::from(stores::unix_now())
}

/// Follows the stream of `indexer.*` into ClickHouse until `shutdown`, reporting each commit
/// on `progress`. Metrics go to the process-wide recorder, if one is installed.
pub async fn follow(
    settings: &Settings,
    progress: watch::Sender<Committed>,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    follow_fenced(settings, progress, shutdown, None).await
}

/// [`follow`], writing ClickHouse only while `fence` is open.
async fn follow_fenced(
    settings: &Settings,
    progress: watch::Sender<Committed>,
    mut shutdown: watch::Receiver<bool>,
    fence: Option<WriteFence>,
) -> anyhow::Result<()> {
    let stream = stores::stream_config(settings)?;
    let commit = stores::commit_config(settings)?;
    let rpc = stores::rpc(settings)?;
    // A service started while ClickHouse is down (or restarting) waits for it.
    let Some(ch) = stores::clickhouse_when_reachable(settings, &mut shutdown, fence).await? else {
        return Ok(());
    };
    let checkpoints = Arc::new(stores::SqlCheckpoints(stores::sql(settings).await?));
    println!(
        "following {} into {}/{}",
        crate::commands::config::mask_url(&stream.endpoint),
        crate::commands::config::mask_url(&settings.clickhouse.url),
        settings.clickhouse.database
    );
    depinscore_indexer::index(stream, commit, rpc, ch, checkpoints, progress, shutdown)
        .await
        .map_err(anyhow::Error::msg)
}
