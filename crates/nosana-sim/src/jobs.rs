//! Jobs and the nodes that run them: project arrivals with daily and weekly seasonality,
//! listing, nodes joining queues or taking jobs, finishing, quitting and claiming, project-side
//! extend, end, delist and recover, and cleaning expired jobs. The market queues are mirrored
//! from successful transactions in execution order.

use std::sync::Arc;

use nosana_chain::{Keypair, Signer, derive_keypair};
use nosana_layouts::ids::NOS;
use nosana_reference::client::jobs as cj;
use nosana_reference::{Bank, Pubkey};

use crate::builders;
use crate::rng::mix64;
use crate::sim::{Action, Event, Outcome, Simulation, Stage};
use crate::truth::{JobOutcome, JobTruth};
use crate::world::NodeState;

/// Node queue length above which idle nodes wait off-chain (the on-chain queue holds 314).
const QUEUE_CAP: usize = 300;

/// Where a job is in its life, as the sim mirrors it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The `list` is in flight.
    Listing,
    Queued,
    Running {
        node: u32,
        run: Pubkey,
        run_payer: Pubkey,
        started: i64,
    },
    Stopped,
    Done {
        node: u32,
        result: bool,
    },
}

/// A job the sim still tracks (until it is closed on chain).
#[derive(Clone, Debug)]
pub(crate) struct JobSim {
    pub key: Pubkey,
    /// Index into `Truth::jobs` once listed.
    pub truth: u32,
    pub market: u16,
    pub project: u32,
    pub payer: u32,
    pub price: u64,
    pub timeout: i64,
    /// Seconds of work left for the next run.
    pub remaining: i64,
    pub phase: Phase,
    pub busy: bool,
    /// Bumped on every phase change; stale events are dropped.
    pub epoch: u32,
    pub patience: Option<i64>,
    pub end_frac: Option<f64>,
    /// The timeout the project extends to when the job would outrun its timeout.
    pub extend_to: Option<i64>,
    pub clean_tries: u8,
    pub clean_alone: bool,
    /// A node quit it: on chain it stays Stopped until finished, so it can no longer be extended.
    pub quit: bool,
}

