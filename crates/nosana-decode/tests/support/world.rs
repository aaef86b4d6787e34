//! A scripted world on the reference bank for targeted decoder tests: an open market at 100
//! base units per second, a funded project that pays its own jobs, and staked nodes.

use nosana_decode::{DecodedTransaction, RawTransaction, check_balances, decode_transaction};
use nosana_layouts::accounts::StakeAccount;
use nosana_layouts::enums::job_type;
use nosana_layouts::ids::{self, NOS};
use nosana_layouts::instruction::Instruction;
use nosana_layouts::{math, pda};
use nosana_reference::client::jobs::{self, MarketParams};
use nosana_reference::genesis::{self, Genesis, SOL, address};
use nosana_reference::{ProgramConfig, Pubkey};

pub const PRICE: u64 = 100;
pub const TIMEOUT: i64 = 3_600;
pub const PROJECT_NOS: u64 = 10_000 * NOS;

pub struct World {
    pub g: Genesis,
    pub market: Pubkey,
    pub owner: Pubkey,
    pub project: Pubkey,
    pub nodes: Vec<Pubkey>,
    counter: u32,
}

impl World {
    /// A world whose jobs program takes `deposit / fee_fraction` as network fee (0: none).
    pub fn new(fee_fraction: u64) -> Self {
        let mut g = Genesis::new(ProgramConfig { fee_fraction });
        // After the payer split (2025-07-11), whose finish account list the reference program has.
        g.warp(1_760_000_000);
        let owner = g.wallet("market-owner", 0).expect("owner");
        let project = g.wallet("project", PROJECT_NOS).expect("project");
        g.fund(&ids::MARKET_ADMIN, 10 * SOL);
        g.fund(&ids::AUTHORITY, 10 * SOL);
        let params = MarketParams {
            job_expiration: 86_400,
            job_price: PRICE,
            job_timeout: TIMEOUT,
            job_type: job_type::GPU,
            node_xnos_minimum: 1_000 * NOS as u128,
        };
        let mut w = World { g, market: address("market"), owner, project, nodes: vec![], counter: 0 };
        let open = jobs::open(&w.market, &owner, &ids::SYSTEM_PROGRAM_ID, &params);
        w.ok(&owner, &[open]);
        for i in 0..2 {
            let node = w.g.wallet(&format!("node-{i}"), 0).expect("node");
            let (vault, vault_bump) = pda::stake_vault(&node);
            let amount = 10_000 * NOS;
            let stake = StakeAccount {
                amount,
                authority: node,
                duration: 0,
                time_unstake: 0,
                vault,
                vault_bump,
                xnos: math::xnos(amount, 0),
            };
            genesis::store_anchor(&mut w.g.bank, pda::stake(&node).0, ids::STAKING_PROGRAM_ID, &stake);
            w.nodes.push(node);
        }
        w
    }

    /// A fresh deterministic address.
    pub fn key(&mut self, prefix: &str) -> Pubkey {
        self.counter += 1;
        address(&format!("{prefix}-{}", self.counter))
    }

    /// Executes `ixs` paid by `payer` and returns the raw transaction, succeeded or failed.
    pub fn run(&mut self, payer: &Pubkey, ixs: &[Instruction]) -> RawTransaction {
        let tx = self.g.run(payer, ixs).expect("transaction included");
        super::executed(&tx, self.g.bank.clock.unix_timestamp)
    }

    /// Executes `ixs`, requires success, and decodes: nothing quarantined, balances explained.
    pub fn ok(&mut self, payer: &Pubkey, ixs: &[Instruction]) -> DecodedTransaction {
        let raw = self.run(payer, ixs);
        assert_eq!(raw.err, None, "transaction failed");
        let d = decode_transaction(&raw);
        assert!(d.quarantine.is_empty(), "quarantined: {:?}", d.quarantine);
        check_balances(&raw, &d).expect("flows explain the balances");
        d
    }

    pub fn vault(&self) -> Pubkey {
        jobs::vault(&self.market)
    }

    /// Lists a job paid by the project: (job, run, decoded).
    pub fn list(&mut self, timeout: i64) -> (Pubkey, Pubkey, DecodedTransaction) {
        let (job, run, market, project) = (self.key("job"), self.key("run"), self.market, self.project);
        let d = self.ok(&project, &[jobs::list(&job, &market, &run, &project, &project, [7; 32], timeout)]);
        (job, run, d)
    }

    /// Node `i` works: (run, decoded).
    pub fn work(&mut self, i: usize) -> (Pubkey, DecodedTransaction) {
        let (run, market, node) = (self.key("run"), self.market, self.nodes[i]);
        let d = self.ok(&node, &[jobs::work(&run, &market, &node, &node, None)]);
        (run, d)
    }
}
