//! Node eligibility for `work` and `claim` (spec §2.3): a stake at the node's stake PDA with
//! enough xNOS and, on gated markets, an access NFT of the market's verified collection.

use nosana_layouts::accounts::{MarketAccount, StakeAccount};
use nosana_layouts::errors::{common, jobs as je};
use nosana_layouts::ids;
use nosana_layouts::pda;
use nosana_layouts::spl::NftMetadata;
use solana_pubkey::Pubkey;

use crate::anchor::{self, constraint};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// The node's `stake`, `nft` and `metadata` slots.
pub struct NodeSlots {
    pub authority: Pubkey,
    pub stake: Pubkey,
    pub nft: Pubkey,
    pub metadata: Pubkey,
}

/// Checks that `slots.authority` may work in `market`.
pub fn check(ctx: &InvokeContext<'_>, market: &MarketAccount, slots: &NodeSlots) -> ProgramResult {
    let stake: StakeAccount = anchor::load_foreign(ctx, &slots.stake, &ids::STAKING_PROGRAM_ID, "stake")?;
    constraint(slots.stake == pda::stake(&slots.authority).0, je::NODE_STAKE_UNAUTHORIZED, "stake")?;
    constraint(stake.authority == slots.authority, common::UNAUTHORIZED, "stake")?;
    constraint(stake.xnos >= market.node_xnos_minimum, je::NODE_NOT_ENOUGH_STAKE, "stake")?;
    if market.node_access_key == ids::SYSTEM_PROGRAM_ID {
        return Ok(());
    }
    let nft = anchor::token_account(ctx, &slots.nft, "nft")?;
    constraint(nft.owner == slots.authority, je::NODE_NFT_WRONG_OWNER, "nft")?;
    constraint(nft.amount >= 1, je::NODE_NFT_INVALID_AMOUNT, "nft")?;
    constraint(slots.metadata == pda::metadata(&nft.mint).0, je::NODE_NFT_WRONG_METADATA, "metadata")?;
    let account = ctx.account(&slots.metadata)?;
    let metadata =
        (account.owner == ids::METADATA_PROGRAM_ID).then(|| NftMetadata::unpack(&account.data).ok()).flatten();
    let verified =
        metadata.and_then(|m| m.collection).is_some_and(|(verified, key)| verified && key == market.node_access_key);
    constraint(verified, je::NODE_KEY_INVALID_COLLECTION, "metadata")
}
