//! Stakers over time: reward claims (with the pool crank the SDK prepends), top-ups and
//! extensions followed by a sync, permissionless syncs, unstaking (claim, close the reward,
//! unstake) with withdrawals over the release period, restakes, closes, and occasional slashes
//! by the staking settings authority.

use nosana_layouts::accounts::StakeAccount;
use nosana_layouts::math::DURATION_MAX;
use nosana_reference::client::{rewards, staking};
use nosana_reference::{Bank, Instruction};

use crate::builders;
use crate::sim::{Action, Event, Outcome, Simulation, Stage};
use crate::truth::{RewardEvent, RewardKind, StakeEvent, StakeKind};
use crate::world::StakerState;

const YEAR: f64 = 365.0 * 86_400.0;

/// A staker's transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StakeOp {
    Claim,
    Topup { amount: u64 },
    Extend { by: u64 },
    Sync,
    Unstake,
    Withdraw,
    Restake { amount: u64 },
    Close,
}

impl StakeOp {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            StakeOp::Claim => "reward_claim",
            StakeOp::Topup { .. } => "topup",
            StakeOp::Extend { .. } => "stake_extend",
            StakeOp::Sync => "sync",
            StakeOp::Unstake => "unstake",
            StakeOp::Withdraw => "withdraw",
            StakeOp::Restake { .. } => "restake",
            StakeOp::Close => "close_stake",
        }
    }
}

impl Simulation {
    /// Rates per second of an active staker's actions: claim, topup, extend, sync, unstake.
    fn staker_rates(&self, s: u32) -> [f64; 5] {
        let r = if self.w.stakers[s as usize].node.is_some() {
            let n = &self.s.nodes;
            [n.reward_claims_per_year, n.topups_per_year, n.extends_per_year, 0.0, 0.0]
        } else {
            let p = &self.s.stakers;
            [p.reward_claims_per_year, p.topups_per_year, p.extends_per_year, p.syncs_per_year, p.unstakes_per_year]
        };
        r.map(|x| x / YEAR)
    }

    /// Schedules the staker's next action after `t`.
    pub(crate) fn schedule_staker(&mut self, s: u32, t: i64) {
        let st = &self.w.stakers[s as usize];
        let epoch = st.epoch;
        let delay = match st.state {
            StakerState::Active => {
                let total: f64 = self.staker_rates(s).iter().sum();
                if total <= 0.0 {
                    return;
                }
                self.rng.exponential(1.0 / total)
            }
            StakerState::Unstaking => self.s.stakers.withdraw_interval_days * 86_400.0,
            StakerState::Setup | StakerState::Closed => return,
        };
        self.schedule(t + delay as i64 + 1, Event::StakerAct { staker: s, epoch });
    }

    /// The pool a claim cranks first, as the SDK does.
    fn crank_pool(&self) -> Option<u32> {
        self.pools.iter().rposition(|p| p.open && !p.closing).map(|i| i as u32)
    }

