//! Everything the node produced: blocks (canonical and dead), slot statuses, and indexes by
//! signature and by address, for replay and for JSON-RPC. Shared between the producer (one
//! writer) and the servers (many readers). Blocks inside the replay window are kept whole;
//! older ones are frozen (see [`crate::frozen`]) and thawed when JSON-RPC asks for them.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, RwLock};

use nosana_chain::{Block, Commitment, Signature, SlotStatus};
use solana_pubkey::Pubkey;

use crate::events::NodeEvent;
use crate::frozen::{BlockHeader, FrozenBlock};

/// How much the ledger keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LedgerConfig {
    /// Slots behind the head that `from_slot` may replay (older: `OUT_OF_RANGE`).
    pub replay_slots: u64,
    /// Slots of history kept for JSON-RPC; `None` keeps everything.
    pub history_slots: Option<u64>,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig { replay_slots: 150, history_slots: None }
    }
}

/// A slot's state as the node knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotState {
    pub parent: Option<u64>,
    /// The highest commitment reached, `None` before processed.
    pub commitment: Option<Commitment>,
    pub dead: bool,
}

/// `from_slot` is older than the replay window.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("broadcast from {from_slot} is not available, last available: {first_available}")]
pub struct OutOfRange {
    pub from_slot: u64,
    pub first_available: u64,
}

/// A stored block: whole while `from_slot` may replay it, frozen after.
#[derive(Clone)]
enum Stored {
    Whole(Arc<Block>),
    Frozen(FrozenBlock),
}

impl Stored {
    fn header(&self) -> BlockHeader {
        match self {
            Stored::Whole(block) => BlockHeader::of(block),
            Stored::Frozen(frozen) => frozen.header,
        }
    }

    /// The block itself, thawing a frozen one. Call without holding the ledger's lock.
    fn block(self) -> Option<Arc<Block>> {
        match self {
            Stored::Whole(block) => Some(block),
            Stored::Frozen(frozen) => match frozen.thaw() {
                Ok(block) => Some(Arc::new(block)),
                Err(e) => {
                    tracing::error!(error = %e, "a stored block is unreadable");
                    None
                }
            },
        }
    }
}

#[derive(Default)]
struct Inner {
    blocks: BTreeMap<u64, Stored>,
    slots: BTreeMap<u64, SlotState>,
    by_signature: HashMap<Signature, (u64, u32)>,
    /// In slot order (blocks arrive in slot order), so pruning pops from the front.
    by_address: HashMap<Pubkey, VecDeque<(u64, u32)>>,
    head: Option<u64>,
    latest: BTreeMap<Commitment, u64>,
    /// Blocks below this slot are frozen, or being frozen (see `Ledger::freeze`).
    frozen_below: u64,
    /// Compressed bytes of the frozen blocks.
    frozen_bytes: usize,
}

#[derive(Default)]
pub struct Ledger {
    config: LedgerConfig,
    inner: RwLock<Inner>,
}

impl Ledger {
    pub fn new(config: LedgerConfig) -> Self {
        Ledger { config, inner: RwLock::default() }
    }

