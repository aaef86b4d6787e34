//! The block producer: signs requested transactions, executes them on the bank in order and
//! assembles the block with its account writes.

use std::collections::BTreeMap;

use nosana_layouts::ids::SYSTEM_PROGRAM_ID;
use nosana_reference::{Account, Bank, Message, TransactionError};
use sha2::{Digest, Sha256};
use solana_pubkey::Pubkey;

use crate::block::{AccountWrite, Block, BlockTransaction, Hash};
use crate::keys::{Keypair, Signature, Signer};
use crate::request::TxRequest;
use crate::{signing, wire};

/// A request the producer could not include, with why.
pub type Rejected = (usize, TransactionError);

/// The last block produced on the canonical chain, and the global account write counter.
#[derive(Clone, Copy, Debug)]
struct Head {
    slot: u64,
    blockhash: Hash,
    block_height: u64,
    write_version: u64,
}

/// The chain's head and the bank behind it.
pub struct Chain {
    bank: Bank,
    head: Head,
}

impl Chain {
    /// A chain whose genesis is `bank` at `genesis_slot`.
    pub fn new(bank: Bank, genesis_slot: u64) -> Self {
        let blockhash: Hash = Sha256::digest(format!("depinscore genesis {genesis_slot}").as_bytes()).into();
        Chain { bank, head: Head { slot: genesis_slot, blockhash, block_height: 0, write_version: 0 } }
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub fn last_slot(&self) -> u64 {
        self.head.slot
    }

    pub fn last_blockhash(&self) -> Hash {
        self.head.blockhash
    }

    pub fn block_height(&self) -> u64 {
        self.head.block_height
    }

    /// Produces the block of `slot` (after the last one; slots in between are skipped) with
    /// block time `unix_time`, and makes it the head.
    pub fn produce(&mut self, slot: u64, unix_time: i64, requests: &[TxRequest]) -> (Block, Vec<Rejected>) {
        let (block, rejected) = build(&mut self.bank, &mut self.head, slot, unix_time, requests, false);
        self.head.slot = block.slot;
        self.head.blockhash = block.blockhash;
        self.head.block_height = block.block_height;
        (block, rejected)
    }

    /// Produces a block of `slot` on a fork that will die: executed on a copy of the bank, its
    /// effects are dropped and the head does not move.
    pub fn produce_dead(&mut self, slot: u64, unix_time: i64, requests: &[TxRequest]) -> (Block, Vec<Rejected>) {
        let mut fork = self.bank.clone();
        build(&mut fork, &mut self.head, slot, unix_time, requests, true)
    }
}

fn build(
    bank: &mut Bank,
    head: &mut Head,
    slot: u64,
    unix_time: i64,
    requests: &[TxRequest],
    dead: bool,
) -> (Block, Vec<Rejected>) {
    {
        bank.clock.slot = slot;
        bank.clock.unix_timestamp = unix_time;
        let mut transactions = Vec::with_capacity(requests.len());
        let mut account_writes = Vec::new();
        let mut rejected = Vec::new();
        let mut hasher = Sha256::new();
        hasher.update(head.blockhash);
        hasher.update(slot.to_le_bytes());
        hasher.update([dead as u8]);
        for (i, signed) in sign_all(requests, head.blockhash).into_iter().enumerate() {
            let (tx, message) = match signed {
                Ok(signed) => signed,
                Err(e) => {
                    rejected.push((i, e));
                    continue;
                }
            };
            // Agave (since 3.1, anza-xyz/agave#9666) notifies a closed account with its last
            // owner and data and zero lamports, so owner-filtered subscribers see closures.
            let before: Vec<(Pubkey, Account)> = message
                .account_keys
                .iter()
                .enumerate()
                .filter(|(k, _)| message.is_writable(*k))
                .filter_map(|(_, key)| {
                    bank.get(key).filter(|a| a.owner != SYSTEM_PROGRAM_ID).map(|a| (*key, a.clone()))
                })
                .collect();
            let executed = match bank.execute(&message) {
                Ok(executed) => executed,
                Err(e) => {
                    rejected.push((i, e));
                    continue;
                }
            };
            hasher.update(tx.signatures[0]);
            let signature = Some(tx.signatures[0]);
            let written: Vec<usize> = if executed.meta.status.is_ok() {
                (0..message.account_keys.len()).filter(|&k| message.is_writable(k)).collect()
            } else {
                vec![0]
            };
            for k in written {
                let pubkey = message.account_keys[k];
                head.write_version += 1;
                account_writes.push(AccountWrite {
                    pubkey,
                    account: match bank.get(&pubkey) {
                        Some(account) => account.clone(),
                        None => before
                            .iter()
                            .find(|(key, _)| *key == pubkey)
                            .map(|(_, last)| Account { lamports: 0, ..last.clone() })
                            .unwrap_or_else(closed_account),
                    },
                    write_version: head.write_version,
                    txn_signature: signature,
                });
            }
            transactions.push(BlockTransaction {
                index: transactions.len() as u32,
                request: i,
                meta: executed.meta,
                ..tx
            });
        }
        let block = Block {
            slot,
            parent_slot: head.slot,
            blockhash: hasher.finalize().into(),
            parent_blockhash: head.blockhash,
            block_height: head.block_height + 1,
            block_time: unix_time,
            transactions,
            account_writes,
            dead,
        };
        (block, rejected)
    }
}

/// What a closed account looks like in an account write: no lamports, no data, system-owned.
fn closed_account() -> Account {
    Account::default()
}

/// Requests a signing thread takes at least: below this, a thread costs more than it saves.
const SIGNING_CHUNK_MIN: usize = 16;

/// Signs every request, in their order. Signatures depend only on the request and the parent
/// blockhash, not on execution, so a block's are made on every core at once before its
/// transactions execute one by one.
fn sign_all(requests: &[TxRequest], blockhash: Hash) -> Vec<Result<(BlockTransaction, Message), TransactionError>> {
    let threads = cores().min(requests.len() / SIGNING_CHUNK_MIN).max(1);
    if threads == 1 {
        return sign_chunk(requests, blockhash);
    }
    let chunk = requests.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> =
            requests[chunk..].chunks(chunk).map(|part| scope.spawn(move || sign_chunk(part, blockhash))).collect();
        let mut signed = sign_chunk(&requests[..chunk], blockhash);
        for worker in workers {
            signed.extend(worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        signed
    })
}

/// The cores this process may use, asked once: `available_parallelism` reads the cgroup's
/// quota files on every call (1.5 % of the node's samples when asked once a block).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A request compiled and serialised, with its signers' keys in the message's order.
struct Prepared<'a> {
    message: Message,
    bytes: Vec<u8>,
    signers: Vec<&'a Keypair>,
}