    pub(crate) fn staker_act(&mut self, bank: &Bank, s: u32, epoch: u32, t: i64) {
        let st = &self.w.stakers[s as usize];
        if st.epoch != epoch {
            return;
        }
        if st.busy {
            self.schedule(t + 60, Event::StakerAct { staker: s, epoch });
            return;
        }
        let keys = st.keys;
        let op = match st.state {
            StakerState::Active => {
                let rates = self.staker_rates(s);
                let cum = crate::rng::cumulative(rates);
                match self.rng.pick_cumulative(&cum) {
                    1 => {
                        let balance = bank.token_balance(&keys.wallet.ata);
                        let amount = ((st.amount as f64 * self.rng.uniform(0.05, 0.3)) as u64).min(balance);
                        if amount > 0 { StakeOp::Topup { amount } } else { StakeOp::Claim }
                    }
                    2 => {
                        let duration = bank.load::<StakeAccount>(&keys.stake).map_or(DURATION_MAX, |a| a.duration);
                        let room = DURATION_MAX.saturating_sub(duration);
                        let by = (self.rng.uniform(14.0, 90.0) * 86_400.0) as u64;
                        if room >= 86_400 { StakeOp::Extend { by: by.min(room) } } else { StakeOp::Claim }
                    }
                    3 => StakeOp::Sync,
                    4 => StakeOp::Unstake,
                    _ => StakeOp::Claim,
                }
            }
            StakerState::Unstaking => {
                let vault = bank.token_balance(&keys.stake_vault);
                let stake = bank.load::<StakeAccount>(&keys.stake);
                if vault > 0 && self.rng.chance(self.s.stakers.restake_probability) {
                    StakeOp::Restake { amount: vault }
                } else if vault > 0 {
                    StakeOp::Withdraw
                } else if stake.is_some_and(|a| a.time_unstake + a.duration as i64 + 1 < t) {
                    StakeOp::Close
                } else {
                    self.schedule_staker(s, t);
                    return;
                }
            }
            StakerState::Setup | StakerState::Closed => return,
        };
        let key = keys.wallet.wallet;
        let pool = matches!(op, StakeOp::Claim | StakeOp::Unstake).then(|| self.crank_pool()).flatten();
        let mut ixs: Vec<Instruction> = Vec::new();
        if let Some(p) = pool {
            let ps = &self.pools[p as usize];
            ixs.push(builders::claim_fee(&self.w.singletons, &ps.key, &ps.vault, &key));
        }
        match op {
            StakeOp::Claim => ixs.push(builders::reward_claim(&self.w.singletons, &keys)),
            StakeOp::Topup { amount } => ixs.extend([staking::topup(&key, amount), rewards::sync(&key)]),
            StakeOp::Extend { by } => ixs.extend([staking::extend(&key, by), rewards::sync(&key)]),
            StakeOp::Sync => ixs.push(rewards::sync(&key)),
            StakeOp::Unstake => ixs.extend([
                builders::reward_claim(&self.w.singletons, &keys),
                rewards::close(&key),
                staking::unstake(&key),
            ]),
            StakeOp::Withdraw => ixs.push(staking::withdraw(&key)),
            StakeOp::Restake { .. } => ixs.extend([staking::restake(&key), rewards::enter(&key)]),
            StakeOp::Close => ixs.push(staking::close(&key)),
        }
        let kp = self.w.stakers[s as usize].kp.clone();
        self.w.stakers[s as usize].busy = true;
        self.push(Stage::Staking, &kp, vec![], ixs, Action::Staking { staker: s, op, pool });
        if !matches!(op, StakeOp::Unstake | StakeOp::Restake { .. } | StakeOp::Close) {
            self.schedule_staker(s, t);
        }
    }

    pub(crate) fn schedule_next_slash(&mut self, t: i64) {
        let rate = self.s.stakers.slashes_per_year / YEAR;
        self.next_slash = if rate > 0.0 && self.s.stakers.count > 0 {
            t + self.rng.exponential(1.0 / rate) as i64 + 1
        } else {
            i64::MAX
        };
    }

    /// The settings authority slashes an active pure staker, then syncs its reward account.
    pub(crate) fn plan_slash(&mut self, bank: &Bank) {
        let first = self.w.nodes.len();
        let pure = self.w.stakers.len() - first;
        for _ in 0..10 {
            let s = (first + self.rng.below(pure as u64) as usize) as u32;
            let st = &self.w.stakers[s as usize];
            if st.state != StakerState::Active || st.busy {
                continue;
            }
            let Some(stake) = bank.load::<StakeAccount>(&st.keys.stake) else { continue };
            let amount = (stake.amount as f64 * self.s.stakers.slash_fraction) as u64;
            if amount == 0 {
                return;
            }
            let key = st.keys.wallet.wallet;
            let auth = self.w.slash_authority.clone();
            let ixs = vec![staking::slash(&auth.key(), &key, &auth.keys.ata, amount), rewards::sync(&key)];
            self.w.stakers[s as usize].busy = true;
            self.push(Stage::Staking, &auth.kp, vec![], ixs, Action::Slash { staker: s });
            return;
        }
    }