    pub fn config(&self) -> LedgerConfig {
        self.config
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a produced block and indexes its transactions (canonical blocks only).
    pub fn insert_block(&self, block: Arc<Block>) {
        let mut inner = self.write();
        let slot = block.slot;
        if !block.dead {
            for tx in &block.transactions {
                inner.by_signature.insert(*tx.signature(), (slot, tx.index));
                for key in &tx.message.account_keys {
                    inner.by_address.entry(*key).or_default().push_back((slot, tx.index));
                }
            }
            inner.head = Some(inner.head.map_or(slot, |h| h.max(slot)));
        }
        let state = inner.slots.entry(slot).or_default();
        state.parent = Some(block.parent_slot);
        state.dead = block.dead;
        inner.blocks.insert(slot, Stored::Whole(block));
        if let Some(keep) = self.config.history_slots {
            let cutoff = slot.saturating_sub(keep);
            prune(&mut inner, cutoff);
        }
        let leaving = leaving_the_window(&mut inner, self.config.replay_slots);
        drop(inner);
        self.freeze(leaving);
    }

    /// Freezes blocks that left the replay window, outside the lock, then swaps them in. Account
    /// writes are served only by the gRPC stream and its `from_slot` window, so frozen blocks
    /// leave them behind: they are most of a block's memory (every write carries the whole
    /// account, a market's with its queue). Someone still holding a whole block (the event
    /// channel keeps its recent events) keeps their copy until they let go of it.
    fn freeze(&self, leaving: Vec<Arc<Block>>) {
        if leaving.is_empty() {
            return;
        }
        let frozen: Vec<FrozenBlock> = leaving
            .iter()
            .filter_map(|b| match FrozenBlock::freeze(b) {
                Ok(frozen) => Some(frozen),
                Err(e) => {
                    tracing::warn!(slot = b.slot, error = %e, "a block could not be frozen; it stays whole");
                    None
                }
            })
            .collect();
        let mut inner = self.write();
        for block in frozen {
            let size = block.compressed_len();
            // A block pruned meanwhile stays gone.
            if let Some(stored) = inner.blocks.get_mut(&block.header.slot) {
                *stored = Stored::Frozen(block);
                inner.frozen_bytes += size;
            }
        }
        metrics::gauge!("nosana_node_frozen_block_bytes").set(inner.frozen_bytes as f64);
    }

    /// Records a status a slot reached.
    pub fn set_status(&self, slot: u64, status: &SlotStatus) {
        let mut inner = self.write();
        let state = inner.slots.entry(slot).or_default();
        match status {
            SlotStatus::Dead(_) => state.dead = true,
            other => {
                if let Some(c) = other.commitment() {
                    state.commitment = Some(state.commitment.map_or(c, |old| old.max(c)));
                    if !state.dead {
                        let latest = inner.latest.entry(c).or_insert(slot);
                        *latest = (*latest).max(slot);
                    }
                }
            }
        }
    }

    /// The block of `slot`, thawed if it is frozen.
    pub fn block(&self, slot: u64) -> Option<Arc<Block>> {
        let stored = self.read().blocks.get(&slot).cloned()?;
        stored.block()
    }

    /// The header of `slot`'s block, without thawing it.
    pub fn header(&self, slot: u64) -> Option<BlockHeader> {
        self.read().blocks.get(&slot).map(Stored::header)
    }

    /// Compressed bytes held by frozen blocks.
    pub fn frozen_bytes(&self) -> usize {
        self.read().frozen_bytes
    }

    pub fn slot_state(&self, slot: u64) -> Option<SlotState> {
        self.read().slots.get(&slot).cloned()
    }

    /// The newest canonical slot that reached `commitment`.
    pub fn latest(&self, commitment: Commitment) -> Option<u64> {
        self.read().latest.get(&commitment).copied()
    }

    /// The newest canonical block produced.
    pub fn head(&self) -> Option<u64> {
        self.read().head
    }

    /// The oldest slot `from_slot` may start at.
    pub fn first_available(&self) -> Option<u64> {
        let inner = self.read();
        let head = inner.head?;
        let oldest = *inner.blocks.keys().next()?;
        Some(oldest.max(head.saturating_sub(self.config.replay_slots)))
    }

    /// Events that rebuild the stream from `from_slot` up to now: each stored block, then the
    /// statuses it has reached, slot by slot.
    pub fn replay_from(&self, from_slot: u64) -> Result<Vec<NodeEvent>, OutOfRange> {
        let first_available = self.first_available().unwrap_or(from_slot);
        if from_slot < first_available {
            return Err(OutOfRange { from_slot, first_available });
        }
        let stored: Vec<(Stored, SlotState)> = {
            let inner = self.read();
            inner
                .blocks
                .range(from_slot..)
                .map(|(slot, b)| (b.clone(), inner.slots.get(slot).cloned().unwrap_or_default()))
                .collect()
        };
        let mut events = Vec::new();
        for (stored, state) in stored {
            // Inside the window blocks are whole; one frozen meanwhile is thawed (without the
            // account writes the window would have sent).
            let Some(block) = stored.block() else { continue };
            let (slot, parent) = (block.slot, Some(block.parent_slot));
            events.push(NodeEvent::Block(block));
            for c in [Commitment::Processed, Commitment::Confirmed, Commitment::Finalized] {
                if state.commitment.is_some_and(|reached| reached >= c) {
                    let status = match c {
                        Commitment::Processed => SlotStatus::Processed,
                        Commitment::Confirmed => SlotStatus::Confirmed,
                        Commitment::Finalized => SlotStatus::Finalized,
                    };
                    events.push(NodeEvent::Status { slot, parent, status });
                }
            }
            if state.dead {
                events.push(NodeEvent::Status { slot, parent, status: SlotStatus::Dead("replayed".into()) });
            }
        }
        Ok(events)
    }

    /// The block and position of a transaction.
    pub fn transaction(&self, signature: &Signature) -> Option<(Arc<Block>, usize)> {
        let (stored, index) = {
            let inner = self.read();
            let (slot, index) = *inner.by_signature.get(signature)?;
            (inner.blocks.get(&slot)?.clone(), index)
        };
        Some((stored.block()?, index as usize))
    }

    /// Whether `signature` is a stored transaction.
    pub fn has_transaction(&self, signature: &Signature) -> bool {
        self.read().by_signature.contains_key(signature)
    }

    /// Transactions touching `address`, newest first, strictly before `before` and down to (not
    /// including) `until`, at most `limit`.
    pub fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<&Signature>,
        until: Option<&Signature>,
        limit: usize,
    ) -> Vec<(Arc<Block>, usize)> {
        self.signatures_for_address_through(address, before, until, limit, u64::MAX)
    }

