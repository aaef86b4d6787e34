//! Turns the interleaved stream of one subscription into whole slots, released strictly along
//! the parent chain once each is sealed and has reached the commitment.
//!
//! - A slot is *sealed* when its BlockMeta has arrived and, when the subscription receives every
//!   transaction of a block (`count_gate`), the number of transactions equals
//!   `executed_transaction_count`. The per-bank ordering of the Geyser stream (content, Block,
//!   BlockMeta, statuses) means a filtered stream is complete at BlockMeta too.
//! - A sealed slot is *released* when its status reached the commitment and its parent is the
//!   last released slot. Dead slots are dropped with a tombstone so late messages are ignored.
//! - Anything at or below the last released slot is a replay and is ignored (the stream's
//!   `from_slot` replays may resend what was committed).
//! - When the lowest ready slot names a parent above the last released one that the stream
//!   never delivered, [`Sealer::gap`] reports the missing range; the indexer fills it through
//!   JSON-RPC and calls [`Sealer::resume_after`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use nosana_decode::{RawAccount, RawTransaction};
use nosana_layouts::Pubkey;

/// Commitment levels in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Commitment {
    Processed,
    Confirmed,
    Finalized,
}

/// A block's header facts from BlockMeta (or `getBlock`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    pub slot: u64,
    pub parent_slot: u64,
    pub block_time: i64,
    pub block_height: u64,
    pub blockhash: String,
    pub executed_transaction_count: u64,
}

/// A complete slot, ready to commit.
#[derive(Clone, Debug, PartialEq)]
pub struct SealedSlot {
    pub block: BlockInfo,
    /// In block order.
    pub transactions: Vec<RawTransaction>,
    /// The last write of each account in the slot, in write order.
    pub accounts: Vec<RawAccount>,
}

#[derive(Default)]
struct Pending {
    transactions: BTreeMap<u32, RawTransaction>,
    accounts: HashMap<Pubkey, RawAccount>,
    block: Option<BlockInfo>,
    status: Option<Commitment>,
}

/// The sealing state machine (no IO).
pub struct Sealer {
    commitment: Commitment,
    count_gate: bool,
    last_released: Option<u64>,
    pending: BTreeMap<u64, Pending>,
    dead: BTreeSet<u64>,
}

impl Sealer {
    /// `last_released`: the durable checkpoint, if any.
    pub fn new(commitment: Commitment, count_gate: bool, last_released: Option<u64>) -> Self {
        Self { commitment, count_gate, last_released, pending: BTreeMap::new(), dead: BTreeSet::new() }
    }

    pub fn last_released(&self) -> Option<u64> {
        self.last_released
    }

    /// Slots buffered and not yet released.
    pub fn pending_slots(&self) -> usize {
        self.pending.len()
    }

    fn stale(&self, slot: u64) -> bool {
        self.last_released.is_some_and(|l| slot <= l) || self.dead.contains(&slot)
    }

    fn entry(&mut self, slot: u64) -> Option<&mut Pending> {
        if self.stale(slot) {
            return None;
        }
        Some(self.pending.entry(slot).or_default())
    }

    pub fn on_transaction(&mut self, tx: RawTransaction) {
        let (slot, index) = (tx.slot, tx.index);
        if let Some(p) = self.entry(slot) {
            p.transactions.insert(index, tx);
        }
    }

    pub fn on_account(&mut self, account: RawAccount) {
        if let Some(p) = self.entry(account.slot) {
            match p.accounts.get(&account.pubkey) {
                Some(old) if old.write_version > account.write_version => {}
                _ => {
                    p.accounts.insert(account.pubkey, account);
                }
            }
        }
    }

    pub fn on_block(&mut self, block: BlockInfo) {
        if let Some(p) = self.entry(block.slot) {
            p.block = Some(block);
        }
    }

    /// A slot status. `Dead` is `None`.
    pub fn on_status(&mut self, slot: u64, status: Option<Commitment>) {
        match status {
            None => {
                self.pending.remove(&slot);
                if !self.stale(slot) {
                    self.dead.insert(slot);
                }
            }
            Some(s) => {
                if let Some(p) = self.entry(slot) {
                    p.status = p.status.max(Some(s));
                }
            }
        }
    }

    fn sealed(&self, p: &Pending) -> bool {
        match &p.block {
            None => false,
            Some(b) => !self.count_gate || p.transactions.len() as u64 == b.executed_transaction_count,
        }
    }

    fn ready(&self, p: &Pending) -> bool {
        self.sealed(p) && p.status.is_some_and(|s| s >= self.commitment)
    }

    /// Release every slot that can go, in chain order.
    pub fn release(&mut self) -> Vec<SealedSlot> {
        let mut out = Vec::new();
        while let Some((&slot, p)) = self.pending.iter().find(|(_, p)| self.ready(p)) {
            let parent = p.block.as_ref().map(|b| b.parent_slot).unwrap_or(0);
            let chains = match self.last_released {
                None => true,
                Some(last) => parent == last,
            };
            if !chains {
                break;
            }
            let p = self.pending.remove(&slot).unwrap_or_default();
            let Some(block) = p.block else { break };
            let mut accounts: Vec<RawAccount> = p.accounts.into_values().collect();
            accounts.sort_by_key(|a| (a.write_version, a.pubkey));
            out.push(SealedSlot { block, transactions: p.transactions.into_values().collect(), accounts });
            self.last_released = Some(slot);
            // Slots below the released one that never sealed are forks; drop them.
            let below: Vec<u64> = self.pending.range(..slot).map(|(s, _)| *s).collect();
            for s in below {
                self.pending.remove(&s);
            }
            self.dead = self.dead.split_off(&slot.saturating_sub(10_000));
        }
        out
    }