    pub(crate) fn apply_staking(&mut self, action: &Action, o: &Outcome<'_>) {
        let (s, op, pool) = match action {
            Action::Staking { staker, op, pool } => (*staker, Some(*op), *pool),
            Action::Slash { staker } => (*staker, None, None),
            _ => return,
        };
        self.w.stakers[s as usize].busy = false;
        if o.tx.is_none() {
            if matches!(op, Some(StakeOp::Unstake | StakeOp::Restake { .. } | StakeOp::Close)) {
                self.schedule_staker(s, o.time);
            }
            return;
        }
        if let Some(p) = pool {
            self.record_emission(p, o, 0);
        }
        let d = o.deltas();
        let keys = self.w.stakers[s as usize].keys;
        let staker = keys.wallet.wallet;
        let ata = d.get(&keys.wallet.ata).copied().unwrap_or(0);
        let vault = d.get(&keys.stake_vault).copied().unwrap_or(0);
        let (time, slot) = (o.time, o.slot);
        let mut stake = |kind: StakeKind, amount: u64, duration: u64| {
            self.truth.stake_events.push(StakeEvent { time, slot, staker, kind, amount, duration });
        };
        match op {
            None => stake(StakeKind::Slash, (-vault).max(0) as u64, 0),
            Some(StakeOp::Topup { .. }) => stake(StakeKind::Topup, vault.max(0) as u64, 0),
            Some(StakeOp::Extend { by }) => stake(StakeKind::Extend, 0, by),
            Some(StakeOp::Unstake) => stake(StakeKind::Unstake, 0, 0),
            Some(StakeOp::Withdraw) => stake(StakeKind::Withdraw, ata.max(0) as u64, 0),
            Some(StakeOp::Restake { amount }) => {
                let duration = self.w.stakers[s as usize].duration;
                stake(StakeKind::Restake, amount, duration)
            }
            Some(StakeOp::Close) => stake(StakeKind::Close, 0, 0),
            Some(StakeOp::Claim | StakeOp::Sync) => {}
        }
        let mut reward = |kind: RewardKind, amount: u64| {
            self.truth.reward_events.push(RewardEvent { time, slot, staker, kind, amount });
        };
        match op {
            Some(StakeOp::Claim) => reward(RewardKind::Claim, ata.max(0) as u64),
            Some(StakeOp::Unstake) => {
                reward(RewardKind::Claim, ata.max(0) as u64);
                reward(RewardKind::Close, 0);
            }
            Some(StakeOp::Restake { .. }) => reward(RewardKind::Enter, 0),
            None | Some(StakeOp::Topup { .. } | StakeOp::Extend { .. } | StakeOp::Sync) => reward(RewardKind::Sync, 0),
            Some(StakeOp::Withdraw | StakeOp::Close) => {}
        }
        let totals = &mut self.truth.totals;
        match op {
            None => totals.slashed += (-vault).max(0) as u64,
            Some(StakeOp::Topup { .. }) => totals.staked += vault.max(0) as u64,
            Some(StakeOp::Withdraw) => totals.withdrawn += ata.max(0) as u64,
            Some(StakeOp::Claim | StakeOp::Unstake) => totals.rewards_claimed += ata.max(0) as u64,
            _ => {}
        }
        let st = &mut self.w.stakers[s as usize];
        match op {
            Some(StakeOp::Extend { by }) => st.duration += by,
            Some(StakeOp::Unstake) => {
                st.state = StakerState::Unstaking;
                st.epoch += 1;
                self.schedule_staker(s, o.time);
            }
            Some(StakeOp::Restake { .. }) => {
                st.state = StakerState::Active;
                st.epoch += 1;
                self.schedule_staker(s, o.time);
            }
            Some(StakeOp::Close) => {
                st.state = StakerState::Closed;
                st.epoch += 1;
            }
            _ => {}
        }
    }
}
