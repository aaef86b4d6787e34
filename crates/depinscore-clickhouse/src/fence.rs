//! The local half of a writer's lease: a store with a fence writes only while the fence is
//! open, and the fence is open until a margin before the lease's end, a moment of this
//! process's monotonic clock that the lease holder moves forward with each renewal. A process
//! that was paused (SIGSTOP, a VM freeze, a long GC-like stall) past its lease finds the fence
//! closed when it resumes, before the lease renewer has even run, so it cannot write over the
//! standby that took the stream.
//!
//! The margin also covers an INSERT that a pause cut off mid-body. Its writer sends nothing
//! after the fence closes (the store checks the fence between rows), and ClickHouse gives up on
//! a request body that stays silent for its `http_receive_timeout`. So with a margin longer
//! than that timeout (plus a second for clock differences and socket buffers), every INSERT of
//! a paused writer has either been applied or failed on the server before a standby can take
//! the lease and look at what the tables hold. See [`ChStore::fenced`](crate::ChStore::fenced).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::ChError;

/// Writes allowed until a margin before a lease's end (shared by clones). Starts closed.
#[derive(Clone, Debug)]
pub struct WriteFence {
    base: Instant,
    /// Milliseconds after `base` when the lease ends; 0 is closed.
    until_ms: Arc<AtomicU64>,
    /// Milliseconds before the lease's end from which writes stop.
    margin_ms: Arc<AtomicU64>,
    /// The lease's length: the margin may take at most half of it (renewals come every third).
    lease: Duration,
}

impl WriteFence {
    /// A fence that allows nothing until [`open_until`](Self::open_until), with no margin.
    pub fn closed() -> Self {
        Self {
            base: Instant::now(),
            until_ms: Arc::new(AtomicU64::new(0)),
            margin_ms: Arc::new(AtomicU64::new(0)),
            lease: Duration::MAX,
        }
    }

    /// A closed fence for a lease of `ttl`: writes stop a fifth of the lease (at least a
    /// second) before it ends, a margin [`require_margin`](Self::require_margin) may widen up
    /// to half of the lease.
    pub fn for_lease(ttl: Duration) -> Self {
        let fence = Self { lease: ttl, ..Self::closed() };
        fence.margin_ms.store(millis((ttl / 5).max(Duration::from_secs(1))), Ordering::SeqCst);
        fence
    }

    /// Widens the margin to at least `margin`; fails with [`ChError::FenceTooNarrow`] when
    /// that leaves less than half of the lease to write in.
    pub fn require_margin(&self, margin: Duration) -> Result<(), ChError> {
        if margin > self.lease / 2 {
            return Err(ChError::FenceTooNarrow { margin, lease: self.lease });
        }
        self.margin_ms.fetch_max(millis(margin), Ordering::SeqCst);
        Ok(())
    }

    /// The current margin before the lease's end.
    pub fn margin(&self) -> Duration {
        Duration::from_millis(self.margin_ms.load(Ordering::SeqCst))
    }

    /// Allows writes until the margin before `lease_end` (a renewal moves it; an earlier end
    /// than the current one is ignored, so a slow renewal answer cannot shorten a newer one).
    pub fn open_until(&self, lease_end: Instant) {
        let ms = lease_end.saturating_duration_since(self.base).as_millis();
        self.until_ms.fetch_max(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::SeqCst);
    }

    /// Allows nothing from now on (the lease is lost or given up).
    pub fn close(&self) {
        self.until_ms.store(0, Ordering::SeqCst);
    }

    /// Whether a write may start or go on now.
    pub fn is_open(&self) -> bool {
        !self.remaining().is_zero()
    }

    /// How long writes remain allowed (zero when closed).
    pub fn remaining(&self) -> Duration {
        let until = Duration::from_millis(self.until_ms.load(Ordering::SeqCst));
        until.saturating_sub(self.margin()).saturating_sub(self.base.elapsed())
    }

    /// `Err(ChError::Fenced)` unless a write may start or go on now.
    pub fn check(&self) -> Result<(), ChError> {
        if self.is_open() { Ok(()) } else { Err(ChError::Fenced) }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_allows_writes_only_until_its_deadline_and_never_after_it_is_closed() {
        let fence = WriteFence::closed();
        assert!(!fence.is_open(), "a new fence is closed");
        assert!(matches!(fence.check(), Err(ChError::Fenced)));

        fence.open_until(Instant::now() + Duration::from_secs(60));
        let clone = fence.clone();
        assert!(clone.is_open() && clone.check().is_ok(), "clones share the deadline");
        assert!(fence.remaining() > Duration::from_secs(59));

        // An older renewal's deadline cannot shorten a newer one.
        fence.open_until(Instant::now() + Duration::from_secs(1));
        assert!(fence.remaining() > Duration::from_secs(59));

        fence.close();
        assert!(!clone.is_open(), "closing one closes every clone");
        assert_eq!(fence.remaining(), Duration::ZERO);
    }

    #[test]
    fn a_fence_whose_deadline_has_passed_is_closed() {
        let fence = WriteFence::closed();
        fence.open_until(Instant::now() + Duration::from_millis(30));
        assert!(fence.is_open());
        std::thread::sleep(Duration::from_millis(60));
        assert!(!fence.is_open(), "past its deadline");
        assert!(matches!(fence.check(), Err(ChError::Fenced)));
    }

    #[test]
    fn a_lease_fence_closes_its_margin_before_the_lease_ends_and_refuses_a_margin_over_half_the_lease() {
        let fence = WriteFence::for_lease(Duration::from_secs(15));
        assert_eq!(fence.margin(), Duration::from_secs(3), "a fifth of the lease");
        assert_eq!(WriteFence::for_lease(Duration::from_secs(3)).margin(), Duration::from_secs(1), "at least a second");

        fence.open_until(Instant::now() + Duration::from_secs(15));
        assert!(fence.remaining() > Duration::from_millis(11_900) && fence.remaining() <= Duration::from_secs(12));
        // The server's receive timeout widens it, up to half of the lease.
        fence.require_margin(Duration::from_secs(7)).unwrap();
        assert!(fence.remaining() <= Duration::from_secs(8));
        fence.require_margin(Duration::from_secs(2)).unwrap();
        assert_eq!(fence.margin(), Duration::from_secs(7), "a margin only widens");
        let err = fence.require_margin(Duration::from_millis(7_600)).unwrap_err();
        assert!(matches!(err, ChError::FenceTooNarrow { .. }), "{err}");
        assert_eq!(fence.margin(), Duration::from_secs(7));

        // A lease that ends within its margin allows nothing.
        let short = WriteFence::for_lease(Duration::from_secs(10));
        short.open_until(Instant::now() + Duration::from_millis(1_500));
        assert!(!short.is_open());
    }
}
