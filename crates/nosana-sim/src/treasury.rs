//! The treasury: AddFee pools that stream NOS into the rewards vault (opened funded for one
//! period, cranked regularly, rotated like mainnet's monthly pools), periodic buy-back-and-burn
//! with SPL `BurnChecked`, and `MintTo` top-ups of project payers (it holds the mint authority).

use nosana_chain::{Signer, derive_keypair};
use nosana_layouts::enums::claim_type;
use nosana_layouts::ids::{NOS, NOS_DECIMALS, NOS_MINT};
use nosana_layouts::pda;
use nosana_reference::client::{pools, spl};
use nosana_reference::{Bank, Pubkey};
use std::sync::Arc;

use crate::builders;
use crate::sim::{Action, Outcome, Setup, Simulation, Stage};
use crate::truth::{EmissionEvent, PoolTruth, SupplyEvent};
use crate::world::nos_units;

/// A reward pool.
#[derive(Clone, Debug)]
pub(crate) struct PoolSim {
    pub key: Pubkey,
    pub vault: Pubkey,
    pub emission: u64,
    pub start: i64,
    /// Its open landed.
    pub open: bool,
    /// A close is planned or done.
    pub closing: bool,
    /// Index into `Truth::pools` once open.
    pub truth: Option<u32>,
}

impl Simulation {
    /// Opens (and funds) the next pool, streaming from `start`.
    pub(crate) fn plan_open_pool(&mut self, start: i64, t: i64) {
        let p = &self.s.pools;
        let index = self.pools.len() as u32;
        let kp = Arc::new(derive_keypair(self.seed, &format!("pool/{index}")));
        let key = kp.pubkey();
        let vault = pda::pool_vault(&key).0;
        let funding = p.emission_per_second.saturating_mul((p.rotation_seconds + 2 * p.crank_interval_s) as u64);
        let treasury = self.w.treasury.clone();
        let ixs = vec![
            pools::open(
                &key,
                &treasury.key(),
                &self.w.singletons.rewards_vault,
                p.emission_per_second,
                start,
                claim_type::ADD_FEE,
                true,
            ),
            spl::transfer(&treasury.keys.ata, &vault, &treasury.key(), funding),
        ];
        self.pools.push(PoolSim {
            key,
            vault,
            emission: p.emission_per_second,
            start,
            open: false,
            closing: false,
            truth: None,
        });
        self.next_rotation = start + p.rotation_seconds;
        if self.next_crank == i64::MAX {
            self.next_crank = t + p.crank_interval_s;
        }
        self.push(Stage::Treasury, &treasury.kp, vec![kp], ixs, Action::OpenPool { pool: index });
    }

    /// Timers: pool cranks and rotation, burns, slashes.
    pub(crate) fn plan_treasury(&mut self, bank: &Bank, t: i64) {
        let treasury = self.w.treasury.clone();
        if t >= self.next_crank {
            for i in 0..self.pools.len() {
                let p = &self.pools[i];
                if p.open && !p.closing && t > p.start {
                    let ix = builders::claim_fee(&self.w.singletons, &p.key, &p.vault, &treasury.key());
                    self.push(Stage::Treasury, &treasury.kp, vec![], vec![ix], Action::Crank { pool: i as u32 });
                }
            }
            self.next_crank = t + self.s.pools.crank_interval_s;
        }
        if t >= self.next_rotation {
            let old: Vec<usize> =
                (0..self.pools.len()).filter(|&i| self.pools[i].open && !self.pools[i].closing).collect();
            self.plan_open_pool(self.next_rotation, t);
            for i in old {
                let p = &mut self.pools[i];
                p.closing = true;
                let ixs = vec![
                    builders::claim_fee(&self.w.singletons, &p.key, &p.vault, &treasury.key()),
                    pools::close(&p.key, &treasury.key(), &treasury.keys.ata),
                ];
                self.push(Stage::Treasury, &treasury.kp, vec![], ixs, Action::ClosePool { pool: i as u32 });
            }
        }
        if t >= self.next_burn {
            let tr = &self.s.treasury;
            let interval = (tr.burn_interval_hours * 3_600.0) as i64;
            let mean = tr.burn_nos_per_day * tr.burn_interval_hours / 24.0;
            let amount = nos_units(mean * self.rng.uniform(0.5, 1.5)).min(bank.token_balance(&treasury.keys.ata) / 10);
            if amount > 0 {
                let ix = spl::burn_checked(&treasury.keys.ata, &NOS_MINT, &treasury.key(), amount, NOS_DECIMALS);
                self.push(Stage::Treasury, &treasury.kp, vec![], vec![ix], Action::Burn);
            }
            while self.next_burn <= t {
                self.next_burn += interval.max(1);
            }
        }
        if t >= self.next_slash {
            self.plan_slash(bank);
            self.schedule_next_slash(t);
        }
    }

