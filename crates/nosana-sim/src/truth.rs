//! Ground truth: what actually happened, from successful transactions only, with amounts taken
//! from the executed transactions' token balance deltas. Participants are stored once and
//! referenced by index; serialisation writes addresses.

use std::collections::BTreeMap;

use nosana_layouts::ids::NOS_MINT;
use nosana_reference::{Message, TransactionMeta};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use solana_pubkey::Pubkey;

use crate::price::PricePoint;

/// Change of each NOS token account over one executed transaction (post − pre), by address.
pub fn nos_deltas(message: &Message, meta: &TransactionMeta) -> BTreeMap<Pubkey, i128> {
    let mut out: BTreeMap<Pubkey, i128> = BTreeMap::new();
    for (list, sign) in [(&meta.post_token_balances, 1i128), (&meta.pre_token_balances, -1i128)] {
        for b in list.iter().filter(|b| b.mint == NOS_MINT) {
            if let Some(key) = message.account_keys.get(b.account_index as usize) {
                *out.entry(*key).or_default() += sign * b.amount as i128;
            }
        }
    }
    out.retain(|_, d| *d != 0);
    out
}

/// How a job ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobOutcome {
    /// Listed, waiting in the market queue.
    Queued,
    /// A node is running it.
    Running,
    /// A node quit it; waiting for another node or the project.
    Stopped,
    /// The node finished it with a result.
    Completed,
    /// The project ended it while it ran.
    Ended,
    /// The project took it back from the queue.
    Delisted,
    /// The project recovered the deposit of a stopped job.
    Recovered,
}

/// One job's life.
#[derive(Clone, Debug, PartialEq)]
pub struct JobTruth {
    /// The job account.
    pub address: Pubkey,
    /// Index into `Truth::markets`.
    pub market: u16,
    /// Index into `Truth::projects`.
    pub project: u32,
    /// Index into [`Truth::payers`].
    pub payer: u32,
    /// Every node that ran it, in order (more than one after a quit and a claim).
    pub nodes: Vec<u32>,
    /// The node that was paid (finish or end).
    pub paid_node: Option<u32>,
    /// Block time of the successful `list`.
    pub listed_at: i64,
    /// Start of the run that ended the job (`time_start`).
    pub started_at: Option<i64>,
    /// Block time of finish, end, delist or recover.
    pub ended_at: Option<i64>,
    /// Where the job ended up.
    pub outcome: JobOutcome,
    /// NOS base units per second.
    pub price: u64,
    /// The timeout after the last extension.
    pub timeout: i64,
    /// NOS locked in the market vault (list plus extensions).
    pub deposit: u64,
    /// NOS paid to the node.
    pub payout: u64,
    /// NOS returned to the payer.
    pub refund: u64,
    /// NOS paid to the rewards vault as network fee.
    pub network_fee: u64,
    /// Successful `extend`s.
    pub extensions: u32,
    /// Times a node quit it.
    pub quits: u32,
    /// A result CID is on chain (finish or complete).
    pub result_posted: bool,
    /// When the job account was closed.
    pub cleaned_at: Option<i64>,
}

/// A node's static facts.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTruth {
    /// The wallet.
    pub authority: Pubkey,
    /// Index into `Truth::markets`.
    pub market: u16,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
    /// ISO 3166-1 numeric.
    pub country: u16,
    /// Index into `Truth::operators`.
    pub operator: u32,
    /// Registered in the nodes program.
    pub registered: bool,
}

/// A market as opened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MarketTruth {
    #[serde(serialize_with = "ser_key")]
    /// The simulated market account.
    pub address: Pubkey,
    /// The real mainnet market this tier is modelled on.
    pub mainnet_address: String,
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: String,
    /// Job price in NOS base units per second.
    pub price: u64,
    /// Block time of the successful open.
    pub opened_at: Option<i64>,
}

/// A project and its payer.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectTruth {
    /// The wallet.
    pub authority: Pubkey,
    /// Index into `Truth::payers`.
    pub payer: u32,
}

/// What happened to a stake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StakeKind {
    /// Tokens staked (new stake).
    Stake,
    /// Tokens added to an active stake.
    Topup,
    /// Duration lengthened.
    Extend,
    /// Release started.
    Unstake,
    /// Released tokens withdrawn.
    Withdraw,
    /// Unstaking stake re-activated.
    Restake,
    /// Taken by the settings authority.
    Slash,
    /// Account closed.
    Close,
}

/// One stake event; `amount` is the NOS that moved (0 for extend, unstake and close).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StakeEvent {
    /// Block time.
    pub time: i64,
    /// Slot.
    pub slot: u64,
    #[serde(serialize_with = "ser_key")]
    /// The staker wallet.
    pub staker: Pubkey,
    /// What happened.
    pub kind: StakeKind,
    /// NOS base units that moved.
    pub amount: u64,
    /// Seconds added (extend) or the new duration (stake, restake).
    pub duration: u64,
}

