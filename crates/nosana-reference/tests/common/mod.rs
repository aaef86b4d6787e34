//! A small world for the jobs program tests: an open market, a funded project that pays for
//! its own jobs, staked nodes, and helpers that run transactions and check what every test
//! needs (success or the exact error, and NOS conservation after each transaction).

#![allow(dead_code)]

use nosana_layouts::accounts::{JobAccount, MarketAccount, RunAccount, StakeAccount};
use nosana_layouts::enums::job_type;
use nosana_layouts::errors::ErrorDef;
use nosana_layouts::ids::{self, NOS, NOS_MINT};
use nosana_layouts::instruction::Instruction;
use nosana_layouts::pda;
use nosana_layouts::spl::{NftMetadata, TOKEN_ACCOUNT_LEN, TokenAccount};
use nosana_reference::bank::rent_exempt_minimum;
use nosana_reference::client::jobs::{self, MarketParams, RunParties};
use nosana_reference::genesis::{self, Genesis, SOL, address};
use nosana_reference::{Account, ExecutedTransaction, InstructionError, ProgramConfig, Pubkey, TransactionError};

/// NOS base units per second in the default market.
pub const PRICE: u64 = 100;
pub const TIMEOUT: i64 = 3_600;
pub const EXPIRATION: i64 = 86_400;
/// The clock at the start of every world.
pub const GENESIS_TIME: i64 = 1_750_000_000;
/// What the project starts with.
pub const PROJECT_NOS: u64 = 10_000 * NOS;

pub fn default_params() -> MarketParams {
    MarketParams {
        job_expiration: EXPIRATION,
        job_price: PRICE,
        job_timeout: TIMEOUT,
        job_type: job_type::GPU,
        node_xnos_minimum: 1_000 * NOS as u128,
    }
}

pub struct World {
    pub g: Genesis,
    pub market: Pubkey,
    /// The market's authority.
    pub owner: Pubkey,
    /// Posts and pays for jobs (authority and payer of `list`).
    pub project: Pubkey,
    /// Staked node wallets with NOS ATAs.
    pub nodes: Vec<Pubkey>,
    counter: u32,
}

impl World {
    /// A market at the default price, no fee, three staked nodes.
    pub fn new() -> Self {
        Self::with(ProgramConfig { fee_fraction: 0 }, default_params(), ids::SYSTEM_PROGRAM_ID)
    }

    pub fn with(config: ProgramConfig, params: MarketParams, access_key: Pubkey) -> Self {
        let mut g = Genesis::new(config);
        g.warp(GENESIS_TIME);
        let owner = g.wallet("market-owner", 0).expect("owner");
        let project = g.wallet("project", PROJECT_NOS).expect("project");
        g.fund(&ids::MARKET_ADMIN, 10 * SOL);
        let mut w = World { g, market: address("market"), owner, project, nodes: vec![], counter: 0 };
        let open = jobs::open(&w.market, &owner, &access_key, &params);
        w.ok(&owner, &[open]);
        for i in 0..3 {
            let node = w.g.wallet(&format!("node-{i}"), 0).expect("node");
            w.stake(&node, 10_000 * NOS as u128);
            w.nodes.push(node);
        }
        w
    }

    /// A fresh deterministic address (a new keypair in a real client).
    pub fn key(&mut self, prefix: &str) -> Pubkey {
        self.counter += 1;
        address(&format!("{prefix}-{}", self.counter))
    }

    /// Places a stake of `xnos` for `node`, as the staking program would have it.
    pub fn stake(&mut self, node: &Pubkey, xnos: u128) {
        let (vault, vault_bump) = pda::stake_vault(node);
        let stake = StakeAccount {
            amount: xnos as u64,
            authority: *node,
            duration: 0,
            time_unstake: 0,
            vault,
            vault_bump,
            xnos,
        };
        genesis::store_anchor(&mut self.g.bank, pda::stake(node).0, ids::STAKING_PROGRAM_ID, &stake);
    }

    /// Runs a transaction, expects success and checks NOS conservation.
    pub fn ok(&mut self, payer: &Pubkey, ixs: &[Instruction]) -> ExecutedTransaction {
        let tx = self.g.run(payer, ixs).expect("transaction included");
        assert_eq!(tx.meta.status, Ok(()), "logs: {:#?}", tx.meta.log_messages);
        self.assert_conserved();
        tx
    }

