//! The local half of a writer's lease: a store with a fence writes only while the fence is
//! open, and the fence is open until a moment of this process's monotonic clock that the
//! lease holder moves forward with each renewal. A process that was paused (SIGSTOP, a VM
//! freeze, a long GC-like stall) past its lease finds the fence closed when it resumes, before
//! the lease renewer has even run, so it cannot write over the standby that took the stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::ChError;

/// Writes allowed until a deadline (shared by clones). Starts closed.
#[derive(Clone, Debug)]
pub struct WriteFence {
    base: Instant,
    /// Milliseconds after `base` until which writes are allowed; 0 is closed.
    until_ms: Arc<AtomicU64>,
}

impl WriteFence {
    /// A fence that allows nothing until [`open_until`](Self::open_until).
    pub fn closed() -> Self {
        Self { base: Instant::now(), until_ms: Arc::new(AtomicU64::new(0)) }
    }

    /// Allows writes until `deadline` (a renewal moves it; an earlier deadline than the current
    /// one is ignored, so a slow renewal answer cannot shorten a newer one).
    pub fn open_until(&self, deadline: Instant) {
        let ms = deadline.saturating_duration_since(self.base).as_millis();
        self.until_ms.fetch_max(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::SeqCst);
    }

    /// Allows nothing from now on (the lease is lost or given up).
    pub fn close(&self) {
        self.until_ms.store(0, Ordering::SeqCst);
    }

    /// Whether a write may start now.
    pub fn is_open(&self) -> bool {
        let now = self.base.elapsed().as_millis();
        u128::from(self.until_ms.load(Ordering::SeqCst)) > now
    }

    /// How long writes remain allowed (zero when closed).
    pub fn remaining(&self) -> Duration {
        let until = Duration::from_millis(self.until_ms.load(Ordering::SeqCst));
        until.saturating_sub(self.base.elapsed())
    }

    /// `Err(ChError::Fenced)` unless a write may start now.
    pub fn check(&self) -> Result<(), ChError> {
        if self.is_open() { Ok(()) } else { Err(ChError::Fenced) }
    }
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
}