    /// Mints a top-up to a payer running low.
    pub(crate) fn plan_mint(&mut self, payer: u32) {
        self.w.payers[payer as usize].topping_up = true;
        let amount = (self.s.projects.topup_nos * NOS as f64) as u64;
        let treasury = self.w.treasury.clone();
        let ata = self.w.payers[payer as usize].wallet.keys.ata;
        let ix = spl::mint_to(&NOS_MINT, &ata, &treasury.key(), amount);
        self.push(Stage::Treasury, &treasury.kp, vec![], vec![ix], Action::Mint { payer });
    }

    /// Records what pool `p` released in a successful transaction; `returned` is what a close in
    /// the same transaction sent back.
    pub(crate) fn record_emission(&mut self, p: u32, o: &Outcome<'_>, returned: u64) {
        let pool = &self.pools[p as usize];
        let out = (-o.deltas().get(&pool.vault).copied().unwrap_or(0)).max(0) as u64;
        let amount = out.saturating_sub(returned);
        if amount > 0 {
            self.truth.emissions.push(EmissionEvent { time: o.time, slot: o.slot, pool: pool.key, amount });
            self.truth.totals.emitted += amount;
        }
    }

    pub(crate) fn apply_treasury(&mut self, action: &Action, o: &Outcome<'_>) {
        let ok = o.tx.is_some();
        let treasury_ata = self.w.treasury.keys.ata;
        match action {
            Action::OpenPool { pool } => {
                if !ok {
                    if self.truth.pools.is_empty() && !self.pools.iter().any(|p| p.open) {
                        self.bootstrap.push_front(Setup::Pool);
                    } else {
                        self.next_rotation = self.now;
                    }
                    self.pools[*pool as usize].closing = true;
                    return;
                }
                let p = &mut self.pools[*pool as usize];
                p.open = true;
                let funded = o.deltas().get(&p.vault).copied().unwrap_or(0).max(0) as u64;
                p.truth = Some(self.truth.pools.len() as u32);
                self.truth.pools.push(PoolTruth {
                    address: p.key,
                    emission: p.emission,
                    start_time: p.start,
                    funded,
                    opened_at: o.time,
                    closed_at: None,
                    returned: 0,
                });
            }
            Action::ClosePool { pool } => {
                if !ok {
                    self.pools[*pool as usize].closing = false;
                    return;
                }
                let returned = o.deltas().get(&treasury_ata).copied().unwrap_or(0).max(0) as u64;
                self.record_emission(*pool, o, returned);
                let p = &mut self.pools[*pool as usize];
                p.open = false;
                if let Some(i) = p.truth {
                    let pt = &mut self.truth.pools[i as usize];
                    pt.closed_at = Some(o.time);
                    pt.returned = returned;
                }
            }
            Action::Crank { pool } if ok => self.record_emission(*pool, o, 0),
            Action::Burn if ok => {
                let amount = (-o.deltas().get(&treasury_ata).copied().unwrap_or(0)).max(0) as u64;
                self.truth.burns.push(SupplyEvent { time: o.time, slot: o.slot, account: treasury_ata, amount });
                self.truth.totals.burned += amount;
            }
            Action::Mint { payer } => {
                let ata = self.w.payers[*payer as usize].wallet.keys.ata;
                self.w.payers[*payer as usize].topping_up = false;
                if ok {
                    let amount = o.deltas().get(&ata).copied().unwrap_or(0).max(0) as u64;
                    self.truth.mints.push(SupplyEvent { time: o.time, slot: o.slot, account: ata, amount });
                    self.truth.totals.minted += amount;
                }
            }
            _ => {}
        }
    }
}
