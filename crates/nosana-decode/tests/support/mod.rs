//! Dev-only adapters from the reference chain's types to the decoder's neutral model, and a
//! driver that runs a simulated world through the block producer.

#![allow(dead_code)]

use nosana_chain::{AccountWrite, Block, BlockTransaction, Chain};
use nosana_decode::{RawAccount, RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction};
use nosana_reference::{CompiledInstruction, ExecutedTransaction, Message, TokenBalance, TransactionMeta};
use nosana_sim::{Scenario, Simulation};

fn instruction(ix: &CompiledInstruction, stack_height: Option<u32>) -> RawInstruction {
    RawInstruction {
        program_id_index: ix.program_id_index,
        accounts: ix.accounts.clone(),
        data: ix.data.clone(),
        stack_height,
    }
}

fn balance(b: &TokenBalance) -> RawTokenBalance {
    RawTokenBalance { account_index: b.account_index, mint: b.mint, owner: Some(b.owner), amount: b.amount }
}

/// A message and its meta as a [`RawTransaction`].
pub fn raw(
    message: &Message,
    meta: &TransactionMeta,
    slot: u64,
    index: u32,
    block_time: i64,
    signature: [u8; 64],
) -> RawTransaction {
    RawTransaction {
        slot,
        index,
        block_time,
        signature,
        account_keys: message.account_keys.clone(),
        num_required_signatures: message.header.num_required_signatures,
        instructions: message.instructions.iter().map(|ix| instruction(ix, Some(1))).collect(),
        inner_instructions: meta
            .inner_instructions
            .iter()
            .map(|g| RawInnerInstructions {
                index: g.index,
                instructions: g
                    .instructions
                    .iter()
                    .map(|i| instruction(&i.instruction, Some(i.stack_height)))
                    .collect(),
            })
            .collect(),
        pre_token_balances: meta.pre_token_balances.iter().map(balance).collect(),
        post_token_balances: meta.post_token_balances.iter().map(balance).collect(),
        fee: meta.fee,
        compute_units: Some(meta.compute_units_consumed),
        err: meta.status.as_ref().err().map(|e| e.to_string()),
    }
}

/// A transaction the bank executed outside a block (scripted tests), at `block_time`.
pub fn executed(tx: &ExecutedTransaction, block_time: i64) -> RawTransaction {
    raw(&tx.message, &tx.meta, 0, 0, block_time, [0; 64])
}

/// An included transaction of `block`.
pub fn from_block(block: &Block, tx: &BlockTransaction) -> RawTransaction {
    let signature = tx.signatures.first().map_or([0; 64], |s| <[u8; 64]>::from(*s));
    raw(&tx.message, &tx.meta, block.slot, tx.index, block.block_time, signature)
}

/// An account write of `block`.
pub fn write(slot: u64, w: &AccountWrite) -> RawAccount {
    RawAccount {
        pubkey: w.pubkey,
        owner: w.account.owner,
        lamports: w.account.lamports,
        data: w.account.data.clone(),
        slot,
        write_version: w.write_version,
        txn_signature: w.txn_signature.map(<[u8; 64]>::from),
    }
}

/// Strips stack heights, as sources from before they existed deliver inner instructions.
pub fn without_stack_heights(mut tx: RawTransaction) -> RawTransaction {
    for ix in tx.instructions.iter_mut().chain(tx.inner_instructions.iter_mut().flat_map(|g| g.instructions.iter_mut()))
    {
        ix.stack_height = None;
    }
    tx
}

/// Runs `scenario` with `seed` through [`Chain::produce`] for `slots` slots of `seconds`,
/// handing each block to `on_block` as it is produced; returns the simulation and the chain.
pub fn run(
    scenario: &Scenario,
    seed: u64,
    slots: u64,
    seconds: i64,
    mut on_block: impl FnMut(&Block),
) -> (Simulation, Chain) {
    let (mut sim, bank) = Simulation::new(scenario, seed).expect("scenario builds");
    let mut chain = Chain::new(bank, 0);
    let start = sim.start_time();
    for slot in 1..=slots {
        let time = start + slot as i64 * seconds;
        let requests = sim.plan_slot(chain.bank(), slot, time);
        let (block, rejected) = chain.produce(slot, time, &requests);
        sim.observe(&block, &rejected);
        on_block(&block);
    }
    (sim, chain)
}

pub mod build;
pub mod world;
