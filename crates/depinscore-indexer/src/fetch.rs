//! Slots over JSON-RPC: gap filling and backfill. Blocks are fetched with bounded concurrency
//! and handed on in slot order; a block carries no account writes (use a snapshot for state).

use futures::StreamExt;

use crate::rpc::{RpcClient, RpcError};
use crate::sealer::{BlockInfo, SealedSlot};

/// Listed blocks per `getBlocks` call.
const LIST_CHUNK: u64 = 50_000;

/// Blocks with slot in `from..=to`, in order, through `sink`. Returns the last slot delivered.
pub async fn fetch_range<F, Fut>(
    rpc: &RpcClient,
    from: u64,
    to: u64,
    concurrency: usize,
    mut sink: F,
) -> Result<Option<u64>, RpcError>
where
    F: FnMut(SealedSlot) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut last = None;
    let mut start = from;
    while start <= to {
        let end = to.min(start.saturating_add(LIST_CHUNK - 1));
        let slots = rpc.blocks(start, end).await?;
        let mut blocks = futures::stream::iter(slots.into_iter().map(|s| {
            let rpc = rpc.clone();
            async move { rpc.block(s).await }
        }))
        .buffered(concurrency.max(1));
        while let Some(block) = blocks.next().await {
            let Some(block) = block? else { continue };
            crate::metrics::rpc_slots(1);
            let slot = block.slot;
            let mut transactions = block.transactions;
            for t in &mut transactions {
                t.block_time = block.block_time;
            }
            let sealed = SealedSlot {
                block: BlockInfo {
                    slot,
                    parent_slot: block.parent_slot,
                    block_time: block.block_time,
                    block_height: block.block_height,
                    blockhash: block.blockhash,
                    executed_transaction_count: transactions.len() as u64,
                },
                transactions,
                accounts: Vec::new(),
            };
            if !sink(sealed).await {
                return Ok(last);
            }
            last = Some(slot);
        }
        if end == u64::MAX {
            break;
        }
        start = end + 1;
    }
    Ok(last)
}
