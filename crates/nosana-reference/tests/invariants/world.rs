//! The world the property test plays in, and the model the test keeps beside the bank: every
//! job and run key it ever handed out (live or stale), the NOS it burned, the fees the bank
//! charged, and the few facts the invariants need that the ledger alone cannot tell.

use std::collections::{BTreeMap, BTreeSet};

use nosana_layouts::accounts::{JobAccount, NosanaAccount, RunAccount};
use nosana_layouts::enums::job_type;
use nosana_layouts::ids::{self, NOS, NOS_MINT};
use nosana_layouts::instruction::Instruction;
use nosana_layouts::instructions::jobs as jobs_spec;
use nosana_layouts::math::{DURATION_MAX, DURATION_MIN};
use nosana_layouts::pda;
use nosana_layouts::spl::TokenInstruction;
use nosana_reference::client::jobs::{self, MarketParams};
use nosana_reference::client::{pools, rewards, spl, staking};
use nosana_reference::genesis::{Genesis, SOL, address};
use nosana_reference::{ExecutedTransaction, ProgramConfig, Pubkey};

/// The clock at genesis: mainnet-like, because `time_unstake == 0` means "active".
pub const NOW: i64 = 1_750_000_000;
const DAY: u64 = 86_400;

/// A market of the world and its settings.
#[derive(Clone, Copy, Debug)]
pub struct Market {
    pub key: Pubkey,
    pub params: MarketParams,
}

/// A transaction an action produced: who pays the fee, the instructions, and the NOS the
/// test itself burns with it (the only way the supply may change).
#[derive(Clone, Debug)]
pub struct Tx {
    pub payer: Pubkey,
    pub ixs: Vec<Instruction>,
    pub burn: u64,
}

pub struct World {
    pub g: Genesis,
    pub markets: Vec<Market>,
    pub market_owner: Pubkey,
    /// Staked node wallets.
    pub nodes: Vec<Pubkey>,
    /// Wallets that post jobs.
    pub projects: Vec<Pubkey>,
    /// Stakers entered in the rewards program.
    pub stakers: Vec<Pubkey>,
    /// Holds NOS, funds the pool, burns.
    pub treasury: Pubkey,
    /// The AddFee pool emitting into the rewards vault.
    pub pool: Pubkey,
    /// Every job key the test handed out, in order (closed ones stay: stale references).
    pub jobs: Vec<Pubkey>,
    /// Every run key the test handed out.
    pub runs: Vec<Pubkey>,
    counter: u64,
    /// NOS supply the test expects: genesis minting minus successful burns.
    pub expected_supply: u64,
    /// Lamports of every account right after setup.
    pub initial_lamports: u128,
    /// Sum of the fees of every included transaction since setup.
    pub fees_charged: u64,
    /// Markets that were closed (`close`/`close_admin` are allowed with deposits outstanding).
    pub closed_markets: BTreeSet<Pubkey>,
    /// Markets where a job got a second live run through `claim` (see `checks::market_vaults`).
    pub double_claimed_markets: BTreeSet<Pubkey>,
    /// Stake vaults that received NOS from anything but the staking program itself.
    pub donated_vaults: BTreeSet<Pubkey>,
    /// Job keys closed while still referenced by a queue (`clean_admin` has no state check).
    pub admin_cleaned: BTreeSet<Pubkey>,
    /// Cached PDAs per wallet: (stake, stake vault, reward).
    pdas: BTreeMap<Pubkey, (Pubkey, Pubkey, Pubkey)>,
}