    /// The range `(last_released, parent]` missing below the lowest ready slot, when the stream
    /// cannot deliver it (its parent is neither pending nor dead).
    pub fn gap(&self) -> Option<(u64, u64)> {
        let last = self.last_released?;
        let (_, p) = self.pending.iter().find(|(_, p)| self.ready(p))?;
        let parent = p.block.as_ref()?.parent_slot;
        (parent > last && !self.pending.contains_key(&parent)).then_some((last + 1, parent))
    }

    /// After the gap was filled elsewhere: continue from `slot`.
    pub fn resume_after(&mut self, slot: u64) {
        self.last_released = Some(self.last_released.map_or(slot, |l| l.max(slot)));
        let stale: Vec<u64> = self.pending.range(..=slot).map(|(s, _)| *s).collect();
        for s in stale {
            self.pending.remove(&s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(slot: u64, index: u32) -> RawTransaction {
        RawTransaction {
            slot,
            index,
            block_time: 0,
            signature: [index as u8; 64],
            account_keys: vec![],
            num_required_signatures: 1,
            instructions: vec![],
            inner_instructions: vec![],
            pre_token_balances: vec![],
            post_token_balances: vec![],
            fee: 5000,
            compute_units: None,
            err: None,
        }
    }

    fn block(slot: u64, parent: u64, txs: u64) -> BlockInfo {
        BlockInfo {
            slot,
            parent_slot: parent,
            block_time: slot as i64,
            block_height: slot,
            blockhash: format!("h{slot}"),
            executed_transaction_count: txs,
        }
    }

    fn feed(s: &mut Sealer, slot: u64, parent: u64, txs: u32, status: Commitment) {
        for i in 0..txs {
            s.on_transaction(tx(slot, i));
        }
        s.on_block(block(slot, parent, txs as u64));
        s.on_status(slot, Some(status));
    }

    fn slots(out: &[SealedSlot]) -> Vec<u64> {
        out.iter().map(|s| s.block.slot).collect()
    }

    #[test]
    fn a_slot_is_released_only_when_sealed_and_confirmed() {
        let mut s = Sealer::new(Commitment::Confirmed, true, Some(9));
        s.on_transaction(tx(10, 0));
        s.on_block(block(10, 9, 2));
        s.on_status(10, Some(Commitment::Confirmed));
        assert!(s.release().is_empty(), "one of two transactions is missing");
        s.on_transaction(tx(10, 1));
        assert_eq!(slots(&s.release()), vec![10]);
        feed(&mut s, 11, 10, 1, Commitment::Processed);
        assert!(s.release().is_empty(), "processed is not confirmed");
        s.on_status(11, Some(Commitment::Confirmed));
        assert_eq!(slots(&s.release()), vec![11]);
    }

    #[test]
    fn slots_are_released_in_parent_order_across_skipped_slots() {
        let mut s = Sealer::new(Commitment::Confirmed, true, Some(1));
        feed(&mut s, 5, 2, 1, Commitment::Confirmed);
        assert!(s.release().is_empty());
        assert_eq!(s.gap(), Some((2, 2)), "the parent has not been seen");
        feed(&mut s, 2, 1, 3, Commitment::Confirmed);
        assert_eq!(slots(&s.release()), vec![2, 5]);
    }

    #[test]
    fn dead_slots_are_never_released_and_late_messages_for_them_are_ignored() {
        let mut s = Sealer::new(Commitment::Confirmed, true, Some(1));
        feed(&mut s, 2, 1, 1, Commitment::Processed);
        s.on_status(2, None);
        s.on_transaction(tx(2, 5));
        feed(&mut s, 3, 1, 1, Commitment::Confirmed);
        assert_eq!(slots(&s.release()), vec![3]);
        assert_eq!(s.pending_slots(), 0);
    }

    #[test]
    fn replays_of_released_slots_change_nothing() {
        let mut s = Sealer::new(Commitment::Confirmed, true, Some(1));
        feed(&mut s, 2, 1, 1, Commitment::Confirmed);
        assert_eq!(slots(&s.release()), vec![2]);
        feed(&mut s, 2, 1, 1, Commitment::Confirmed);
        feed(&mut s, 1, 0, 1, Commitment::Confirmed);
        assert!(s.release().is_empty());
        assert_eq!(s.pending_slots(), 0);
    }

    #[test]
    fn a_missing_parent_is_reported_as_a_gap_and_filling_it_resumes() {
        let mut s = Sealer::new(Commitment::Confirmed, true, Some(10));
        feed(&mut s, 20, 18, 1, Commitment::Confirmed);
        assert!(s.release().is_empty());
        assert_eq!(s.gap(), Some((11, 18)));
        s.resume_after(18);
        assert_eq!(slots(&s.release()), vec![20]);
    }

    #[test]
    fn the_newest_write_of_an_account_in_a_slot_wins() {
        let mut s = Sealer::new(Commitment::Confirmed, false, None);
        let key = Pubkey::new_from_array([7; 32]);
        for (wv, lamports) in [(3, 30), (1, 10), (2, 20)] {
            s.on_account(RawAccount {
                pubkey: key,
                owner: key,
                lamports,
                data: vec![],
                slot: 4,
                write_version: wv,
                txn_signature: None,
            });
        }
        feed(&mut s, 4, 3, 0, Commitment::Finalized);
        let out = s.release();
        assert_eq!(out[0].accounts.len(), 1);
        assert_eq!(out[0].accounts[0].lamports, 30);
    }
}
