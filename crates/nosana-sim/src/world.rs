//! The participants of the world and the genesis bank they start from: markets, nodes with
//! their operators and sites, projects and payers, stakers, and the treasury, each with a
//! keypair derived from the seed and every PDA precomputed.

use std::collections::VecDeque;
use std::sync::Arc;

use nosana_chain::{Keypair, Signer, derive_keypair};
use nosana_layouts::accounts::SettingsAccount;
use nosana_layouts::ids::{self, NOS, NOS_DECIMALS, NOS_MINT};
use nosana_layouts::math::{DURATION_MAX, xnos};
use nosana_layouts::pda;
use nosana_layouts::spl::{Mint, NftMetadata, TokenAccount};
use nosana_reference::bank::rent_exempt_minimum;
use nosana_reference::genesis::{self, Genesis, SOL};
use nosana_reference::{Account, Bank, ProgramConfig, Pubkey};

use crate::builders::{AccessSlots, MarketKeys, Singletons, StakerKeys, WalletKeys};
use crate::error::SimError;
use crate::offchain::{MarketMeta, NodeSpec, OffchainData};
use crate::operators;
use crate::regions::{REGIONS, SiteSampler};
use crate::rng::{SimRng, cumulative};
use crate::scenario::{MarketSpec, Scenario};
use crate::truth::{MarketTruth, NodeTruth, ProjectTruth, Truth};

/// A wallet with its keypair and NOS ATA.
#[derive(Clone, Debug)]
pub(crate) struct Wallet {
    pub kp: Arc<Keypair>,
    pub keys: WalletKeys,
}

impl Wallet {
    pub fn derive(seed: u64, name: &str) -> Wallet {
        let kp = Arc::new(derive_keypair(seed, name));
        let wallet = kp.pubkey();
        Wallet { kp, keys: WalletKeys { wallet, ata: pda::nos_ata(&wallet) } }
    }

    pub fn key(&self) -> Pubkey {
        self.keys.wallet
    }
}

/// A market and the sim's mirror of its on-chain queue.
#[derive(Debug)]
pub(crate) struct Market {
    pub spec: MarketSpec,
    pub kp: Arc<Keypair>,
    pub keys: MarketKeys,
    /// The NFT collection nodes need, or the System program id.
    pub access_key: Pubkey,
    pub open: bool,
    /// Failed open attempts (given up after a few).
    pub open_failures: u8,
    /// Nodes waiting in the on-chain queue, in order.
    pub node_queue: VecDeque<u32>,
    /// Jobs waiting in the on-chain queue, in order.
    pub job_queue: VecDeque<u32>,
    /// Jobs a node quit, waiting for another node to claim them.
    pub stopped: VecDeque<u32>,
    /// Idle nodes held back because the on-chain queue is near capacity.
    pub held: VecDeque<u32>,
    /// Work and list requests in flight in the slot being planned.
    pub pending_work: u32,
    pub pending_list: u32,
    /// Job arrivals per second at the weekly mean (after `jobs.rate_scale`).
    pub rate_per_s: f64,
}

/// What a node is doing, mirrored from the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeState {
    /// Waiting for its stake (set-up transaction) to land.
    Setup,
    Offline,
    /// Online, not queued, not running: will send `work` (or claim a stopped job).
    Idle,
    /// Online but held back by a full market queue.
    Held,
    /// In the market's node queue.
    Queued,
    /// Running a job.
    Running(u32),
}

#[derive(Debug)]
pub(crate) struct Node {
    pub wallet: Wallet,
    pub staker: u32,
    pub market: u16,
    pub access: Option<AccessSlots>,
    pub state: NodeState,
    /// A transaction of this node is in flight.
    pub busy: bool,
    /// Go offline when the current job is over.
    pub want_offline: bool,
    /// Bumped on every offline/online change; stale timer events are dropped.
    pub epoch: u32,
    /// A run keypair a `work` signed but never used on chain (still fresh).
    pub spare_run: Option<Arc<Keypair>>,
    pub runs: u32,
}

#[derive(Debug)]
pub(crate) struct Project {
    pub wallet: Wallet,
    pub payer: u32,
    pub spare_runs: Vec<Arc<Keypair>>,
    pub runs: u32,
}