/// What happened to a reward account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    /// Entered the rewards.
    Enter,
    /// Rewards claimed.
    Claim,
    /// Reward xNOS re-synced to the stake.
    Sync,
    /// Account closed.
    Close,
}

/// One reward event; `amount` is the NOS claimed (0 otherwise).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RewardEvent {
    /// Block time.
    pub time: i64,
    /// Slot.
    pub slot: u64,
    #[serde(serialize_with = "ser_key")]
    /// The staker wallet.
    pub staker: Pubkey,
    /// What happened.
    pub kind: RewardKind,
    /// NOS base units that moved.
    pub amount: u64,
}

/// NOS a pool released into the rewards vault.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EmissionEvent {
    /// Block time.
    pub time: i64,
    /// Slot.
    pub slot: u64,
    #[serde(serialize_with = "ser_key")]
    /// The pool account.
    pub pool: Pubkey,
    /// NOS base units that moved.
    pub amount: u64,
}

/// A pool's life.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PoolTruth {
    #[serde(serialize_with = "ser_key")]
    /// The pool account.
    pub address: Pubkey,
    /// Base units per second.
    pub emission: u64,
    /// When the stream starts.
    pub start_time: i64,
    /// NOS moved into the pool vault at open.
    pub funded: u64,
    /// Block time of the successful open.
    pub opened_at: i64,
    /// Block time of the close.
    pub closed_at: Option<i64>,
    /// What the close returned to the treasury.
    pub returned: u64,
}

/// An SPL burn or mint of NOS.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupplyEvent {
    /// Block time.
    pub time: i64,
    /// Slot.
    pub slot: u64,
    #[serde(serialize_with = "ser_key")]
    /// The token account.
    pub account: Pubkey,
    /// NOS base units that moved.
    pub amount: u64,
}

/// Counts and sums over everything (sums equal the sums over the event lists).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Requests returned by `plan_slot`.
    pub transactions_planned: u64,
    /// Requests the chain included (succeeded or failed).
    pub transactions_included: u64,
    /// Included and succeeded.
    pub transactions_succeeded: u64,
    /// Included but failed (fee charged, nothing else changed).
    pub transactions_failed: u64,
    /// Not included: the fee payer could not pay, or the request was malformed.
    pub transactions_rejected: u64,
    /// Planned requests the chain neither included nor rejected.
    pub transactions_missing: u64,
    /// Failed or rejected transactions by planned action.
    pub failures_by_action: BTreeMap<String, u64>,
    /// Failed or rejected transactions by error.
    pub failures_by_error: BTreeMap<String, u64>,
    /// Job arrivals not posted because the market queue was full or the payer was being topped up.
    pub arrivals_held_back: u64,
    /// Successful `list`s (= `jobs.len()`).
    pub jobs_listed: u64,
    /// Jobs a node finished.
    pub jobs_completed: u64,
    /// Jobs the project ended.
    pub jobs_ended: u64,
    /// Jobs delisted from the queue.
    pub jobs_delisted: u64,
    /// Stopped jobs whose deposit the project recovered.
    pub jobs_recovered: u64,
    /// Sum of job deposits.
    pub deposits: u64,
    /// Sum of payouts to nodes.
    pub payouts: u64,
    /// Sum of refunds to payers.
    pub refunds: u64,
    /// Sum of network fees.
    pub network_fees: u64,
    /// Sum of stake and top-up amounts.
    pub staked: u64,
    /// Sum of withdrawals.
    pub withdrawn: u64,
    /// Sum of slashes.
    pub slashed: u64,
    /// Sum of reward claims.
    pub rewards_claimed: u64,
    /// Sum of pool emissions.
    pub emitted: u64,
    /// Sum of burns.
    pub burned: u64,
    /// Sum of mints.
    pub minted: u64,
}

/// Everything the simulation did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Truth {
    /// The seed of the run.
    pub seed: u64,
    /// `JOB_FEE_FRACTION` of the chain.
    pub fee_fraction: u64,
    /// One entry per market.
    pub markets: Vec<MarketTruth>,
    /// One entry per node.
    pub nodes: Vec<NodeTruth>,
    /// Operator names, by operator index.
    pub operators: Vec<String>,
    /// Projects, by index.
    pub projects: Vec<ProjectTruth>,
    /// Payer wallets (a project that pays its own jobs appears here too).
    pub payers: Vec<Pubkey>,
    /// Every listed job.
    pub jobs: Vec<JobTruth>,
    /// Stake events in order.
    pub stake_events: Vec<StakeEvent>,
    /// Reward events in order.
    pub reward_events: Vec<RewardEvent>,
    /// Reward pools opened.
    pub pools: Vec<PoolTruth>,
    /// Pool releases into the rewards vault.
    pub emissions: Vec<EmissionEvent>,
    /// Treasury burns.
    pub burns: Vec<SupplyEvent>,
    /// Treasury mints.
    pub mints: Vec<SupplyEvent>,
    /// NOS minted at genesis into token accounts (not in `mints`, which are transactions).
    pub genesis_supply: u64,
    /// Daily NOS/USD prices up to the last observed block.
    pub prices: Vec<PricePoint>,
    /// Counts and sums.
    pub totals: Totals,
}