/// Compiles, serialises and signs requests (all their signatures in one batch). The returned
/// transactions' meta is a placeholder until they execute.
fn sign_chunk(requests: &[TxRequest], blockhash: Hash) -> Vec<Result<(BlockTransaction, Message), TransactionError>> {
    let prepared: Vec<_> = requests.iter().map(|r| prepare(r, blockhash)).collect();
    let signatures = {
        let jobs: Vec<(&Keypair, &[u8])> =
            prepared.iter().flatten().flat_map(|p| p.signers.iter().map(|k| (*k, p.bytes.as_slice()))).collect();
        signing::sign_many(&jobs)
    };
    let mut signatures = signatures.into_iter();
    prepared
        .into_iter()
        .zip(requests)
        .map(|(prepared, request)| {
            let p = prepared?;
            let signatures: Vec<Signature> = signatures.by_ref().take(p.signers.len()).collect();
            let raw: Vec<[u8; 64]> = signatures.iter().map(|s| <[u8; 64]>::from(*s)).collect();
            let tx = BlockTransaction {
                index: 0,
                request: 0,
                signatures,
                version: request.version,
                message: p.message.clone(),
                wire: wire::transaction_bytes(&raw, &p.bytes),
                meta: empty_meta(),
            };
            Ok((tx, p.message))
        })
        .collect()
}

/// Compiles and serialises a request and finds the key of each of its message's signers.
fn prepare(request: &TxRequest, blockhash: Hash) -> Result<Prepared<'_>, TransactionError> {
    let payer = request.payer.pubkey();
    let message =
        Message::compile(&payer, &request.instructions, blockhash).map_err(|_| TransactionError::SanitizeFailure)?;
    let mut keypairs: BTreeMap<Pubkey, &Keypair> = BTreeMap::new();
    keypairs.insert(payer, &*request.payer);
    for k in &request.signers {
        keypairs.insert(k.pubkey(), &**k);
    }
    let bytes = wire::message_bytes(&message, request.version);
    let signers = message
        .signers()
        .iter()
        .map(|key| keypairs.get(key).copied())
        .collect::<Option<Vec<_>>>()
        .ok_or(TransactionError::SanitizeFailure)?;
    Ok(Prepared { message, bytes, signers })
}

fn empty_meta() -> nosana_reference::TransactionMeta {
    nosana_reference::TransactionMeta {
        status: Ok(()),
        fee: 0,
        pre_balances: vec![],
        post_balances: vec![],
        inner_instructions: vec![],
        log_messages: vec![],
        pre_token_balances: vec![],
        post_token_balances: vec![],
        compute_units_consumed: 0,
    }
}