impl World {
    /// Builds the world through real transactions (stakes, rewards entries, the pool), so every
    /// vault and singleton exists as the programs create them.
    pub fn new(fee_fraction: u64) -> World {
        let mut g = Genesis::new(ProgramConfig { fee_fraction });
        g.warp(NOW);
        g.fund(&ids::MARKET_ADMIN, 10 * SOL);
        g.fund(&ids::AUTHORITY, 10 * SOL);
        let market_owner = g.wallet("inv-market-owner", 0).expect("owner");
        let mut w = World {
            g,
            markets: vec![],
            market_owner,
            nodes: vec![],
            projects: vec![],
            stakers: vec![],
            treasury: Pubkey::default(),
            pool: address("inv-pool"),
            jobs: vec![],
            runs: vec![],
            counter: 0,
            expected_supply: 0,
            initial_lamports: 0,
            fees_charged: 0,
            closed_markets: BTreeSet::new(),
            double_claimed_markets: BTreeSet::new(),
            donated_vaults: BTreeSet::new(),
            admin_cleaned: BTreeSet::new(),
            pdas: BTreeMap::new(),
        };
        let market = |expiration: i64, price: u64, timeout: i64, min_nos: u64| MarketParams {
            job_expiration: expiration,
            job_price: price,
            job_timeout: timeout,
            job_type: job_type::GPU,
            node_xnos_minimum: u128::from(min_nos * NOS),
        };
        // A normal paid market, a free one anyone may work in, and one whose xNOS minimum only
        // node 0 meets, so its queue leans towards jobs.
        let specs = [
            ("inv-market-paid", market(3_600, 100, 3_600, 1_000)),
            ("inv-market-free", market(600, 0, 3_600, 0)),
            ("inv-market-jobs", market(86_400, 43, 7_200, 30_000)),
        ];
        for (name, params) in specs {
            let key = address(name);
            w.setup(&market_owner, &[jobs::open(&key, &market_owner, &ids::SYSTEM_PROGRAM_ID, &params)]);
            w.markets.push(Market { key, params });
        }
        // Node 3 stays below the paid market's minimum (500 × 1.115 < 1,000).
        let node_stakes = [(10_000, DURATION_MAX), (2_000, DURATION_MIN), (5_000, 30 * DAY), (500, DURATION_MIN)];
        for (i, (amount, duration)) in node_stakes.into_iter().enumerate() {
            let node = w.g.wallet(&format!("inv-node-{i}"), 20_000 * NOS).expect("node");
            w.setup(&node, &[staking::stake(&node, amount * NOS, duration)]);
            w.nodes.push(node);
        }
        for (i, nos) in [100_000 * NOS, 100_000 * NOS, NOS].into_iter().enumerate() {
            let project = w.g.wallet(&format!("inv-project-{i}"), nos).expect("project");
            w.projects.push(project);
        }
        for i in 0..2 {
            let staker = w.g.wallet(&format!("inv-staker-{i}"), 50_000 * NOS).expect("staker");
            w.setup(&staker, &[staking::stake(&staker, 10_000 * NOS, 180 * DAY), rewards::enter(&staker)]);
            w.stakers.push(staker);
        }
        let treasury = w.g.wallet("inv-treasury", 1_000_000 * NOS).expect("treasury");
        w.treasury = treasury;
        let (pool, rewards_vault) = (w.pool, pda::rewards_vault().0);
        w.setup(&treasury, &[pools::open(&pool, &treasury, &rewards_vault, 50_000, NOW, 1, true)]);
        let pool_vault = pda::pool_vault(&pool).0;
        w.setup(&treasury, &[spl::transfer(&pda::nos_ata(&treasury), &pool_vault, &treasury, 50_000 * NOS)]);

        for wallet in w.wallets() {
            let entry = (pda::stake(&wallet).0, pda::stake_vault(&wallet).0, pda::reward(&wallet).0);
            w.pdas.insert(wallet, entry);
        }
        w.expected_supply = w.g.bank.mint(&NOS_MINT).expect("NOS mint").supply;
        w.initial_lamports = w.total_lamports();
        w
    }

    fn setup(&mut self, payer: &Pubkey, ixs: &[Instruction]) {
        let tx = self.g.run(payer, ixs).expect("setup transaction included");
        assert!(tx.succeeded(), "setup failed: {:?}\n{}", tx.meta.status, tx.meta.log_messages.join("\n"));
    }

    /// A fresh deterministic address (a new keypair in a real client).
    pub fn fresh(&mut self, prefix: &str) -> Pubkey {
        self.counter += 1;
        address(&format!("inv-{prefix}-{}", self.counter))
    }

    pub fn new_job(&mut self) -> Pubkey {
        let key = self.fresh("job");
        self.jobs.push(key);
        key
    }

    pub fn new_run(&mut self) -> Pubkey {
        let key = self.fresh("run");
        self.runs.push(key);
        key
    }

    /// Every wallet of the world, fee payers and signers alike.
    pub fn wallets(&self) -> Vec<Pubkey> {
        let mut all = vec![self.market_owner, self.treasury, ids::MARKET_ADMIN, ids::AUTHORITY];
        all.extend(self.nodes.iter().chain(&self.projects).chain(&self.stakers));
        all
    }

    /// Wallets that stake, enter rewards, and so on: nodes, stakers and projects.
    pub fn stakeholders(&self) -> Vec<Pubkey> {
        self.nodes.iter().chain(&self.stakers).chain(&self.projects).copied().collect()
    }

    /// (stake, stake vault, reward) PDAs of a wallet.
    pub fn pdas_of(&self, wallet: &Pubkey) -> (Pubkey, Pubkey, Pubkey) {
        self.pdas
            .get(wallet)
            .copied()
            .unwrap_or_else(|| (pda::stake(wallet).0, pda::stake_vault(wallet).0, pda::reward(wallet).0))
    }

    /// Every NOS token account the world knows by name: ATAs, vaults, the slash destination.
    pub fn token_accounts(&self) -> Vec<Pubkey> {
        let mut all: Vec<Pubkey> = self.wallets().iter().map(pda::nos_ata).collect();
        all.extend(self.markets.iter().map(|m| jobs::vault(&m.key)));
        all.extend(self.stakeholders().iter().map(|w| self.pdas_of(w).1));
        all.extend([pda::rewards_vault().0, pda::pool_vault(&self.pool).0, ids::TOKEN_ACCOUNT]);
        all
    }