impl Truth {
    /// Each node's operator as an operator registry would name it: by a wallet, here the first
    /// node of that operator (the chain does not name operators). Node address → operator.
    pub fn operator_wallets(&self) -> BTreeMap<String, String> {
        let mut wallet_of: BTreeMap<u32, String> = BTreeMap::new();
        self.nodes
            .iter()
            .map(|n| {
                let wallet = wallet_of.entry(n.operator).or_insert_with(|| n.authority.to_string());
                (n.authority.to_string(), wallet.clone())
            })
            .collect()
    }
}

fn ser_key<S: Serializer>(key: &Pubkey, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(key)
}

struct JobView<'a> {
    t: &'a Truth,
    j: &'a JobTruth,
}

impl Serialize for JobView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, j) = (self.t, self.j);
        let node = |i: &u32| t.nodes[*i as usize].authority.to_string();
        let mut st = s.serialize_struct("Job", 20)?;
        st.serialize_field("address", &j.address.to_string())?;
        st.serialize_field("market", &t.markets[j.market as usize].address.to_string())?;
        st.serialize_field("project", &t.projects[j.project as usize].authority.to_string())?;
        st.serialize_field("payer", &t.payers[j.payer as usize].to_string())?;
        st.serialize_field("nodes", &j.nodes.iter().map(node).collect::<Vec<_>>())?;
        st.serialize_field("paid_node", &j.paid_node.as_ref().map(node))?;
        st.serialize_field("listed_at", &j.listed_at)?;
        st.serialize_field("started_at", &j.started_at)?;
        st.serialize_field("ended_at", &j.ended_at)?;
        st.serialize_field("outcome", &j.outcome)?;
        st.serialize_field("price", &j.price)?;
        st.serialize_field("timeout", &j.timeout)?;
        st.serialize_field("deposit", &j.deposit)?;
        st.serialize_field("payout", &j.payout)?;
        st.serialize_field("refund", &j.refund)?;
        st.serialize_field("network_fee", &j.network_fee)?;
        st.serialize_field("extensions", &j.extensions)?;
        st.serialize_field("quits", &j.quits)?;
        st.serialize_field("result_posted", &j.result_posted)?;
        st.serialize_field("cleaned_at", &j.cleaned_at)?;
        st.end()
    }
}

struct NodeView<'a> {
    t: &'a Truth,
    n: &'a NodeTruth,
}

impl Serialize for NodeView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, n) = (self.t, self.n);
        let market = &t.markets[n.market as usize];
        let mut st = s.serialize_struct("Node", 9)?;
        st.serialize_field("authority", &n.authority.to_string())?;
        st.serialize_field("market", &market.address.to_string())?;
        st.serialize_field("tier", &market.slug)?;
        st.serialize_field("lat", &n.lat)?;
        st.serialize_field("lng", &n.lng)?;
        st.serialize_field("country", &n.country)?;
        st.serialize_field("operator", &t.operators[n.operator as usize])?;
        st.serialize_field("registered", &n.registered)?;
        st.end()
    }
}

struct Seq<I>(std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.borrow_mut().take() {
            Some(items) => s.collect_seq(items),
            None => s.collect_seq(std::iter::empty::<T>()),
        }
    }
}

fn seq<I: Iterator<Item = T>, T: Serialize>(items: I) -> Seq<I> {
    Seq(std::cell::RefCell::new(Some(items)))
}

#[derive(Serialize)]
struct ProjectView {
    authority: String,
    payer: String,
}

impl Serialize for Truth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Truth", 17)?;
        st.serialize_field("seed", &self.seed)?;
        st.serialize_field("fee_fraction", &self.fee_fraction)?;
        st.serialize_field("markets", &self.markets)?;
        st.serialize_field("nodes", &seq(self.nodes.iter().map(|n| NodeView { t: self, n })))?;
        st.serialize_field(
            "projects",
            &seq(self.projects.iter().map(|p| ProjectView {
                authority: p.authority.to_string(),
                payer: self.payers[p.payer as usize].to_string(),
            })),
        )?;
        st.serialize_field("jobs", &seq(self.jobs.iter().map(|j| JobView { t: self, j })))?;
        st.serialize_field("stake_events", &self.stake_events)?;
        st.serialize_field("reward_events", &self.reward_events)?;
        st.serialize_field("pools", &self.pools)?;
        st.serialize_field("emissions", &self.emissions)?;
        st.serialize_field("burns", &self.burns)?;
        st.serialize_field("mints", &self.mints)?;
        st.serialize_field("genesis_supply", &self.genesis_supply)?;
        st.serialize_field("prices", &self.prices)?;
        st.serialize_field("totals", &self.totals)?;
        st.end()
    }
}
