//! A short-lived cache of explorer answers, one computation per key at a time. Lists and
//! aggregates change at most once per committed slot (every 400 ms on mainnet), while many
//! clients ask for the same first pages: within `ttl` they share one answer, and clients that
//! arrive while it is being computed wait for it instead of each sending ClickHouse the same
//! query. A failure is shared only with the clients that waited for that computation; the
//! next client computes again. Bodies above `MAX_BODY` are not kept, so the cache holds at
//! most `CAPACITY × MAX_BODY`.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::bounded::Bounded;
use crate::error::ApiResult;

/// Keys remembered at once (route and query string).
const CAPACITY: usize = 512;
/// Largest answer kept (a page of 500 jobs is about 400 KB; first pages are far smaller).
const MAX_BODY: usize = 256 * 1024;

/// The last computation of a key: when it finished, and what it gave.
type Slot = Arc<tokio::sync::Mutex<Option<(Instant, ApiResult<Bytes>)>>>;

pub struct ReadCache {
    ttl: Duration,
    slots: Mutex<Bounded<String, Slot>>,
}

impl ReadCache {
    /// `ttl` zero turns caching off (every request computes).
    pub fn new(ttl: Duration) -> ReadCache {
        ReadCache { ttl, slots: Mutex::new(Bounded::new(CAPACITY)) }
    }

    /// The answer for `key`: a fresh cached one, or `compute`'s (which then serves the others
    /// waiting for the same key).
    pub async fn get_or_compute<F, Fut>(&self, key: String, compute: F) -> ApiResult<Bytes>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Bytes>>,
    {
        if self.ttl.is_zero() {
            return compute().await;
        }
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            match slots.get(&key) {
                Some(s) => s,
                None => {
                    let s: Slot = Arc::default();
                    slots.insert(key, s.clone());
                    s
                }
            }
        };
        let arrived = Instant::now();
        let mut held = slot.lock().await;
        if let Some((at, result)) = held.as_ref() {
            // Fresh, or computed while this client waited for it (a failure too).
            let fresh = result.is_ok() && at.elapsed() < self.ttl;
            if fresh || *at >= arrived {
                return result.clone();
            }
        }
        let result = compute().await;
        let keep = match &result {
            Ok(body) => body.len() <= MAX_BODY,
            Err(_) => true,
        };
        *held = keep.then(|| (Instant::now(), result.clone()));
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_requests_for_one_key_share_one_computation_until_it_expires() {
        let cache = Arc::new(ReadCache::new(Duration::from_millis(200)));
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = |cache: Arc<ReadCache>, runs: Arc<AtomicUsize>| async move {
            cache
                .get_or_compute("/v1/jobs?limit=20".into(), || async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(Bytes::from_static(b"page"))
                })
                .await
                .unwrap()
        };
        let answers = futures::future::join_all((0..32).map(|_| tokio::spawn(ask(cache.clone(), runs.clone())))).await;
        assert!(answers.into_iter().all(|a| a.unwrap() == Bytes::from_static(b"page")));
        assert_eq!(runs.load(Ordering::SeqCst), 1, "one computation for 32 clients");
        tokio::time::sleep(Duration::from_millis(250)).await;
        ask(cache.clone(), runs.clone()).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "recomputed once expired");
    }

    #[tokio::test]
    async fn a_failure_reaches_the_clients_that_waited_for_it_but_the_next_one_computes_again() {
        let cache = Arc::new(ReadCache::new(Duration::from_secs(60)));
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = |cache: Arc<ReadCache>, runs: Arc<AtomicUsize>| async move {
            cache
                .get_or_compute("k".into(), || async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err(crate::error::ApiError::store("ClickHouse", "down"))
                })
                .await
        };
        let answers = futures::future::join_all((0..16).map(|_| tokio::spawn(ask(cache.clone(), runs.clone())))).await;
        assert!(answers.into_iter().all(|a| a.unwrap().is_err()));
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the waiting clients share the failure");
        assert!(ask(cache.clone(), runs.clone()).await.is_err());
        assert_eq!(runs.load(Ordering::SeqCst), 2, "a later client tries again");
    }

    #[tokio::test]
    async fn errors_are_not_cached_and_a_zero_ttl_always_computes() {
        let cache = ReadCache::new(Duration::from_secs(60));
        let failed = cache.get_or_compute("k".into(), || async { Err(crate::error::ApiError::not_found("job")) }).await;
        assert!(failed.is_err());
        let ok = cache.get_or_compute("k".into(), || async { Ok(Bytes::from_static(b"x")) }).await.unwrap();
        assert_eq!(ok, Bytes::from_static(b"x"));
        let off = ReadCache::new(Duration::ZERO);
        let runs = AtomicUsize::new(0);
        for _ in 0..3 {
            off.get_or_compute("k".into(), || async {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(Bytes::new())
            })
            .await
            .unwrap();
        }
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }
}
