//! Set-up transactions of the first slots: the market operator opens the markets, nodes and
//! pure stakers stake and enter the rewards, and some nodes register their hardware.

use nosana_layouts::enums::job_type;
use nosana_layouts::ids::NOS;
use nosana_layouts::instructions::nodes::NodeSpecs;
use nosana_reference::client::jobs::{self as cj, MarketParams};
use nosana_reference::client::{nodes, rewards, staking};

use crate::sim::{Action, Outcome, Setup, Simulation, Stage};
use crate::truth::{RewardEvent, RewardKind, StakeEvent, StakeKind};
use crate::world::{NodeState, StakerState};

/// Set-up attempts before a participant is left out.
const MAX_SETUP_FAILURES: u8 = 3;

impl Simulation {
    pub(crate) fn plan_open_market(&mut self, m: u16) {
        let market = &self.w.markets[m as usize];
        let params = MarketParams {
            job_expiration: market.spec.job_expiration,
            job_price: market.spec.price,
            job_timeout: market.spec.job_timeout,
            job_type: job_type::GPU,
            node_xnos_minimum: u128::from(market.spec.xnos_minimum_nos) * u128::from(NOS),
        };
        let admin = self.w.market_admin.clone();
        let ix = cj::open(&market.keys.market, &admin.key(), &market.access_key, &params);
        let signers = vec![market.kp.clone()];
        self.push(Stage::Setup, &admin.kp, signers, vec![ix], Action::OpenMarket { market: m });
    }

    pub(crate) fn plan_node_setup(&mut self, n: u32) {
        let node = &self.w.nodes[n as usize];
        let st = &self.w.stakers[node.staker as usize];
        let key = node.wallet.key();
        let mut ixs = vec![staking::stake(&key, st.amount, st.duration), rewards::enter(&key)];
        if self.truth.nodes[n as usize].registered {
            let spec = &self.offchain.nodes[n as usize];
            let specs = NodeSpecs {
                architecture_type: 0,
                country_code: spec.country_code,
                cpu: spec.cpu_cores,
                gpu: spec.gpu_count,
                memory: spec.ram_gb,
                iops: 1_000 + (n % 7) as u16 * 500,
                storage: spec.disk_gb.min(u32::from(u16::MAX)) as u16,
                endpoint: format!("{}.nos.ci", &spec.address[..12]),
                icon: String::new(),
                version: spec.node_version.clone(),
            };
            ixs.push(nodes::register(&key, &key, &specs));
        }
        let kp = node.wallet.kp.clone();
        self.push(Stage::Setup, &kp, vec![], ixs, Action::NodeSetup { node: n });
    }

    pub(crate) fn plan_staker_setup(&mut self, s: u32) {
        let st = &self.w.stakers[s as usize];
        let key = st.keys.wallet.wallet;
        let ixs = vec![staking::stake(&key, st.amount, st.duration), rewards::enter(&key)];
        let kp = st.kp.clone();
        self.push(Stage::Setup, &kp, vec![], ixs, Action::StakerSetup { staker: s });
    }

    pub(crate) fn apply_setup(&mut self, action: &Action, o: &Outcome<'_>) {
        let ok = o.tx.is_some();
        match action {
            Action::OpenMarket { market } => {
                if ok {
                    self.w.markets[*market as usize].open = true;
                    self.truth.markets[*market as usize].opened_at = Some(o.time);
                    self.refresh_arrivals();
                } else {
                    let m = &mut self.w.markets[*market as usize];
                    m.open_failures += 1;
                    if m.open_failures < MAX_SETUP_FAILURES {
                        self.bootstrap.push_back(Setup::Market(*market));
                    }
                }
            }
            Action::NodeSetup { node } => {
                let staker = self.w.nodes[*node as usize].staker;
                if !ok {
                    if self.setup_failed(staker) {
                        self.bootstrap.push_back(Setup::Node(*node));
                    }
                    return;
                }
                self.staker_entered(staker, o);
                self.w.nodes[*node as usize].state = NodeState::Idle;
                self.to_work.push_back(*node);
                self.schedule_offline(*node, o.time);
            }
            Action::StakerSetup { staker } => {
                if ok {
                    self.staker_entered(*staker, o);
                } else if self.setup_failed(*staker) {
                    self.bootstrap.push_back(Setup::Staker(*staker));
                }
            }
            _ => {}
        }
    }

    /// Counts a failed set-up; true while it should be retried.
    fn setup_failed(&mut self, staker: u32) -> bool {
        let st = &mut self.w.stakers[staker as usize];
        st.setup_failures += 1;
        st.setup_failures < MAX_SETUP_FAILURES
    }

    /// A stake + enter landed: record it and start the staker's life.
    fn staker_entered(&mut self, s: u32, o: &Outcome<'_>) {
        let st = &mut self.w.stakers[s as usize];
        st.state = StakerState::Active;
        let staked = o.deltas().get(&st.keys.stake_vault).copied().unwrap_or(0).max(0) as u64;
        let staker = st.keys.wallet.wallet;
        let duration = st.duration;
        self.truth.stake_events.push(StakeEvent {
            time: o.time,
            slot: o.slot,
            staker,
            kind: StakeKind::Stake,
            amount: staked,
            duration,
        });
        self.truth.reward_events.push(RewardEvent {
            time: o.time,
            slot: o.slot,
            staker,
            kind: RewardKind::Enter,
            amount: 0,
        });
        self.truth.totals.staked += staked;
        self.schedule_staker(s, o.time);
    }
}