    /// Runs a transaction expected to fail with `error` in instruction `index`.
    pub fn fails(&mut self, payer: &Pubkey, ixs: &[Instruction], index: u8, error: ErrorDef) -> ExecutedTransaction {
        let tx = self.g.run(payer, ixs).expect("transaction included");
        assert_error(&tx, index, error);
        self.assert_conserved();
        tx
    }

    /// Sum of every NOS token account equals the mint's supply.
    pub fn assert_conserved(&self) {
        let held: u64 = self
            .g
            .bank
            .accounts()
            .values()
            .filter(|a| a.owner == ids::TOKEN_PROGRAM_ID && a.data.len() == TOKEN_ACCOUNT_LEN)
            .filter_map(|a| TokenAccount::unpack(&a.data).ok())
            .filter(|t| t.mint == NOS_MINT)
            .map(|t| t.amount)
            .sum();
        let supply = self.g.bank.mint(&NOS_MINT).expect("NOS mint").supply;
        assert_eq!(held, supply, "NOS held in token accounts must equal the supply");
    }

    pub fn market(&self) -> MarketAccount {
        self.g.bank.load(&self.market).expect("market account")
    }

    pub fn job(&self, key: &Pubkey) -> JobAccount {
        self.g.bank.load(key).expect("job account")
    }

    pub fn run_account(&self, key: &Pubkey) -> RunAccount {
        self.g.bank.load(key).expect("run account")
    }

    pub fn vault(&self) -> Pubkey {
        jobs::vault(&self.market)
    }

    pub fn balance(&self, owner: &Pubkey) -> u64 {
        self.g.bank.token_balance(&pda::nos_ata(owner))
    }

    pub fn now(&self) -> i64 {
        self.g.bank.clock.unix_timestamp
    }

    /// Lists a job paid by the project with `timeout`; returns (job, run) keys.
    pub fn list(&mut self, timeout: i64) -> (Pubkey, Pubkey) {
        let (job, run) = (self.key("job"), self.key("run"));
        let (market, project) = (self.market, self.project);
        self.ok(&project, &[jobs::list(&job, &market, &run, &project, &project, [7; 32], timeout)]);
        (job, run)
    }

    /// `node` works in the market; returns the run key it used.
    pub fn work(&mut self, node: &Pubkey) -> Pubkey {
        let run = self.key("run");
        let market = self.market;
        self.ok(node, &[jobs::work(&run, &market, node, node, None)]);
        run
    }

    /// A job listed and taken by node 0: (job, run).
    pub fn running_job(&mut self, timeout: i64) -> (Pubkey, Pubkey) {
        let (job, _) = self.list(timeout);
        let node = self.nodes[0];
        let run = self.work(&node);
        (job, run)
    }

    /// The parties of a job posted by the project and run by `node`, who paid its own run.
    pub fn parties(&self, node: &Pubkey) -> RunParties {
        RunParties { job_payer: self.project, run_payer: *node, node: *node }
    }

    /// Gives `node` an access NFT of `collection` (verified or not): returns the NFT mint.
    pub fn give_access_nft(&mut self, node: &Pubkey, collection: &Pubkey, verified: bool) -> Pubkey {
        let mint = self.key("nft-mint");
        let nft = TokenAccount::new(mint, *node, 1).pack();
        let ata = pda::associated_token_account(node, &mint);
        self.g.bank.store(ata, Account::new(rent_exempt_minimum(nft.len()), nft, ids::TOKEN_PROGRAM_ID));
        let metadata = NftMetadata {
            update_authority: *collection,
            mint,
            name: "Nosana Access".into(),
            symbol: "NOS".into(),
            uri: String::new(),
            collection: Some((verified, *collection)),
        }
        .pack();
        let key = pda::metadata(&mint).0;
        self.g.bank.store(key, Account::new(rent_exempt_minimum(metadata.len()), metadata, ids::METADATA_PROGRAM_ID));
        mint
    }
}

/// The transaction failed in instruction `index` with `error`, and the log names it.
pub fn assert_error(tx: &ExecutedTransaction, index: u8, error: ErrorDef) {
    assert_eq!(
        tx.meta.status,
        Err(TransactionError::InstructionError(index, InstructionError::Custom(error.code))),
        "logs: {:#?}",
        tx.meta.log_messages
    );
    let needle = format!("Error Code: {}.", error.name);
    assert!(tx.meta.log_messages.iter().any(|l| l.contains(&needle)), "no `{needle}` in {:#?}", tx.meta.log_messages);
}