    /// Every key garbage instructions may draw from, valid or not for any slot.
    pub fn garbage_keys(&self) -> Vec<Pubkey> {
        let mut all = self.wallets();
        all.extend(self.token_accounts());
        all.extend(self.markets.iter().map(|m| m.key));
        all.extend(self.stakeholders().iter().flat_map(|w| [self.pdas_of(w).0, self.pdas_of(w).2]));
        all.extend(self.jobs.iter().rev().take(8).chain(self.runs.iter().rev().take(8)));
        all.extend([
            self.pool,
            pda::rewards_reflection().0,
            pda::staking_settings().0,
            NOS_MINT,
            ids::SYSTEM_PROGRAM_ID,
            ids::TOKEN_PROGRAM_ID,
            ids::RENT_SYSVAR_ID,
            ids::REWARDS_PROGRAM_ID,
            ids::JOBS_PROGRAM_ID,
            address("inv-never-used"),
        ]);
        all
    }

    pub fn job(&self, key: &Pubkey) -> Option<JobAccount> {
        match self.decode(key)? {
            NosanaAccount::Job(job, _) => Some(job),
            _ => None,
        }
    }

    pub fn run(&self, key: &Pubkey) -> Option<RunAccount> {
        match self.decode(key)? {
            NosanaAccount::Run(run) => Some(run),
            _ => None,
        }
    }

    /// The Nosana account at `key`, decoded by its owner and discriminator.
    pub fn decode(&self, key: &Pubkey) -> Option<NosanaAccount> {
        let a = self.g.bank.get(key)?;
        NosanaAccount::decode(&a.owner, &a.data).ok()
    }

    /// Every decodable Nosana account in the bank.
    pub fn nosana_accounts(&self) -> Vec<(Pubkey, NosanaAccount)> {
        self.g
            .bank
            .accounts()
            .iter()
            .filter(|(_, a)| ids::NOSANA_PROGRAM_IDS.contains(&a.owner))
            .filter_map(|(k, a)| Some((*k, NosanaAccount::decode(&a.owner, &a.data).ok()?)))
            .collect()
    }

    pub fn total_lamports(&self) -> u128 {
        self.g.bank.accounts().values().map(|a| u128::from(a.lamports)).sum()
    }

    /// Before a transaction runs: the markets it would taint if it succeeds. A `claim` on a
    /// job that already has a live run, or two claims of one job in one transaction, gives
    /// the job a second run (spec §2.4.13: `claim` only checks `state == Stopped`).
    pub fn markets_double_claimed_by(&self, tx: &Tx) -> Vec<Pubkey> {
        let live_runs: Vec<RunAccount> = self.runs_in_bank();
        let mut claimed: Vec<Pubkey> = vec![];
        let mut tainted = vec![];
        for ix in &tx.ixs {
            let is_claim =
                ix.program_id == ids::JOBS_PROGRAM_ID && ix.data.get(..8) == Some(&jobs_spec::CLAIM.discriminator);
            let Some(job) = ix.accounts.first().map(|m| m.pubkey).filter(|_| is_claim) else { continue };
            let second_run = claimed.contains(&job) || live_runs.iter().any(|r| r.job == job);
            if let Some(j) = self.job(&job).filter(|_| second_run) {
                tainted.push(j.market);
            }
            claimed.push(job);
        }
        tainted
    }

    pub fn runs_in_bank(&self) -> Vec<RunAccount> {
        self.nosana_accounts()
            .into_iter()
            .filter_map(|(_, a)| match a {
                NosanaAccount::Run(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    /// After a successful transaction: records stake vaults that received NOS from a
    /// transfer not made by the staking program (e.g. `recover`'s unconstrained `user`).
    pub fn note_donations(&mut self, tx: &ExecutedTransaction) {
        let vaults: BTreeSet<Pubkey> = self.stakeholders().iter().map(|w| self.pdas_of(w).1).collect();
        let keys = &tx.message.account_keys;
        let mut callers: Vec<Pubkey> = vec![];
        for (height, ix) in tx.instruction_trace() {
            let program = keys[ix.program_id_index as usize];
            callers.truncate(height as usize - 1);
            let caller = callers.last().copied();
            callers.push(program);
            if program != ids::TOKEN_PROGRAM_ID {
                continue;
            }
            let Ok(TokenInstruction::Transfer { .. }) = TokenInstruction::decode(&ix.data) else { continue };
            let Some(dest) = ix.accounts.get(1).map(|&i| keys[i as usize]) else { continue };
            if vaults.contains(&dest) && caller != Some(ids::STAKING_PROGRAM_ID) {
                self.donated_vaults.insert(dest);
            }
        }
    }
}