#[derive(Debug)]
pub(crate) struct Payer {
    pub wallet: Wallet,
    pub topping_up: bool,
    /// Deposits and fees planned in the current slot.
    pub slot_spend: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StakerState {
    Setup,
    Active,
    Unstaking,
    Closed,
}

#[derive(Debug)]
pub(crate) struct Staker {
    pub kp: Arc<Keypair>,
    pub keys: StakerKeys,
    pub node: Option<u32>,
    pub state: StakerState,
    pub busy: bool,
    pub epoch: u32,
    pub amount: u64,
    pub duration: u64,
    /// Failed set-up attempts (given up after a few).
    pub setup_failures: u8,
}

/// Every participant.
#[derive(Debug)]
pub(crate) struct World {
    pub singletons: Singletons,
    pub markets: Vec<Market>,
    pub nodes: Vec<Node>,
    pub projects: Vec<Project>,
    pub project_cumulative: Vec<f64>,
    pub payers: Vec<Payer>,
    pub stakers: Vec<Staker>,
    pub treasury: Wallet,
    pub market_admin: Wallet,
    pub slash_authority: Wallet,
}

/// Builds the participants, the genesis bank, the static part of the truth and the off-chain data.
pub(crate) fn build(s: &Scenario, seed: u64) -> Result<(World, Bank, Truth, OffchainData), SimError> {
    let mut rng = SimRng::new(seed, 0x0057_4F52_4C44); // "WORLD"
    let singletons = Singletons::derive();
    let treasury = Wallet::derive(seed, "treasury");
    let market_admin = Wallet::derive(seed, "market-admin");
    let slash_authority = Wallet::derive(seed, "staking-authority");
    let mut truth = Truth { seed, fee_fraction: s.chain.fee_fraction, ..Truth::default() };
    let mut offchain = OffchainData::default();

    let markets: Vec<Market> = s
        .markets
        .iter()
        .map(|m| {
            let kp = Arc::new(derive_keypair(seed, &format!("market/{}", m.slug)));
            let market = kp.pubkey();
            let access_key = if m.gated {
                genesis::address(&format!("{seed}/collection/{}", m.slug))
            } else {
                ids::SYSTEM_PROGRAM_ID
            };
            Market {
                spec: m.clone(),
                kp,
                keys: MarketKeys { market, vault: pda::market_vault(&market).0 },
                access_key,
                open: false,
                open_failures: 0,
                node_queue: VecDeque::new(),
                job_queue: VecDeque::new(),
                stopped: VecDeque::new(),
                held: VecDeque::new(),
                pending_work: 0,
                pending_list: 0,
                rate_per_s: m.jobs_per_day * s.jobs.rate_scale / 86_400.0,
            }
        })
        .collect();
    for m in &markets {
        truth.markets.push(MarketTruth {
            address: m.keys.market,
            mainnet_address: m.spec.mainnet_address.clone(),
            name: m.spec.name.clone(),
            slug: m.spec.slug.clone(),
            price: m.spec.price,
            opened_at: None,
        });
        offchain.markets.push(MarketMeta {
            address: m.keys.market.to_string(),
            mainnet_address: m.spec.mainnet_address.clone(),
            name: m.spec.name.clone(),
            slug: m.spec.slug.clone(),
            gpu_types: m.spec.gpu_types.clone(),
            gpu_count: m.spec.gpu_count,
            vram_gb: m.spec.vram_gb,
            kind: m.spec.kind.clone(),
            nos_job_price_per_second: m.spec.price,
            sft_collection: (m.access_key != ids::SYSTEM_PROGRAM_ID).then(|| m.access_key.to_string()),
        });
    }

    let mut genesis = Genesis::new(ProgramConfig { fee_fraction: s.chain.fee_fraction });
    let bank = &mut genesis.bank;
    let mut supply = 0u64;
    let mut fund = |bank: &mut Bank, w: &Wallet, sol: u64, nos: u64| {
        bank.store(w.key(), Account::wallet(sol * SOL));
        let data = TokenAccount::new(NOS_MINT, w.key(), nos).pack();
        bank.store(w.keys.ata, Account::new(rent_exempt_minimum(data.len()), data, ids::TOKEN_PROGRAM_ID));
        supply += nos;
    };
    fund(bank, &treasury, 100_000, nos_units(s.treasury.initial_nos));
    fund(bank, &market_admin, 10_000, 0);
    fund(bank, &slash_authority, 100, 0);
    // Our own staking authority and slash destination (mainnet's AUTHORITY key is not ours).
    let settings = SettingsAccount { authority: slash_authority.key(), token_account: slash_authority.keys.ata };
    genesis::store_anchor(bank, pda::staking_settings().0, ids::STAKING_PROGRAM_ID, &settings);

    // Nodes: operators, sites, markets, stakes.
    let n = s.nodes.count as usize;
    let sizes = operators::operator_sizes(
        s.nodes.count,
        s.nodes.operators,
        s.nodes.largest_operator_share,
        s.nodes.operator_zipf_exponent,
    );
    let owner = operators::assign(&sizes, &mut rng);
    let sampler = SiteSampler::new(s.nodes.location_spread_scale);
    // Operators' sites: big operators sit in data-centre regions more often.
    let op_sites: Vec<_> = (0..sizes.len()).map(|_| sampler.draw(&mut rng)).collect();
    truth.operators = (0..sizes.len()).map(|i| format!("operator-{i}")).collect();
    let market_cum = cumulative(s.markets.iter().map(|m| m.node_weight));
    let mut nodes = Vec::with_capacity(n);
    let mut stakers = Vec::with_capacity(n + s.stakers.count as usize);
    for (i, &operator) in owner.iter().enumerate() {
        let wallet = Wallet::derive(seed, &format!("node/{i}"));
        let market = rng.pick_cumulative(&market_cum);
        let m = &markets[market];
        let site = if rng.chance(s.nodes.operator_colocation) {
            let home = op_sites[operator as usize];
            sampler.around(&mut rng, home.lat, home.lng, 2.0, home.region)
        } else {
            sampler.draw(&mut rng)
        };
        let days =
            s.nodes.stake_days_min + rng.below(u64::from(s.nodes.stake_days_max - s.nodes.stake_days_min + 1)) as u32;
        let duration = (u64::from(days) * 86_400).min(DURATION_MAX);
        let needed = needed_stake(m.spec.xnos_minimum_nos, duration);
        let amount = nos_units(rng.lognormal(s.nodes.stake_median_nos, s.nodes.stake_sigma)).max(needed).max(NOS);
        fund(bank, &wallet, 10, amount + amount / 2);
        let access =
            (m.access_key != ids::SYSTEM_PROGRAM_ID).then(|| give_access_nft(bank, seed, i, &wallet, &m.access_key));
        let registered = rng.chance(s.nodes.registered_share);
        truth.nodes.push(NodeTruth {
            authority: wallet.key(),
            market: market as u16,
            lat: site.lat,
            lng: site.lng,
            country: REGIONS[site.region].country,
            operator,
            registered,
        });
        offchain.nodes.push(node_spec(&mut rng, s, &wallet, m, site.lat, site.lng, site.region));
        stakers.push(Staker {
            kp: wallet.kp.clone(),
            keys: StakerKeys::derive(wallet.keys),
            node: Some(i as u32),
            state: StakerState::Setup,
            busy: false,
            epoch: 0,
            amount,
            duration,
            setup_failures: 0,
        });
        nodes.push(Node {
            wallet,
            staker: i as u32,
            market: market as u16,
            access,
            state: NodeState::Setup,
            busy: false,
            want_offline: false,
            epoch: 0,
            spare_run: None,
            runs: 0,
        });
    }

    for i in 0..s.stakers.count as usize {
        let wallet = Wallet::derive(seed, &format!("staker/{i}"));
        let amount = nos_units(rng.lognormal(s.stakers.stake_median_nos, s.stakers.stake_sigma)).max(NOS);
        let days = 14 + rng.below(352);
        fund(bank, &wallet, 1, amount + amount / 2);
        stakers.push(Staker {
            kp: wallet.kp.clone(),
            keys: StakerKeys::derive(wallet.keys),
            node: None,
            state: StakerState::Setup,
            busy: false,
            epoch: 0,
            amount,
            duration: (days * 86_400).min(DURATION_MAX),
            setup_failures: 0,
        });
    }

    let mut projects = Vec::new();
    let mut payers = Vec::new();
    for i in 0..s.projects.count as usize {
        let wallet = Wallet::derive(seed, &format!("project/{i}"));
        let payer = if rng.chance(s.projects.separate_payer_share) {
            let w = Wallet::derive(seed, &format!("project/{i}/payer"));
            fund(bank, &wallet, 100, 0);
            w
        } else {
            wallet.clone()
        };
        fund(bank, &payer, 1_000, nos_units(s.projects.initial_nos));
        truth.projects.push(ProjectTruth { authority: wallet.key(), payer: payers.len() as u32 });
        truth.payers.push(payer.key());
        projects.push(Project { wallet, payer: payers.len() as u32, spare_runs: Vec::new(), runs: 0 });
        payers.push(Payer { wallet: payer, topping_up: false, slot_spend: 0 });
    }
    let project_cumulative =
        cumulative((0..projects.len()).map(|i| 1.0 / ((i + 1) as f64).powf(s.projects.zipf_exponent)));

    // The mint: our treasury is its authority; supply equals what genesis placed in accounts.
    let mint = Mint {
        mint_authority: Some(treasury.key()),
        supply,
        decimals: NOS_DECIMALS,
        is_initialized: true,
        freeze_authority: None,
    };
    bank.store(NOS_MINT, Account::new(rent_exempt_minimum(82), mint.pack(), ids::TOKEN_PROGRAM_ID));
    bank.clock.unix_timestamp = s.chain.start_time;
    truth.genesis_supply = supply;

    let world = World {
        singletons,
        markets,
        nodes,
        projects,
        project_cumulative,
        payers,
        stakers,
        treasury,
        market_admin,
        slash_authority,
    };
    Ok((world, genesis.bank, truth, offchain))
}

/// NOS (whole tokens, fractional allowed) to base units.
pub(crate) fn nos_units(nos: f64) -> u64 {
    (nos.max(0.0) * NOS as f64).round() as u64
}

/// The smallest stake (base units) whose xNOS at `duration` meets `minimum_nos` xNOS, plus 1 NOS.
fn needed_stake(minimum_nos: u64, duration: u64) -> u64 {
    if minimum_nos == 0 {
        return 0;
    }
    let target = u128::from(minimum_nos) * u128::from(NOS);
    let mut amount = (target * 10_512_000 / (10_512_000 + u128::from(duration))) as u64;
    while xnos(amount, duration) < target {
        amount += NOS / 10;
    }
    amount + NOS
}

/// Gives node `i` an access NFT of `collection`: a 0-decimal mint, the node's token account
/// holding it, and verified Metaplex metadata.
fn give_access_nft(bank: &mut Bank, seed: u64, i: usize, wallet: &Wallet, collection: &Pubkey) -> AccessSlots {
    let mint = genesis::address(&format!("{seed}/nft/{i}"));
    let mint_data = Mint {
        mint_authority: Some(*collection),
        supply: 1,
        decimals: 0,
        is_initialized: true,
        freeze_authority: None,
    }
    .pack();
    bank.store(mint, Account::new(rent_exempt_minimum(mint_data.len()), mint_data, ids::TOKEN_PROGRAM_ID));
    let nft = pda::associated_token_account(&wallet.key(), &mint);
    let data = TokenAccount::new(mint, wallet.key(), 1).pack();
    bank.store(nft, Account::new(rent_exempt_minimum(data.len()), data, ids::TOKEN_PROGRAM_ID));
    let metadata = pda::metadata(&mint).0;
    let meta = NftMetadata {
        update_authority: *collection,
        mint,
        name: "Nosana Node Access".into(),
        symbol: "NOS".into(),
        uri: String::new(),
        collection: Some((true, *collection)),
    }
    .pack();
    bank.store(metadata, Account::new(rent_exempt_minimum(meta.len()), meta, ids::METADATA_PROGRAM_ID));
    AccessSlots { nft, metadata }
}

fn node_spec(
    rng: &mut SimRng,
    s: &Scenario,
    wallet: &Wallet,
    m: &Market,
    lat: f64,
    lng: f64,
    region: usize,
) -> NodeSpec {
    let premium = m.spec.kind == "PREMIUM";
    let pick = |rng: &mut SimRng, xs: &[&str]| xs[rng.below(xs.len() as u64) as usize].to_string();
    let pick_n = |rng: &mut SimRng, xs: &[u32]| xs[rng.below(xs.len() as u64) as usize];
    let (cpus, cores, ram, disk): (&[&str], &[u32], &[u32], &[u32]) = if premium {
        (
            &["AMD EPYC 7543 32-Core Processor", "AMD EPYC 9354 32-Core Processor", "Intel(R) Xeon(R) Gold 6338 CPU"],
            &[32, 48, 64, 128],
            &[128, 256, 512],
            &[2_000, 4_000, 8_000],
        )
    } else {
        (
            &[
                "AMD Ryzen 9 7950X 16-Core Processor",
                "AMD Ryzen 7 5800X 8-Core Processor",
                "13th Gen Intel(R) Core(TM) i9-13900K",
                "12th Gen Intel(R) Core(TM) i7-12700K",
            ],
            &[8, 12, 16, 24, 32],
            &[16, 32, 64, 128],
            &[256, 512, 1_000, 2_000],
        )
    };
    let region = &REGIONS[region];
    let down = pick_n(rng, &[100, 250, 500, 1_000, 2_500]);
    NodeSpec {
        address: wallet.key().to_string(),
        market: m.keys.market.to_string(),
        gpu_model: pick(rng, &m.spec.gpu_types.iter().map(String::as_str).collect::<Vec<_>>()),
        gpu_count: m.spec.gpu_count,
        vram_gb: m.spec.vram_gb,
        cpu_model: pick(rng, cpus),
        cpu_cores: pick_n(rng, cores) as u16,
        ram_gb: pick_n(rng, ram) as u16,
        disk_gb: pick_n(rng, disk),
        country: region.alpha2.to_string(),
        country_code: region.country,
        lat,
        lng,
        bandwidth_down_mbps: down,
        bandwidth_up_mbps: down / 2,
        node_version: pick(rng, &s.nodes.versions.iter().map(String::as_str).collect::<Vec<_>>()),
        cuda_version: pick(rng, &["12.2", "12.4", "12.6", "12.8"]),
    }
}
