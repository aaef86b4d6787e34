//! Commitment progression: a slot is processed when produced, confirmed once `confirm` later
//! slots have been built on it, finalized after `finalize`. Dead slots never confirm.

use std::collections::BTreeSet;

use crate::block::SlotStatus;

/// How many canonical slots later a slot confirms and finalizes (mainnet: about 1–2 and 32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lags {
    pub confirm: u64,
    pub finalize: u64,
}

impl Default for Lags {
    fn default() -> Self {
        Lags { confirm: 1, finalize: 32 }
    }
}

/// Tracks canonical slots and says which statuses each new slot releases.
#[derive(Debug, Default)]
pub struct CommitmentTracker {
    lags: Lags,
    /// Canonical slots not yet finalized, in order.
    pending: BTreeSet<u64>,
    confirmed: BTreeSet<u64>,
    last_confirmed: Option<u64>,
    last_finalized: Option<u64>,
}

impl CommitmentTracker {
    pub fn new(lags: Lags) -> Self {
        CommitmentTracker { lags, ..Default::default() }
    }

    pub fn last_confirmed(&self) -> Option<u64> {
        self.last_confirmed
    }

    pub fn last_finalized(&self) -> Option<u64> {
        self.last_finalized
    }

    /// A canonical slot was produced: returns the statuses now due, in order (this slot's
    /// `Processed`, then older slots' `Confirmed` and `Finalized`).
    pub fn produced(&mut self, slot: u64) -> Vec<(u64, SlotStatus)> {
        let mut out = vec![(slot, SlotStatus::Processed)];
        self.pending.insert(slot);
        let canonical: Vec<u64> = self.pending.iter().rev().copied().collect();
        // The slot `confirm` positions below the tip confirms, with everything before it.
        if let Some(&tip_confirmed) = canonical.get(self.lags.confirm as usize) {
            for &s in self.pending.range(..=tip_confirmed) {
                if self.confirmed.insert(s) {
                    out.push((s, SlotStatus::Confirmed));
                    self.last_confirmed = Some(s);
                }
            }
        }
        if let Some(&tip_finalized) = canonical.get(self.lags.finalize as usize) {
            let done: Vec<u64> = self.pending.range(..=tip_finalized).copied().collect();
            for s in done {
                if self.confirmed.insert(s) {
                    out.push((s, SlotStatus::Confirmed));
                    self.last_confirmed = Some(s);
                }
                out.push((s, SlotStatus::Finalized));
                self.pending.remove(&s);
                self.confirmed.remove(&s);
                self.last_finalized = Some(s);
            }
        }
        out
    }

    /// The chain stopped growing (a run reached its last slot): every pending slot confirms
    /// and finalizes, in order, so a follower can commit the whole run.
    pub fn settle(&mut self) -> Vec<(u64, SlotStatus)> {
        let mut out = Vec::new();
        for s in std::mem::take(&mut self.pending) {
            if self.confirmed.insert(s) {
                out.push((s, SlotStatus::Confirmed));
                self.last_confirmed = Some(s);
            }
            out.push((s, SlotStatus::Finalized));
            self.last_finalized = Some(s);
        }
        self.confirmed.clear();
        out
    }

    /// A forked slot: processed, then dead. It never enters the canonical chain.
    pub fn dead(&mut self, slot: u64, reason: &str) -> Vec<(u64, SlotStatus)> {
        vec![(slot, SlotStatus::Processed), (slot, SlotStatus::Dead(reason.to_string()))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_confirm_one_slot_later_and_finalize_after_the_lag() {
        let mut t = CommitmentTracker::new(Lags { confirm: 1, finalize: 3 });
        assert_eq!(t.produced(10), vec![(10, SlotStatus::Processed)]);
        assert_eq!(t.produced(11), vec![(11, SlotStatus::Processed), (10, SlotStatus::Confirmed)]);
        assert_eq!(t.produced(13), vec![(13, SlotStatus::Processed), (11, SlotStatus::Confirmed)]);
        assert_eq!(
            t.produced(14),
            vec![(14, SlotStatus::Processed), (13, SlotStatus::Confirmed), (10, SlotStatus::Finalized)]
        );
        assert_eq!((t.last_confirmed(), t.last_finalized()), (Some(13), Some(10)));
    }

    #[test]
    fn settling_confirms_and_finalizes_everything_pending_once() {
        let mut t = CommitmentTracker::new(Lags { confirm: 1, finalize: 3 });
        for s in [10, 11, 12] {
            t.produced(s);
        }
        assert_eq!(
            t.settle(),
            vec![
                (10, SlotStatus::Finalized),
                (11, SlotStatus::Finalized),
                (12, SlotStatus::Confirmed),
                (12, SlotStatus::Finalized)
            ]
        );
        assert!(t.settle().is_empty());
        assert_eq!((t.last_confirmed(), t.last_finalized()), (Some(12), Some(12)));
    }

    #[test]
    fn every_status_is_released_exactly_once() {
        let mut t = CommitmentTracker::new(Lags::default());
        let mut seen = BTreeSet::new();
        for slot in 0..200u64 {
            for (s, status) in t.produced(slot * 2) {
                assert!(seen.insert((s, format!("{status:?}"))), "{s} {status:?} twice");
            }
        }
        assert_eq!(seen.iter().filter(|(_, st)| st == "Finalized").count(), 200 - 32);
    }

    #[test]
    fn a_dead_slot_is_processed_then_dead_and_never_confirmed() {
        let mut t = CommitmentTracker::new(Lags::default());
        let events = t.dead(5, "fork abandoned");
        assert_eq!(events[1], (5, SlotStatus::Dead("fork abandoned".into())));
        for s in 6..50 {
            assert!(t.produced(s).iter().all(|(slot, _)| *slot != 5));
        }
    }
}
