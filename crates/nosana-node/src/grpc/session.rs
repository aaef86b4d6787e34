//! One subscriber's view of the node's events: runs its filter, keeps Geyser's per-bank order
//! (account writes and transactions, then Block, then BlockMeta, then statuses), buffers content
//! until a slot reaches the subscription's commitment, and sends each (slot, status) once.
//! Synchronous and IO-free: the subscriber task feeds it events and ships what it returns.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use nosana_chain::{AccountWrite, Block, BlockTransaction, Commitment, SlotStatus};
use yellowstone_grpc_proto::prelude::SubscribeUpdate;
use yellowstone_grpc_proto::prelude::subscribe_update::UpdateOneof;

use super::convert;
use super::filter::Filter;
use crate::events::NodeEvent;

/// Slot bookkeeping older than this many slots behind the newest one is forgotten.
const SLOT_MEMORY: u64 = 8_192;
/// At most this many blocks wait for their commitment; older ones are dropped first.
const MAX_PENDING: usize = 4_096;

/// Where an event comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Live,
    /// Rebuilt from the ledger for `from_slot`: banks carry only each account's last write.
    Replay,
}

#[derive(Default)]
struct SlotSeen {
    /// Statuses already handled, as bits of `status_bit`.
    statuses: u8,
    reached: Option<Commitment>,
    dead: bool,
}

fn status_bit(status: &SlotStatus) -> u8 {
    match status {
        SlotStatus::CreatedBank => 1,
        SlotStatus::Completed => 2,
        SlotStatus::Processed => 4,
        SlotStatus::Confirmed => 8,
        SlotStatus::Finalized => 16,
        SlotStatus::Dead(_) => 32,
    }
}

pub struct Session {
    filter: Filter,
    /// Blocks waiting for their slot to reach the commitment (confirmed/finalized only).
    pending: BTreeMap<u64, Arc<Block>>,
    slots: BTreeMap<u64, SlotSeen>,
    newest: u64,
    /// Slots the replay already delivered, whose live Block events are skipped.
    replayed: HashSet<u64>,
    replayed_up_to: Option<u64>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new(Filter::default())
    }
}

impl Session {
    pub fn new(filter: Filter) -> Self {
        Session {
            filter,
            pending: BTreeMap::new(),
            slots: BTreeMap::new(),
            newest: 0,
            replayed: HashSet::new(),
            replayed_up_to: None,
        }
    }

    pub fn commitment(&self) -> Commitment {
        self.filter.commitment
    }

    /// Replaces the whole filter set. Blocks waiting for a higher commitment are kept when the
    /// new commitment still buffers, and dropped when it is processed (their live moment passed).
    pub fn set_filter(&mut self, filter: Filter) {
        if filter.commitment == Commitment::Processed {
            self.pending.clear();
        }
        self.filter = filter;
    }

    /// Feeds one event; the updates it releases are appended to `out` in stream order.
    pub fn on_event(&mut self, event: &NodeEvent, origin: Origin, out: &mut Vec<SubscribeUpdate>) {
        self.newest = self.newest.max(event.slot());
        match event {
            NodeEvent::Block(block) => self.on_block(block, origin, out),
            NodeEvent::Status { slot, parent, status } => self.on_status(*slot, *parent, status, out),
        }
        if self.slots.len() as u64 > 2 * SLOT_MEMORY {
            let keep = self.slots.split_off(&self.newest.saturating_sub(SLOT_MEMORY));
            self.slots = keep;
        }
    }

    /// Marks the end of a replay: live events for slots it delivered are duplicates.
    pub fn replayed(&mut self, slots: HashSet<u64>) {
        self.replayed_up_to = slots.iter().max().copied();
        self.replayed = slots;
    }

    fn on_block(&mut self, block: &Arc<Block>, origin: Origin, out: &mut Vec<SubscribeUpdate>) {
        if origin == Origin::Live
            && let Some(up_to) = self.replayed_up_to
        {
            if self.replayed.remove(&block.slot) {
                return;
            }
            if block.slot > up_to {
                self.replayed.clear();
                self.replayed_up_to = None;
            }
        }
        let commitment = self.filter.commitment;
        if commitment == Commitment::Processed {
            // Everything as the bank executes it, dead forks and resent duplicates included.
            self.emit_block(block, origin == Origin::Replay, out);
            return;
        }
        let seen = self.slots.entry(block.slot).or_default();
        if seen.dead {
            return;
        }
        if seen.reached.is_some_and(|r| r >= commitment) {
            // The slot is already there (a resent block): pass it on, the client dedups.
            self.emit_block(block, true, out);
            return;
        }
        self.pending.insert(block.slot, block.clone());
        while self.pending.len() > MAX_PENDING {
            self.pending.pop_first();
        }
    }