    /// [`Self::signatures_for_address`] seen by a reader at a commitment: only transactions in
    /// slots up to `max_slot` (the newest slot at that commitment) count toward `limit`.
    pub fn signatures_for_address_through(
        &self,
        address: &Pubkey,
        before: Option<&Signature>,
        until: Option<&Signature>,
        limit: usize,
        max_slot: u64,
    ) -> Vec<(Arc<Block>, usize)> {
        let found: Vec<(Stored, u32)> = {
            let inner = self.read();
            let Some(list) = inner.by_address.get(address) else { return vec![] };
            let position = |sig: Option<&Signature>| sig.and_then(|s| inner.by_signature.get(s).copied());
            let before = position(before);
            let until = position(until);
            list.iter()
                .rev()
                .filter(|p| p.0 <= max_slot && before.is_none_or(|b| **p < b))
                .take_while(|p| until.is_none_or(|u| **p > u))
                .take(limit)
                .filter_map(|(slot, index)| Some((inner.blocks.get(slot)?.clone(), *index)))
                .collect()
        };
        // Newest first, so one block's transactions are adjacent: thaw each block once.
        let mut last: Option<Arc<Block>> = None;
        let mut out = Vec::with_capacity(found.len());
        for (stored, index) in found {
            let slot = stored.header().slot;
            let block = match &last {
                Some(b) if b.slot == slot => b.clone(),
                _ => {
                    let Some(b) = stored.block() else { continue };
                    last = Some(b.clone());
                    b
                }
            };
            out.push((block, index as usize));
        }
        out
    }

    /// At most `limit` canonical slots with blocks in `[start, end]`, ascending.
    pub fn canonical_slots_limited(&self, start: u64, end: u64, limit: usize) -> Vec<u64> {
        if start > end {
            return vec![];
        }
        let inner = self.read();
        inner.blocks.range(start..=end).filter(|(_, b)| !b.header().dead).map(|(s, _)| *s).take(limit).collect()
    }

    /// The oldest canonical slot whose block is still stored.
    pub fn first_canonical_slot(&self) -> Option<u64> {
        self.read().blocks.iter().find(|(_, b)| !b.header().dead).map(|(s, _)| *s)
    }

    /// Canonical slots with blocks in `[start, end]`, ascending (none when `start > end`).
    pub fn canonical_slots(&self, start: u64, end: u64) -> Vec<u64> {
        if start > end {
            return vec![];
        }
        let inner = self.read();
        inner.blocks.range(start..=end).filter(|(_, b)| !b.header().dead).map(|(s, _)| *s).collect()
    }
}

/// Whole blocks that left the replay window, for freezing; marks them as taken.
fn leaving_the_window(inner: &mut Inner, replay_slots: u64) -> Vec<Arc<Block>> {
    let Some(end) = inner.head.and_then(|head| head.checked_sub(replay_slots)) else { return vec![] };
    let start = inner.frozen_below;
    if start >= end {
        return vec![];
    }
    inner.frozen_below = end;
    inner
        .blocks
        .range(start..end)
        .filter_map(|(_, b)| match b {
            Stored::Whole(block) => Some(block.clone()),
            Stored::Frozen(_) => None,
        })
        .collect()
}

