//! The programs' integer math, exactly as the on-chain code evaluates it. `None` means the
//! on-chain computation would overflow (a failed transaction there).

use crate::accounts::{PoolAccount, ReflectionAccount, RewardAccount};

/// 14 days.
pub const DURATION_MIN: u64 = 1_209_600;
/// 365 days.
pub const DURATION_MAX: u64 = 31_536_000;
pub const STAKE_MINIMUM: u64 = 0;
pub const XNOS_PRECISION: u128 = 1_000_000_000_000_000;
/// `4 * DURATION_MAX / 12`: one month adds 0.25 to the multiplier.
pub const XNOS_DIV: u128 = 10_512_000;

/// `(u128::MAX - u128::MAX % 1e14) / 1e14`.
pub const INITIAL_RATE: u128 = 3_402_823_669_209_384_634_633_746;

/// xNOS of an active stake: `amount * (1 + duration / 10_512_000)` in integer steps.
pub fn xnos(amount: u64, duration: u64) -> u128 {
    (duration as u128 * XNOS_PRECISION / XNOS_DIV + XNOS_PRECISION) * amount as u128 / XNOS_PRECISION
}

/// xNOS as `update_xnos` stores it: zero once unstaked.
pub fn stake_xnos(amount: u64, duration: u64, time_unstake: i64) -> u128 {
    if time_unstake != 0 { 0 } else { xnos(amount, duration) }
}

/// Tokens `withdraw` releases `elapsed` seconds after unstaking: linear over `duration`.
/// `amount` is the staked amount, `balance` what the vault still holds.
pub fn withdraw_amount(amount: u64, duration: u64, balance: u64, elapsed: u64) -> Option<u64> {
    if elapsed >= duration {
        return Some(balance);
    }
    let precision = (u64::MAX / amount.max(elapsed).max(1)).checked_sub(1)?;
    elapsed
        .checked_mul(precision)?
        .checked_div(duration)?
        .checked_mul(amount)?
        .checked_div(precision)?
        .checked_sub(amount.checked_sub(balance)?)
}

/// Deposit a job locks: `price * timeout`.
pub fn job_deposit(price: u64, timeout: i64) -> Option<u64> {
    price.checked_mul(u64::try_from(timeout).ok()?)
}

/// What the node earns: `price * min(time_end - time_start, timeout)`.
pub fn job_reimbursement(price: u64, time_start: i64, time_end: i64, timeout: i64) -> Option<u64> {
    let elapsed = time_end.checked_sub(time_start)?.min(timeout).max(0);
    price.checked_mul(u64::try_from(elapsed).ok()?)
}

/// Network fee on a deposit: `deposit / fraction`, zero when the fraction is zero.
pub fn network_fee(deposit: u64, fee_fraction: u64) -> u64 {
    deposit.checked_div(fee_fraction).unwrap_or(0)
}

/// `add_rewards_account`: enters `xnos` (plus compounded `reward_xnos`) at the current rate.
pub fn add_rewards_account(r: &mut ReflectionAccount, xnos: u128, reward_xnos: u128) -> Option<u128> {
    let reflection = xnos.checked_add(reward_xnos)?.checked_mul(r.rate)?;
    r.total_reflection = r.total_reflection.checked_add(reflection)?;
    r.total_xnos = r.total_xnos.checked_add(xnos)?;
    Some(reflection)
}

/// `remove_rewards_account`.
pub fn remove_rewards_account(r: &mut ReflectionAccount, reflection: u128, xnos: u128) -> Option<()> {
    r.total_xnos = r.total_xnos.checked_sub(xnos)?;
    r.total_reflection = r.total_reflection.checked_sub(reflection)?;
    Some(())
}

/// `add_fee`: the fee joins `total_xnos`, which lowers the rate and so raises every entry's due.
pub fn add_fee(r: &mut ReflectionAccount, fee: u128) -> Option<()> {
    r.total_xnos = r.total_xnos.checked_add(fee)?;
    r.rate = r.total_reflection.checked_div(r.total_xnos)?;
    Some(())
}

/// Unclaimed reward of an entry: `reflection / rate - xnos`.
pub fn pending_reward(reward: &RewardAccount, rate: u128) -> Option<u128> {
    reward.reflection.checked_div(rate)?.checked_sub(reward.xnos)
}

/// What a pool may release now: `min((now - start) * emission - claimed, vault)`.
pub fn pool_claimable(pool: &PoolAccount, now: i64, vault_amount: u64) -> Option<u64> {
    let elapsed = u64::try_from(now.checked_sub(pool.start_time)?).ok()?;
    let released = elapsed.checked_mul(pool.emission)?;
    Some(released.checked_sub(pool.claimed_tokens)?.min(vault_amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_long_stake_is_worth_four_times_its_amount() {
        assert_eq!(xnos(1_000, DURATION_MAX), 4_000);
    }

    #[test]
    fn the_initial_rate_is_the_largest_multiple_of_1e14_in_u128_divided_by_1e14() {
        assert_eq!(INITIAL_RATE, (u128::MAX - u128::MAX % 100_000_000_000_000) / 100_000_000_000_000);
    }

    #[test]
    fn withdraw_releases_linearly_then_everything() {
        let d = DURATION_MIN;
        assert_eq!(withdraw_amount(1_000_000, d, 1_000_000, 0), Some(0));
        let half = withdraw_amount(1_000_000, d, 1_000_000, d / 2).unwrap();
        assert!((499_999..=500_000).contains(&half), "{half}");
        // After taking the first half, the second half comes out at the end.
        assert_eq!(withdraw_amount(1_000_000, d, 1_000_000 - half, d), Some(1_000_000 - half));
    }

    #[test]
    fn a_job_pays_for_at_most_its_timeout() {
        assert_eq!(job_reimbursement(43, 100, 100 + 10_000, 7_200), Some(43 * 7_200));
        assert_eq!(job_reimbursement(43, 100, 160, 7_200), Some(43 * 60));
    }

    #[test]
    fn the_fee_is_zero_when_the_fraction_is_zero() {
        assert_eq!(network_fee(1_000, 0), 0);
        assert_eq!(network_fee(1_000, 10), 100);
    }
}
