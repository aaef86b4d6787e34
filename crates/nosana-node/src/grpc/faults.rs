//! Fault injection for Subscribe streams, so clients' reconnect and watchdog paths get
//! exercised: dropping every stream after a while (in the subscriber task) and stalling a
//! stream's output (here: the response stream stops yielding, while the subscriber keeps
//! queueing up to its bounded capacity).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::time::{Instant, Sleep};

/// The message a stream dropped by `drop_every` ends with (`UNAVAILABLE`).
pub const DROPPED: &str = "fault injection: stream dropped";

/// Stop sending for `length` once every `every`, without ending the stream. A `length` of
/// `every` or more stalls for good after the first period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stall {
    pub every: Duration,
    pub length: Duration,
}

impl Stall {
    /// How much longer the stall in progress lasts, `elapsed` after the stream opened. Stalls
    /// cover `[k·every, k·every + length)` for k ≥ 1.
    pub fn remaining(&self, elapsed: Duration) -> Option<Duration> {
        let every = self.every.as_nanos();
        if every == 0 || self.length.is_zero() {
            return None;
        }
        let elapsed = elapsed.as_nanos();
        if elapsed < every {
            return None;
        }
        let phase = elapsed % every;
        let length = self.length.as_nanos();
        (phase < length).then(|| Duration::from_nanos(u64::try_from(length - phase).unwrap_or(u64::MAX)))
    }
}

/// A response stream that goes quiet during stalls.
pub struct Stalling<S> {
    inner: S,
    stall: Option<Stall>,
    started: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl<S> Stalling<S> {
    pub fn new(inner: S, stall: Option<Stall>) -> Self {
        Stalling { inner, stall, started: Instant::now(), sleep: None }
    }
}

impl<S: Stream + Unpin> Stream for Stalling<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(stall) = this.stall {
            loop {
                if let Some(sleep) = this.sleep.as_mut() {
                    ready!(sleep.as_mut().poll(cx));
                    this.sleep = None;
                }
                match stall.remaining(this.started.elapsed()) {
                    Some(left) => this.sleep = Some(Box::pin(tokio::time::sleep(left))),
                    None => break,
                }
            }
        }
        this.inner.poll_next_unpin(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stalls_repeat_after_each_period_and_last_their_length() {
        let s = Stall { every: Duration::from_secs(10), length: Duration::from_secs(2) };
        assert_eq!(s.remaining(Duration::from_secs(3)), None);
        assert_eq!(s.remaining(Duration::from_secs(10)), Some(Duration::from_secs(2)));
        assert_eq!(s.remaining(Duration::from_millis(21_500)), Some(Duration::from_millis(500)));
        assert_eq!(s.remaining(Duration::from_secs(13)), None);
        assert_eq!(Stall { every: Duration::ZERO, length: Duration::from_secs(1) }.remaining(Duration::MAX), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_stream_yields_nothing_until_the_stall_ends() {
        let stall = Stall { every: Duration::from_secs(10), length: Duration::from_secs(5) };
        let mut s = Stalling::new(futures::stream::iter([1, 2, 3]), Some(stall));
        assert_eq!(s.next().await, Some(1));
        tokio::time::advance(Duration::from_secs(11)).await;
        let started = Instant::now();
        assert_eq!(s.next().await, Some(2));
        assert_eq!(started.elapsed(), Duration::from_secs(4));
        assert_eq!(s.next().await, Some(3));
    }
}