fn prune(inner: &mut Inner, cutoff: u64) {
    let old: Vec<u64> = inner.blocks.range(..cutoff).map(|(s, _)| *s).collect();
    for slot in old {
        if let Some(stored) = inner.blocks.remove(&slot) {
            if let Stored::Frozen(frozen) = &stored {
                inner.frozen_bytes -= frozen.compressed_len();
            }
            // Rare (only with a history limit) and bounded: thawing under the lock is fine.
            let Some(block) = stored.block() else { continue };
            for tx in &block.transactions {
                inner.by_signature.remove(tx.signature());
                for key in &tx.message.account_keys {
                    if let Some(list) = inner.by_address.get_mut(key) {
                        while list.front().is_some_and(|(s, _)| *s <= slot) {
                            list.pop_front();
                        }
                        if list.is_empty() {
                            inner.by_address.remove(key);
                        }
                    }
                }
            }
        }
        inner.slots.remove(&slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(slot: u64, parent: u64, dead: bool) -> Arc<Block> {
        Arc::new(Block {
            slot,
            parent_slot: parent,
            blockhash: [slot as u8; 32],
            parent_blockhash: [parent as u8; 32],
            block_height: slot,
            block_time: slot as i64,
            transactions: vec![],
            account_writes: vec![],
            dead,
        })
    }

    #[test]
    fn replay_returns_blocks_then_their_reached_statuses_in_slot_order() {
        let ledger = Ledger::new(LedgerConfig { replay_slots: 10, history_slots: None });
        for s in 1..=3 {
            ledger.insert_block(block(s, s - 1, false));
            ledger.set_status(s, &SlotStatus::Processed);
        }
        ledger.set_status(1, &SlotStatus::Confirmed);
        let events = ledger.replay_from(1).unwrap();
        let shape: Vec<String> = events
            .iter()
            .map(|e| match e {
                NodeEvent::Block(b) => format!("B{}", b.slot),
                NodeEvent::Status { slot, status, .. } => format!("{status:?}{slot}"),
            })
            .collect();
        assert_eq!(shape, ["B1", "Processed1", "Confirmed1", "B2", "Processed2", "B3", "Processed3"]);
        assert_eq!(ledger.latest(Commitment::Confirmed), Some(1));
    }

    #[test]
    fn a_from_slot_older_than_the_window_is_out_of_range() {
        let ledger = Ledger::new(LedgerConfig { replay_slots: 5, history_slots: None });
        for s in 1..=20 {
            ledger.insert_block(block(s, s - 1, false));
        }
        assert_eq!(ledger.first_available(), Some(15));
        assert_eq!(ledger.replay_from(3).unwrap_err(), OutOfRange { from_slot: 3, first_available: 15 });
        assert_eq!(ledger.replay_from(15).unwrap().len(), 6);
    }

    #[test]
    fn dead_slots_never_become_the_latest_commitment() {
        let ledger = Ledger::new(LedgerConfig::default());
        ledger.insert_block(block(1, 0, false));
        ledger.set_status(1, &SlotStatus::Processed);
        ledger.insert_block(block(2, 1, true));
        ledger.set_status(2, &SlotStatus::Dead("fork".into()));
        ledger.set_status(2, &SlotStatus::Processed);
        assert_eq!(ledger.latest(Commitment::Processed), Some(1));
        assert_eq!(ledger.head(), Some(1));
        assert!(ledger.slot_state(2).unwrap().dead);
        assert_eq!(ledger.canonical_slots(0, 10), vec![1]);
    }

    #[test]
    fn blocks_leaving_the_replay_window_drop_their_account_writes_even_while_held() {
        let ledger = Ledger::new(LedgerConfig { replay_slots: 5, history_slots: None });
        let with_write = |slot: u64| {
            let mut b = Arc::into_inner(block(slot, slot - 1, false)).unwrap();
            b.account_writes.push(nosana_chain::AccountWrite {
                pubkey: Pubkey::new_from_array([slot as u8; 32]),
                account: Default::default(),
                write_version: slot,
                txn_signature: None,
            });
            Arc::new(b)
        };
        let mut held = None;
        for s in 1..=20 {
            let b = with_write(s);
            if s == 3 {
                held = Some(b.clone());
            }
            ledger.insert_block(b);
        }
        // The window is slots 15..=20: every one replays with its writes.
        let replayed: Vec<usize> = ledger
            .replay_from(15)
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                NodeEvent::Block(b) => Some(b.account_writes.len()),
                _ => None,
            })
            .collect();
        assert_eq!(replayed, [1; 6]);
        assert!(ledger.block(14).unwrap().account_writes.is_empty());
        assert!(ledger.block(1).unwrap().account_writes.is_empty());
        // A held block is replaced by a copy without writes; the holder's keeps them.
        let copy = ledger.block(3).unwrap();
        assert!(copy.account_writes.is_empty());
        let held = held.unwrap();
        assert_eq!(held.account_writes.len(), 1);
        assert_eq!(Block { account_writes: Vec::new(), ..(*held).clone() }, *copy);
    }

    #[test]
    fn history_older_than_the_retention_is_pruned() {
        let ledger = Ledger::new(LedgerConfig { replay_slots: 5, history_slots: Some(10) });
        for s in 1..=30 {
            ledger.insert_block(block(s, s - 1, false));
        }
        assert!(ledger.block(19).is_none());
        assert!(ledger.block(20).is_some());
    }
}