    fn on_status(&mut self, slot: u64, parent: Option<u64>, status: &SlotStatus, out: &mut Vec<SubscribeUpdate>) {
        let seen = self.slots.entry(slot).or_default();
        let bit = status_bit(status);
        if seen.statuses & bit != 0 {
            return;
        }
        seen.statuses |= bit;
        match status {
            SlotStatus::Dead(_) => {
                seen.dead = true;
                self.pending.remove(&slot);
            }
            other => {
                if let Some(c) = other.commitment() {
                    seen.reached = Some(seen.reached.map_or(c, |r| r.max(c)));
                }
            }
        }
        let dead = seen.dead;
        let commitment = self.filter.commitment;
        if commitment != Commitment::Processed && !dead && status.commitment().is_some_and(|c| c >= commitment) {
            if let Some(block) = self.pending.remove(&slot) {
                self.emit_block(&block, true, out);
            }
            if status == &SlotStatus::Finalized {
                // Anything older still waiting was on an abandoned fork.
                self.pending = self.pending.split_off(&slot);
            }
        }
        let names = self.filter.slots(status);
        if !names.is_empty() {
            out.push(convert::update(names, UpdateOneof::Slot(convert::slot(slot, parent, status))));
        }
    }

    /// A bank's content in execution order (each transaction's account writes, then the
    /// transaction), then its Block updates, then its BlockMeta.
    fn emit_block(&self, block: &Block, last_writes_only: bool, out: &mut Vec<SubscribeUpdate>) {
        let f = &self.filter;
        let slot = block.slot;
        let writes: Vec<&AccountWrite> =
            if last_writes_only { last_writes(&block.account_writes) } else { block.account_writes.iter().collect() };
        if f.wants_accounts() || f.wants_transactions() {
            let mut w = 0;
            for tx in &block.transactions {
                let sig = Some(*tx.signature());
                while w < writes.len() && (writes[w].txn_signature.is_none() || writes[w].txn_signature == sig) {
                    self.emit_account(slot, writes[w], out);
                    w += 1;
                }
                self.emit_transaction(slot, tx, out);
            }
            for write in &writes[w..] {
                self.emit_account(slot, write, out);
            }
        }
        for (name, bf) in &f.blocks {
            let transactions = if bf.include_transactions {
                block
                    .transactions
                    .iter()
                    .filter(|tx| bf.selects_transaction(tx))
                    .map(convert::transaction_info)
                    .collect()
            } else {
                vec![]
            };
            let accounts = if bf.include_accounts {
                last_writes(&block.account_writes)
                    .into_iter()
                    .filter(|w| bf.selects_account(w))
                    .map(|w| convert::account_info(w, f.data_slices.apply(&w.account.data)))
                    .collect()
            } else {
                vec![]
            };
            let update = convert::block(block, transactions, accounts);
            out.push(convert::update(vec![name.clone()], UpdateOneof::Block(update)));
        }
        let names = f.blocks_meta();
        if !names.is_empty() {
            out.push(convert::update(names, UpdateOneof::BlockMeta(convert::block_meta(block))));
        }
    }

    fn emit_account(&self, slot: u64, write: &AccountWrite, out: &mut Vec<SubscribeUpdate>) {
        let names = self.filter.accounts(write);
        if names.is_empty() {
            return;
        }
        let info = convert::account_info(write, self.filter.data_slices.apply(&write.account.data));
        out.push(convert::update(names, UpdateOneof::Account(convert::account_update(slot, info))));
    }

    fn emit_transaction(&self, slot: u64, tx: &BlockTransaction, out: &mut Vec<SubscribeUpdate>) {
        let names = self.filter.transactions(tx);
        if !names.is_empty() {
            let info = convert::transaction_info(tx);
            out.push(convert::update(names, UpdateOneof::Transaction(convert::transaction_update(slot, info))));
        }
        let names = self.filter.transactions_status(tx);
        if !names.is_empty() {
            out.push(convert::update(names, UpdateOneof::TransactionStatus(convert::transaction_status(slot, tx))));
        }
    }
}

/// Each account's last write in the slot, in write order (what confirmed/finalized and replayed
/// banks carry).
fn last_writes(writes: &[AccountWrite]) -> Vec<&AccountWrite> {
    let mut last: HashMap<_, usize> = HashMap::with_capacity(writes.len());
    for (i, w) in writes.iter().enumerate() {
        last.insert(w.pubkey, i);
    }
    writes.iter().enumerate().filter(|(i, w)| last[&w.pubkey] == *i).map(|(_, w)| w).collect()
}
