//! The market's FIFO queue of job addresses or node wallets (spec §2.3).

use nosana_layouts::accounts::MarketAccount;
use nosana_layouts::enums::{job_type, queue_type};
use nosana_layouts::errors::jobs as je;
use solana_pubkey::Pubkey;

use crate::error::{ProgramError, ProgramResult};

/// The queue type as `QueueType::from(u8)` reads it: anything unknown is `Empty`.
pub fn kind(market: &MarketAccount) -> u8 {
    queue_type::normalise(market.queue_type)
}

/// `add_to_queue`: appends `key`, turning an empty queue into a `kind` queue. Markets of
/// `JobType::Unknown` queue nothing.
pub fn push(market: &mut MarketAccount, key: Pubkey, kind: u8) {
    if market.job_type == job_type::UNKNOWN {
        return;
    }
    if self::kind(market) == queue_type::EMPTY {
        market.queue_type = kind;
    }
    market.queue.push(key);
}

/// `pop_from_queue`: takes the first entry.
pub fn pop(market: &mut MarketAccount) -> ProgramResult<Pubkey> {
    if market.queue.is_empty() {
        return Err(ProgramError::anchor_on(je::MARKET_IN_WRONG_STATE, "market"));
    }
    let first = market.queue.remove(0);
    mark_empty(market);
    Ok(first)
}

/// `remove_from_queue`: takes `key` out wherever it is.
pub fn remove(market: &mut MarketAccount, key: &Pubkey) -> ProgramResult {
    let index = market.queue.iter().position(|k| k == key).ok_or(ProgramError::anchor(je::NOT_IN_MARKET_QUEUE))?;
    market.queue.remove(index);
    mark_empty(market);
    Ok(())
}

pub fn contains(market: &MarketAccount, key: &Pubkey) -> bool {
    market.queue.contains(key)
}

fn mark_empty(market: &mut MarketAccount) {
    if market.queue.is_empty() {
        market.queue_type = queue_type::EMPTY;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market(job_type: u8) -> MarketAccount {
        MarketAccount {
            authority: Pubkey::new_unique(),
            job_expiration: 0,
            job_price: 0,
            job_timeout: 0,
            job_type,
            vault: Pubkey::new_unique(),
            vault_bump: 255,
            node_access_key: Pubkey::default(),
            node_xnos_minimum: 0,
            queue_type: queue_type::EMPTY,
            queue: vec![],
        }
    }

    #[test]
    fn the_queue_is_first_in_first_out_and_empties_to_255() {
        let mut m = market(job_type::GPU);
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        push(&mut m, a, queue_type::NODE);
        push(&mut m, b, queue_type::JOB);
        assert_eq!(m.queue_type, queue_type::NODE, "the first push decides the type");
        assert_eq!(pop(&mut m).unwrap(), a);
        assert_eq!(m.queue_type, queue_type::NODE);
        assert_eq!(pop(&mut m).unwrap(), b);
        assert_eq!(m.queue_type, queue_type::EMPTY);
    }

    #[test]
    fn an_unknown_job_type_market_queues_nothing() {
        let mut m = market(job_type::UNKNOWN);
        push(&mut m, Pubkey::new_unique(), queue_type::JOB);
        assert!(m.queue.is_empty());
        assert_eq!(m.queue_type, queue_type::EMPTY);
    }

    #[test]
    fn removing_an_absent_key_is_not_in_market_queue() {
        let mut m = market(job_type::GPU);
        let err = remove(&mut m, &Pubkey::new_unique()).unwrap_err();
        assert_eq!(err.name(), "NotInMarketQueue");
    }

    #[test]
    fn popping_an_empty_queue_fails_instead_of_panicking() {
        let mut m = market(job_type::GPU);
        m.queue_type = queue_type::NODE;
        assert_eq!(pop(&mut m).unwrap_err().name(), "MarketInWrongState");
    }
}
