//! A per-client token bucket: each client (IP address) may send `burst` requests at once and
//! `rate` per second after that; beyond it the API answers 429 with Retry-After.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::SharedState;

struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

/// Buckets kept before idle (full) ones are dropped.
const MAX_CLIENTS: usize = 100_000;

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        RateLimiter { rate: f64::from(per_second), burst: f64::from(burst.max(1)), buckets: Mutex::new(HashMap::new()) }
    }

    pub fn enabled(&self) -> bool {
        self.rate > 0.0
    }

    /// Takes one token for `client` at `now`; Err(seconds to wait) when none is left.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        if !self.enabled() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_CLIENTS {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let b = buckets.entry(client).or_insert(Bucket { tokens: self.burst, at: now });
        b.tokens = (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * self.rate).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// The address a trusted proxy saw: the last X-Forwarded-For entry (proxies append; anything
/// to its left was written by the client and proves nothing).
pub fn forwarded_client(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).next_back()?;
    last.rsplit(',').next()?.trim().parse().ok()
}

/// The client of a request: its peer address, or behind a trusted proxy the address the proxy
/// appended to X-Forwarded-For.
fn client(state: &SharedState, request: &Request) -> IpAddr {
    if state.config.trust_forwarded_for
        && let Some(ip) = forwarded_client(request.headers())
    {
        return ip;
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip())
}

pub async fn limit(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    if state.limiter.enabled() {
        let ip = client(&state, &request);
        if let Err(retry_after_s) = state.limiter.check(ip, Instant::now()) {
            metrics::counter!("depinscore_api_rate_limited_total").increment(1);
            return ApiError::RateLimited { retry_after_s }.into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_the_rate_and_others_are_not_affected() {
        let l = RateLimiter::new(2, 3);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(a, t0).is_ok());
        }
        assert_eq!(l.check(a, t0), Err(1));
        assert!(l.check(b, t0).is_ok());
        // Half a second later one token (2/s) is back.
        assert!(l.check(a, t0 + Duration::from_millis(500)).is_ok());
        assert!(l.check(a, t0 + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn only_the_address_the_proxy_appended_counts_not_what_the_client_wrote() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 1.2.3.4".parse().unwrap());
        assert_eq!(forwarded_client(&h), Some(IpAddr::from([1, 2, 3, 4])));
        h.append("x-forwarded-for", "5.6.7.8".parse().unwrap());
        assert_eq!(forwarded_client(&h), Some(IpAddr::from([5, 6, 7, 8])));
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(forwarded_client(&h), None);
    }

    #[test]
    fn a_rate_of_zero_turns_limiting_off() {
        let l = RateLimiter::new(0, 1);
        let t0 = Instant::now();
        assert!((0..1000).all(|_| l.check(IpAddr::from([1, 2, 3, 4]), t0).is_ok()));
    }
}