/// A non-zero 32-byte digest standing in for an IPFS CID.
fn digest(tag: u64, id: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut x = mix64(tag ^ u64::from(id).rotate_left(17));
    for chunk in out.chunks_mut(8) {
        x = mix64(x);
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    out[0] |= 1;
    out
}

fn round_up(x: i64, step: i64) -> i64 {
    (x + step - 1).div_euclid(step) * step
}

impl Simulation {
    /// Seasonality factor at `t`: daily cosine and a weekend dip, normalised to a weekly mean of 1.
    fn season(&self, t: i64) -> f64 {
        let j = &self.s.jobs;
        let hour = t.rem_euclid(86_400) as f64 / 3_600.0;
        let dow = (t.div_euclid(86_400) + 4).rem_euclid(7); // 0 = Sunday
        let weekend = if dow == 0 || dow == 6 { j.weekend_factor } else { 1.0 };
        let daily = 1.0 + j.daily_amplitude * (std::f64::consts::TAU * (hour - j.peak_hour_utc) / 24.0).cos();
        daily * weekend / ((5.0 + 2.0 * j.weekend_factor) / 7.0)
    }

    /// `∫ season(t) dt` over `(from, to]`, in 15-minute steps.
    fn season_integral(&self, from: i64, to: i64) -> f64 {
        let (mut a, mut sum) = (from, 0.0);
        while a < to {
            let b = (a + 900).min(to);
            sum += self.season((a + b) / 2) * (b - a) as f64;
            a = b;
        }
        sum
    }

    /// Rebuilds the arrival weights over the markets that are open.
    pub(crate) fn refresh_arrivals(&mut self) {
        self.arrival_markets.clear();
        self.arrival_cumulative.clear();
        let mut sum = 0.0;
        for (i, m) in self.w.markets.iter().enumerate() {
            if m.open && m.rate_per_s > 0.0 {
                sum += m.rate_per_s;
                self.arrival_markets.push(i as u16);
                self.arrival_cumulative.push(sum);
            }
        }
    }

    pub(crate) fn plan_arrivals(&mut self, bank: &Bank, from: i64, to: i64) {
        let Some(&rate) = self.arrival_cumulative.last() else { return };
        if to <= from {
            return;
        }
        let n = self.rng.poisson(rate * self.season_integral(from, to));
        for _ in 0..n {
            let i = self.rng.pick_cumulative(&self.arrival_cumulative);
            let market = self.arrival_markets[i];
            self.plan_list(bank, market);
        }
    }

    fn plan_list(&mut self, bank: &Bank, market: u16) {
        let j = self.s.jobs.clone();
        let m = &self.w.markets[market as usize];
        let nodes_waiting = m.node_queue.len() as i64 - i64::from(m.pending_list);
        if nodes_waiting <= 0 && m.job_queue.len() + m.pending_list as usize >= j.max_queued_per_market as usize {
            self.truth.totals.arrivals_held_back += 1;
            return;
        }
        let (price, default_timeout, median, sigma) =
            (m.spec.price, m.spec.job_timeout, m.spec.duration_median_s, m.spec.duration_sigma);
        let project = self.rng.pick_cumulative(&self.w.project_cumulative) as u32;
        let duration = self.rng.lognormal(median, sigma).clamp(j.min_duration_s, j.max_duration_s).round() as i64;
        let mut timeout = if self.rng.chance(j.timeout_default_share) {
            default_timeout
        } else {
            round_up((duration as f64 * self.rng.uniform(j.timeout_slack_min, j.timeout_slack_max)) as i64, 600)
        };
        if self.rng.chance(j.underestimate_share) {
            timeout = round_up(((duration as f64) * self.rng.uniform(0.3, 0.9)) as i64, 60).max(60);
        }
        let extend_to =
            (duration > timeout && self.rng.chance(j.extend_probability)).then(|| round_up(duration * 23 / 20, 600));
        let patience = self
            .rng
            .chance(j.delist_share)
            .then(|| (self.rng.exponential(j.delist_patience_median_s / std::f64::consts::LN_2) as i64).max(1));
        let end_frac = self.rng.chance(j.end_share).then(|| self.rng.uniform(0.2, 0.9));

        let payer_index = self.w.projects[project as usize].payer;
        let deposit = price.saturating_mul(timeout as u64);
        let fee = deposit.checked_div(self.s.chain.fee_fraction).unwrap_or(0);
        let payer = &self.w.payers[payer_index as usize];
        let balance = bank.token_balance(&payer.wallet.keys.ata).saturating_sub(payer.slot_spend);
        let reserve = (self.s.projects.topup_below_nos * NOS as f64) as u64;
        if balance < deposit + fee + reserve && !payer.topping_up {
            self.plan_mint(payer_index);
        }
        if balance < deposit + fee {
            self.truth.totals.arrivals_held_back += 1;
            return;
        }
        self.w.payers[payer_index as usize].slot_spend += deposit + fee;
        self.touched_payers.push(payer_index);

        let id = self.next_job;
        self.next_job += 1;
        let job_kp = Arc::new(self.job_keys.take(id));
        let proj = &mut self.w.projects[project as usize];
        let run = match proj.spare_runs.pop() {
            Some(kp) => kp,
            None => {
                proj.runs += 1;
                Arc::new(derive_keypair(self.seed, &format!("project/{project}/run/{}", proj.runs)))
            }
        };
        let proj = &self.w.projects[project as usize];
        let payer = &self.w.payers[payer_index as usize].wallet;
        let m = &self.w.markets[market as usize];
        let ix = builders::list(
            &self.w.singletons,
            &job_kp.pubkey(),
            &m.keys,
            &run.pubkey(),
            &payer.keys,
            &proj.wallet.key(),
            digest(self.seed ^ 0x004A_4F42, id),
            timeout,
        );
        let mut signers = Vec::with_capacity(3);
        if proj.wallet.key() != payer.key() {
            signers.push(proj.wallet.kp.clone());
        }
        signers.push(job_kp.clone());
        signers.push(run.clone());
        let payer_kp = payer.kp.clone();
        self.w.markets[market as usize].pending_list += 1;
        self.touched_markets.push(market);
        self.jobs.insert(
            id,
            JobSim {
                key: job_kp.pubkey(),
                truth: u32::MAX,
                market,
                project,
                payer: payer_index,
                price,
                timeout,
                remaining: duration,
                phase: crate::jobs::Phase::Listing,
                busy: true,
                epoch: 0,
                patience,
                end_frac,
                extend_to,
                clean_tries: 0,
                clean_alone: false,
                quit: false,
            },
        );
        self.push(Stage::List, &payer_kp, signers, vec![ix], Action::List { job: id, run });
    }

    /// Idle nodes claim a stopped job of their market, or send `work`.
    pub(crate) fn plan_idle_nodes(&mut self, t: i64) {
        let mut later = Vec::new();
        while let Some(n) = self.to_work.pop_front() {
            let node = &self.w.nodes[n as usize];
            if node.state != NodeState::Idle || node.busy {
                continue;
            }
            let mi = node.market as usize;
            if !self.w.markets[mi].open {
                later.push(n);
                continue;
            }
            let stopped =
                self.w.markets[mi].stopped.iter().copied().find(|j| self.jobs.get(j).is_some_and(|j| !j.busy));
            let run = self.take_node_run(n);
            let node = &self.w.nodes[n as usize];
            let m = &self.w.markets[mi];
            let stake = self.w.stakers[node.staker as usize].keys.stake;
            if let Some(job) = stopped {
                let key = self.jobs[&job].key;
                let ix =
                    builders::claim(&key, &run.pubkey(), &m.keys, &node.wallet.key(), &stake, node.access.as_ref());
                let kp = node.wallet.kp.clone();
                self.w.nodes[n as usize].busy = true;
                if let Some(j) = self.jobs.get_mut(&job) {
                    j.busy = true;
                }
                self.push(Stage::Work, &kp, vec![run.clone()], vec![ix], Action::Claim { node: n, job, run });
                continue;
            }
            let queued_after = (m.node_queue.len() + m.pending_work as usize).saturating_sub(m.job_queue.len());
            if queued_after >= QUEUE_CAP {
                self.w.nodes[n as usize].spare_run = Some(run);
                self.w.nodes[n as usize].state = NodeState::Held;
                self.w.markets[mi].held.push_back(n);
                continue;
            }
            let ix = builders::work(&run.pubkey(), &m.keys, &node.wallet.key(), &stake, node.access.as_ref());
            let kp = node.wallet.kp.clone();
            self.w.nodes[n as usize].busy = true;
            self.w.markets[mi].pending_work += 1;
            self.touched_markets.push(mi as u16);
            self.push(Stage::Work, &kp, vec![run.clone()], vec![ix], Action::Work { node: n, run });
        }
        for n in later {
            self.schedule(t + 600, Event::NodeRetry { node: n });
        }
    }

    /// A run keypair for node `n`: the one its last `work` signed without using, or a fresh one.
    fn take_node_run(&mut self, n: u32) -> Arc<Keypair> {
        let node = &mut self.w.nodes[n as usize];
        match node.spare_run.take() {
            Some(kp) => kp,
            None => {
                node.runs += 1;
                Arc::new(derive_keypair(self.seed, &format!("node/{n}/run/{}", node.runs)))
            }
        }
    }

    pub(crate) fn node_retry(&mut self, n: u32) {
        let node = &self.w.nodes[n as usize];
        if node.state == NodeState::Idle && !node.busy {
            self.to_work.push_back(n);
        }
    }

    /// The node is done with a job: back to work, or offline if it wanted to leave.
    fn node_free(&mut self, n: u32, t: i64) {
        let node = &mut self.w.nodes[n as usize];
        if std::mem::take(&mut node.want_offline) {
            self.go_offline(n, t);
        } else {
            node.state = NodeState::Idle;
            self.to_work.push_back(n);
        }
    }

    fn go_offline(&mut self, n: u32, t: i64) {
        let node = &mut self.w.nodes[n as usize];
        node.state = NodeState::Offline;
        node.epoch += 1;
        let epoch = node.epoch;
        let hours = self.rng.exponential(1.0 / self.s.nodes.online_per_hour);
        self.schedule(t + (hours * 3_600.0) as i64 + 1, Event::NodeOnline { node: n, epoch });
    }

    /// Schedules the node's next offline spell.
    pub(crate) fn schedule_offline(&mut self, n: u32, t: i64) {
        if self.s.nodes.offline_per_hour <= 0.0 {
            return;
        }
        let epoch = self.w.nodes[n as usize].epoch;
        let hours = self.rng.exponential(1.0 / self.s.nodes.offline_per_hour);
        self.schedule(t + (hours * 3_600.0) as i64 + 1, Event::NodeOffline { node: n, epoch });
    }

    pub(crate) fn node_offline(&mut self, n: u32, epoch: u32, t: i64) {
        let node = &self.w.nodes[n as usize];
        if node.epoch != epoch {
            return;
        }
        if node.busy {
            self.schedule(t + 1, Event::NodeOffline { node: n, epoch });
            return;
        }
        match node.state {
            NodeState::Idle => self.go_offline(n, t),
            NodeState::Held => {
                let m = &mut self.w.markets[node.market as usize];
                m.held.retain(|&h| h != n);
                self.go_offline(n, t);
            }
            NodeState::Queued => {
                let m = &self.w.markets[node.market as usize];
                let ix = cj::stop(&m.keys.market, &node.wallet.key(), &node.wallet.key());
                let kp = node.wallet.kp.clone();
                self.w.nodes[n as usize].busy = true;
                self.push(Stage::Node, &kp, vec![], vec![ix], Action::Stop { node: n });
            }
            NodeState::Running(_) => self.w.nodes[n as usize].want_offline = true,
            NodeState::Setup | NodeState::Offline => {}
        }
    }

    pub(crate) fn node_online(&mut self, n: u32, epoch: u32, t: i64) {
        let node = &mut self.w.nodes[n as usize];
        if node.epoch != epoch || node.state != NodeState::Offline {
            return;
        }
        node.state = NodeState::Idle;
        node.epoch += 1;
        self.to_work.push_back(n);
        self.schedule_offline(n, t);
    }

    /// A node left the queue (a list took it, or it stopped): let a held node in.
    fn release_held(&mut self, market: u16) {
        if let Some(h) = self.w.markets[market as usize].held.pop_front() {
            self.w.nodes[h as usize].state = NodeState::Idle;
            self.to_work.push_back(h);
        }
    }

    /// Starts a run of `job` on `node` at `t` and schedules how it ends.
    fn start_run(&mut self, job: u32, node: u32, run: Pubkey, run_payer: Pubkey, t: i64) {
        let quit = self.rng.chance(self.s.nodes.quit_probability);
        let quit_frac = self.rng.uniform(0.1, 0.9);
        let Some(j) = self.jobs.get_mut(&job) else { return };
        j.phase = Phase::Running { node, run, run_payer, started: t };
        j.epoch += 1;
        let epoch = j.epoch;
        let run_len = if j.extend_to.is_some() { j.remaining } else { j.remaining.min(j.timeout) }.max(1);
        let extend = j.extend_to.filter(|&to| to > j.timeout && !j.quit).map(|_| t + (j.timeout / 2).clamp(1, run_len));
        let end_frac = j.end_frac;
        let tj = &mut self.truth.jobs[j.truth as usize];
        tj.nodes.push(node);
        tj.started_at = Some(t);
        tj.outcome = JobOutcome::Running;
        self.w.nodes[node as usize].state = NodeState::Running(job);
        if quit {
            self.schedule(t + ((run_len as f64 * quit_frac) as i64).max(1), Event::JobQuit { job, epoch });
        } else if let Some(f) = end_frac {
            self.schedule(t + ((run_len as f64 * f) as i64).max(1), Event::JobEnd { job, epoch });
        } else {
            self.schedule(t + run_len, Event::JobFinish { job, epoch });
        }
        if let Some(at) = extend {
            self.schedule(at, Event::JobExtend { job, epoch });
        }
    }

    pub(crate) fn job_event(&mut self, _bank: &Bank, event: Event, t: i64) {
        let (job, epoch) = match event {
            Event::JobFinish { job, epoch }
            | Event::JobQuit { job, epoch }
            | Event::JobEnd { job, epoch }
            | Event::JobExtend { job, epoch }
            | Event::JobDelist { job, epoch }
            | Event::JobRecover { job, epoch } => (job, Some(epoch)),
            Event::JobComplete { job } | Event::JobClean { job } => (job, None),
            _ => return,
        };
        let Some(j) = self.jobs.get(&job) else { return };
        if epoch.is_some_and(|g| g != j.epoch) {
            return;
        }
        if j.busy {
            self.schedule(t + 1, event);
            return;
        }
        let m = &self.w.markets[j.market as usize];
        let payer = &self.w.payers[j.payer as usize].wallet;
        let project = &self.w.projects[j.project as usize].wallet;
        let planned = match (event, j.phase) {
            (Event::JobFinish { .. }, Phase::Running { node, run, run_payer, .. }) => {
                let nw = &self.w.nodes[node as usize].wallet;
                let ix = builders::finish(
                    &j.key,
                    &run,
                    &m.keys,
                    &payer.keys,
                    &run_payer,
                    &nw.keys,
                    j.price,
                    digest(self.seed ^ 0x0052_4553, job),
                );
                Some((Stage::Node, nw.kp.clone(), vec![], ix, Action::Finish { job }))
            }
            (Event::JobQuit { .. }, Phase::Running { node, run, run_payer, .. }) => {
                let nw = &self.w.nodes[node as usize].wallet;
                let ix = cj::quit(&j.key, &run, &run_payer, &nw.key());
                Some((Stage::Node, nw.kp.clone(), vec![], ix, Action::Quit { job }))
            }
            (Event::JobEnd { .. }, Phase::Running { node, run, run_payer, .. }) => {
                let nw = &self.w.nodes[node as usize].wallet;
                let ix =
                    builders::end(&j.key, &m.keys, &run, &payer.keys, &run_payer, &nw.keys, &project.key(), j.price);
                Some((Stage::Project, project.kp.clone(), vec![], ix, Action::End { job }))
            }
            (Event::JobExtend { .. }, Phase::Running { .. } | Phase::Queued) => match j.extend_to {
                Some(to) if to > j.timeout && !j.quit => {
                    let ix = builders::extend(&self.w.singletons, &j.key, &m.keys, &payer.keys, &project.key(), to);
                    let signers = if project.key() == payer.key() { vec![] } else { vec![project.kp.clone()] };
                    Some((Stage::Project, payer.kp.clone(), signers, ix, Action::Extend { job, timeout: to }))
                }
                _ => None,
            },
            (Event::JobDelist { .. }, Phase::Queued) => {
                let ix = builders::delist(&j.key, &m.keys, &payer.keys, &project.key());
                Some((Stage::Project, project.kp.clone(), vec![], ix, Action::Delist { job }))
            }
            (Event::JobRecover { .. }, Phase::Stopped) => {
                let ix = builders::recover(&j.key, &m.keys, &payer.keys, &project.key());
                Some((Stage::Project, project.kp.clone(), vec![], ix, Action::Recover { job }))
            }
            (Event::JobComplete { .. }, Phase::Done { node, result: false }) => {
                let nw = &self.w.nodes[node as usize].wallet;
                let ix = cj::complete(&j.key, &nw.key(), digest(self.seed ^ 0x0052_4553, job));
                Some((Stage::Node, nw.kp.clone(), vec![], ix, Action::Complete { job }))
            }
            (Event::JobClean { .. }, Phase::Done { .. }) => {
                self.clean_ready.push(job);
                None
            }
            _ => None,
        };
        if let Some((stage, payer, signers, ix, action)) = planned {
            if let Some(j) = self.jobs.get_mut(&job) {
                j.busy = true;
            }
            self.push(stage, &payer, signers, vec![ix], action);
        }
    }

    /// Batches due cleans into `clean` transactions paid by the market operator.
    pub(crate) fn plan_cleans(&mut self) {
        if self.clean_ready.is_empty() {
            return;
        }
        let mut ready = std::mem::take(&mut self.clean_ready);
        ready.sort_unstable();
        ready.dedup();
        let (alone, batched): (Vec<u32>, Vec<u32>) =
            ready.into_iter().filter(|j| self.jobs.contains_key(j)).partition(|j| self.jobs[j].clean_alone);
        let batch = self.s.jobs.clean_batch as usize;
        let groups: Vec<Vec<u32>> =
            alone.into_iter().map(|j| vec![j]).chain(batched.chunks(batch).map(<[u32]>::to_vec)).collect();
        for group in groups {
            let ixs = group
                .iter()
                .map(|id| {
                    let j = &self.jobs[id];
                    cj::clean(
                        &j.key,
                        &self.w.markets[j.market as usize].keys.market,
                        &self.w.payers[j.payer as usize].wallet.key(),
                    )
                })
                .collect();
            for id in &group {
                if let Some(j) = self.jobs.get_mut(id) {
                    j.busy = true;
                }
            }
            let kp = self.w.market_admin.kp.clone();
            self.push(Stage::Project, &kp, vec![], ixs, Action::Clean { jobs: group });
        }
    }

    fn schedule_clean(&mut self, job: u32, t: i64) {
        let Some(j) = self.jobs.get(&job) else { return };
        let expiration = self.w.markets[j.market as usize].spec.job_expiration;
        self.schedule(t + expiration + self.s.jobs.clean_delay_s as i64 + 1, Event::JobClean { job });
    }

    /// Learns the outcome of a job or node transaction.
    pub(crate) fn apply_job(&mut self, action: &Action, o: &Outcome<'_>) {
        let ok = o.tx.is_some();
        let t = o.time;
        match action {
            Action::List { job, run } => self.apply_list(*job, run, o),
            Action::Work { node, run } => {
                let n = *node;
                self.w.nodes[n as usize].busy = false;
                let mi = self.w.nodes[n as usize].market as usize;
                if !ok {
                    self.w.nodes[n as usize].spare_run = Some(run.clone());
                    self.schedule(t + 600, Event::NodeRetry { node: n });
                    return;
                }
                let node_key = self.w.nodes[n as usize].wallet.key();
                if let Some(job) = self.w.markets[mi].job_queue.pop_front() {
                    self.start_run(job, n, run.pubkey(), node_key, t);
                } else {
                    self.w.markets[mi].node_queue.push_back(n);
                    let node = &mut self.w.nodes[n as usize];
                    node.state = NodeState::Queued;
                    node.spare_run = Some(run.clone());
                }
            }
            Action::Claim { node, job, run } => {
                let (n, id) = (*node, *job);
                self.w.nodes[n as usize].busy = false;
                if let Some(j) = self.jobs.get_mut(&id) {
                    j.busy = false;
                }
                if !ok {
                    self.w.nodes[n as usize].spare_run = Some(run.clone());
                    self.schedule(t + 600, Event::NodeRetry { node: n });
                    return;
                }
                let mi = self.w.nodes[n as usize].market as usize;
                self.w.markets[mi].stopped.retain(|&x| x != id);
                let node_key = self.w.nodes[n as usize].wallet.key();
                self.start_run(id, n, run.pubkey(), node_key, t);
            }
            Action::Finish { job } | Action::End { job } => {
                let id = *job;
                let Some(j) = self.jobs.get_mut(&id) else { return };
                j.busy = false;
                let Phase::Running { node, .. } = j.phase else { return };
                if !ok {
                    let epoch = j.epoch;
                    self.schedule(t + 60, Event::JobFinish { job: id, epoch });
                    return;
                }
                let finished = matches!(action, Action::Finish { .. });
                j.phase = Phase::Done { node, result: finished };
                j.epoch += 1;
                let d = o.deltas();
                let node_ata = self.w.nodes[node as usize].wallet.keys.ata;
                let payer_ata = self.w.payers[j.payer as usize].wallet.keys.ata;
                let payout = d.get(&node_ata).copied().unwrap_or(0).max(0) as u64;
                let refund = d.get(&payer_ata).copied().unwrap_or(0).max(0) as u64;
                let tj = &mut self.truth.jobs[j.truth as usize];
                tj.payout += payout;
                tj.refund += refund;
                tj.paid_node = Some(node);
                tj.ended_at = Some(t);
                tj.outcome = if finished { JobOutcome::Completed } else { JobOutcome::Ended };
                tj.result_posted = finished;
                let totals = &mut self.truth.totals;
                totals.payouts += payout;
                totals.refunds += refund;
                if finished {
                    totals.jobs_completed += 1;
                } else {
                    totals.jobs_ended += 1;
                    let expiration = self.w.markets[j.market as usize].spec.job_expiration;
                    if expiration >= 1_200 && self.rng.chance(self.s.jobs.complete_after_end) {
                        let delay = self.rng.uniform(60.0, 600.0) as i64;
                        self.schedule(t + delay, Event::JobComplete { job: id });
                    }
                }
                self.schedule_clean(id, t);
                self.node_free(node, t);
            }
            Action::Extend { job, timeout } => {
                let Some(j) = self.jobs.get_mut(job) else { return };
                j.busy = false;
                if !ok {
                    return;
                }
                j.timeout = *timeout;
                let d = o.deltas();
                let vault = self.w.markets[j.market as usize].keys.vault;
                let deposit = d.get(&vault).copied().unwrap_or(0).max(0) as u64;
                let fee = d.get(&self.w.singletons.rewards_vault).copied().unwrap_or(0).max(0) as u64;
                let tj = &mut self.truth.jobs[j.truth as usize];
                tj.timeout = *timeout;
                tj.deposit += deposit;
                tj.network_fee += fee;
                tj.extensions += 1;
                self.truth.totals.deposits += deposit;
                self.truth.totals.network_fees += fee;
            }
            Action::Delist { job } | Action::Recover { job } => {
                let id = *job;
                let Some(j) = self.jobs.get_mut(&id) else { return };
                j.busy = false;
                if !ok {
                    return;
                }
                let delisted = matches!(action, Action::Delist { .. });
                let m = &mut self.w.markets[j.market as usize];
                if delisted {
                    m.job_queue.retain(|&x| x != id);
                } else {
                    m.stopped.retain(|&x| x != id);
                }
                let refund =
                    o.deltas().get(&self.w.payers[j.payer as usize].wallet.keys.ata).copied().unwrap_or(0).max(0)
                        as u64;
                let tj = &mut self.truth.jobs[j.truth as usize];
                tj.refund += refund;
                tj.ended_at = Some(t);
                tj.cleaned_at = Some(t);
                tj.outcome = if delisted { JobOutcome::Delisted } else { JobOutcome::Recovered };
                self.truth.totals.refunds += refund;
                if delisted {
                    self.truth.totals.jobs_delisted += 1;
                } else {
                    self.truth.totals.jobs_recovered += 1;
                }
                self.jobs.remove(&id);
            }
            Action::Quit { job } => {
                let id = *job;
                let Some(j) = self.jobs.get_mut(&id) else { return };
                j.busy = false;
                let Phase::Running { node, started, .. } = j.phase else { return };
                if !ok {
                    let epoch = j.epoch;
                    self.schedule(t + 60, Event::JobFinish { job: id, epoch });
                    return;
                }
                j.remaining = (j.remaining - (t - started)).max(1);
                j.phase = Phase::Stopped;
                j.quit = true;
                j.epoch += 1;
                let (epoch, market) = (j.epoch, j.market);
                let tj = &mut self.truth.jobs[j.truth as usize];
                tj.quits += 1;
                tj.outcome = JobOutcome::Stopped;
                self.w.markets[market as usize].stopped.push_back(id);
                self.schedule(t + self.s.jobs.recover_after_s as i64, Event::JobRecover { job: id, epoch });
                // A node that quits has trouble: it goes offline for a while.
                self.w.nodes[node as usize].want_offline = false;
                self.go_offline(node, t);
            }
            Action::Complete { job } => {
                let Some(j) = self.jobs.get_mut(job) else { return };
                j.busy = false;
                if ok {
                    if let Phase::Done { node, .. } = j.phase {
                        j.phase = Phase::Done { node, result: true };
                    }
                    self.truth.jobs[j.truth as usize].result_posted = true;
                }
            }
            Action::Stop { node } => {
                let n = *node;
                let nd = &mut self.w.nodes[n as usize];
                nd.busy = false;
                if ok {
                    let market = nd.market;
                    self.w.markets[market as usize].node_queue.retain(|&x| x != n);
                    self.go_offline(n, t);
                    self.release_held(market);
                } else if nd.state == NodeState::Queued {
                    let epoch = nd.epoch;
                    self.schedule(t + 60, Event::NodeOffline { node: n, epoch });
                } else if matches!(nd.state, NodeState::Running(_)) {
                    nd.want_offline = true;
                }
            }
            Action::Clean { jobs } => {
                for id in jobs {
                    let Some(j) = self.jobs.get_mut(id) else { continue };
                    j.busy = false;
                    if ok {
                        self.truth.jobs[j.truth as usize].cleaned_at = Some(t);
                        self.jobs.remove(id);
                    } else {
                        j.clean_tries += 1;
                        j.clean_alone = true;
                        if j.clean_tries < 3 {
                            self.schedule(t + 3_600, Event::JobClean { job: *id });
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn apply_list(&mut self, id: u32, run: &Arc<Keypair>, o: &Outcome<'_>) {
        let t = o.time;
        let Some(j) = self.jobs.get_mut(&id) else { return };
        j.busy = false;
        let project = j.project;
        if o.tx.is_none() {
            self.jobs.remove(&id);
            self.w.projects[project as usize].spare_runs.push(run.clone());
            return;
        }
        let d = o.deltas();
        let market = j.market;
        let m = &self.w.markets[market as usize];
        let deposit = d.get(&m.keys.vault).copied().unwrap_or(0).max(0) as u64;
        let fee = d.get(&self.w.singletons.rewards_vault).copied().unwrap_or(0).max(0) as u64;
        j.truth = self.truth.jobs.len() as u32;
        self.truth.jobs.push(JobTruth {
            address: j.key,
            market,
            project,
            payer: j.payer,
            nodes: Vec::new(),
            paid_node: None,
            listed_at: t,
            started_at: None,
            ended_at: None,
            outcome: JobOutcome::Queued,
            price: j.price,
            timeout: j.timeout,
            deposit,
            payout: 0,
            refund: 0,
            network_fee: fee,
            extensions: 0,
            quits: 0,
            result_posted: false,
            cleaned_at: None,
        });
        let totals = &mut self.truth.totals;
        totals.jobs_listed += 1;
        totals.deposits += deposit;
        totals.network_fees += fee;
        let payer_key = self.w.payers[j.payer as usize].wallet.key();
        if let Some(node) = self.w.markets[market as usize].node_queue.pop_front() {
            self.start_run(id, node, run.pubkey(), payer_key, t);
            self.release_held(market);
        } else {
            j.phase = Phase::Queued;
            j.epoch += 1;
            let (epoch, patience) = (j.epoch, j.patience);
            self.w.markets[market as usize].job_queue.push_back(id);
            self.w.projects[project as usize].spare_runs.push(run.clone());
            if let Some(p) = patience {
                self.schedule(t + p, Event::JobDelist { job: id, epoch });
            }
        }
    }
}
