//! `depinscore lifecycle`: a scripted life of the network through all five programs, with
//! every transaction as a node would record it and the accounts it leaves behind.

use anyhow::{Context, bail};
use nosana_layouts::accounts::{
    JobAccount, MarketAccount, NodeAccount, PoolAccount, ReflectionAccount, RewardAccount, StakeAccount,
};
use nosana_layouts::cid::{cid_from_bytes, cid_to_bytes};
use nosana_layouts::enums::{claim_type, job_type};
use nosana_layouts::ids::{self, NOS, NOS_DECIMALS, NOS_MINT};
use nosana_layouts::instruction::Instruction;
use nosana_layouts::instructions::NosanaInstruction;
use nosana_layouts::instructions::nodes::NodeSpecs;
use nosana_layouts::math::DURATION_MAX;
use nosana_layouts::pda;
use nosana_layouts::spl::TokenInstruction;
use nosana_reference::client::jobs::{self, MarketParams, RunParties};
use nosana_reference::client::{nodes, pools, rewards, spl, staking};
use nosana_reference::genesis::{Genesis, address};
use nosana_reference::{ExecutedTransaction, ProgramConfig, Pubkey};
use serde::Serialize;
use serde_json::{Value, json};

use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

/// 2025-07-30 14:44:53 UTC, when the docs' hello-world job ran on mainnet.
const START: i64 = 1_753_886_693;
/// The mainnet "Market 3060" address and the job CIDs of the docs' hello-world example.
const MARKET_3060: Pubkey = Pubkey::from_str_const("7AtiXMSH6R1jjBxrcYjehCkkSF7zvYWte63gwEDBcGHq");
const JOB_CID: &str = "QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p";
const RESULT_CID: &str = "QmPvpBfknTZVoWA3tNLk1VBoNksqAaFNvgogDAhkccPchS";

#[derive(Serialize)]
struct Step {
    step: String,
    unix_time: i64,
    instructions: Vec<String>,
    status: String,
    fee_lamports: u64,
    compute_units: u64,
    /// NOS base-unit changes of token accounts, by owner.
    token_changes: Vec<(String, i128)>,
}

struct Script {
    g: Genesis,
    steps: Vec<Step>,
}

impl Script {
    /// Runs one transaction and records it; any failure stops the script with its logs.
    fn run(&mut self, step: &str, payer: &Pubkey, ixs: &[Instruction]) -> anyhow::Result<ExecutedTransaction> {
        let tx = self.g.run(payer, ixs).with_context(|| format!("{step}: transaction rejected"))?;
        if let Err(e) = &tx.meta.status {
            bail!("{step} failed: {e}\n{}", tx.meta.log_messages.join("\n"));
        }
        let instructions = ixs.iter().map(instruction_name).collect();
        let token_changes = tx
            .meta
            .post_token_balances
            .iter()
            .filter_map(|b| {
                let delta = tx.token_delta(&tx.message.account_keys[b.account_index as usize]);
                (delta != 0).then(|| (b.owner.to_string(), delta))
            })
            .collect();
        self.steps.push(Step {
            step: step.to_string(),
            unix_time: self.g.bank.clock.unix_timestamp,
            instructions,
            status: "success".into(),
            fee_lamports: tx.meta.fee,
            compute_units: tx.meta.compute_units_consumed,
            token_changes,
        });
        Ok(tx)
    }
}

fn instruction_name(ix: &Instruction) -> String {
    let program = ids::program_name(&ix.program_id).unwrap_or("unknown");
    let name = match NosanaInstruction::decode(&ix.program_id, &ix.data) {
        Ok(decoded) => decoded.spec().name.to_string(),
        Err(_) => match TokenInstruction::decode(&ix.data) {
            Ok(token) if ix.program_id == ids::TOKEN_PROGRAM_ID => token.name().to_string(),
            _ => return program.to_string(),
        },
    };
    format!("{program}.{name}")
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let config = ProgramConfig { fee_fraction: settings.reference.fee_fraction };
    let report = script(config)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    Ok(())
}

/// The scripted life: returns the steps and the final accounts as JSON.
fn script(config: ProgramConfig) -> anyhow::Result<Value> {
    let mut g = Genesis::new(config);
    g.warp(START);
    let treasury = g.wallet("treasury", 1_000_000 * NOS)?;
    let operator = g.wallet("market-operator", 0)?;
    let project = g.wallet("project", 5_000 * NOS)?;
    let node = g.wallet("node", 20_000 * NOS)?;
    let mut s = Script { g, steps: Vec::new() };

    let pool = address("emission-pool");
    let rewards_vault = pda::rewards_vault().0;
    s.run(
        "treasury opens a pool releasing 1 NOS/s to stakers",
        &treasury,
        &[pools::open(&pool, &treasury, &rewards_vault, NOS, START, claim_type::ADD_FEE, true)],
    )?;
    s.run(
        "treasury funds the pool with 100,000 NOS",
        &treasury,
        &[spl::transfer(&pda::nos_ata(&treasury), &pda::pool_vault(&pool).0, &treasury, 100_000 * NOS)],
    )?;
    let params = MarketParams {
        job_expiration: 86_400,
        job_price: 43,
        job_timeout: 7_200,
        job_type: job_type::GPU,
        node_xnos_minimum: 0,
    };
    s.run(
        "operator opens Market 3060",
        &operator,
        &[jobs::open(&MARKET_3060, &operator, &ids::SYSTEM_PROGRAM_ID, &params)],
    )?;

    let specs = NodeSpecs {
        architecture_type: 0,
        country_code: 528,
        cpu: 16,
        gpu: 1,
        memory: 32,
        iops: 500,
        storage: 1_000,
        endpoint: "node.example:443".into(),
        icon: String::new(),
        version: "1.0.0".into(),
    };
    s.run("node registers its hardware", &node, &[nodes::register(&node, &node, &specs)])?;
    s.run(
        "node stakes 10,000 NOS for a year and enters the rewards",
        &node,
        &[staking::stake(&node, 10_000 * NOS, DURATION_MAX), rewards::enter(&node)],
    )?;
    let run_key = address("run-1");
    s.run("node joins the market queue", &node, &[jobs::work(&run_key, &MARKET_3060, &node, &node, None)])?;

    let job = address("job-1");
    let run_key2 = address("run-2");
    let ipfs_job = cid_to_bytes(JOB_CID)?;
    s.run(
        "project lists a job (timeout 1 h); the waiting node takes it",
        &project,
        &[jobs::list(&job, &MARKET_3060, &run_key2, &project, &project, ipfs_job, 3_600)],
    )?;
    s.g.warp(600);
    // The run was created by `list`, so the project paid its rent.
    let parties = RunParties { job_payer: project, run_payer: project, node };
    s.run(
        "node finishes after 10 minutes and is paid",
        &node,
        &[jobs::finish(&job, &run_key2, &MARKET_3060, &parties, 43, cid_to_bytes(RESULT_CID)?)],
    )?;
    s.g.warp(3_600);
    s.run("anyone cranks the pool into the rewards vault", &project, &[pools::claim_fee(&pool, &project)])?;
    s.run("node claims its staking rewards", &node, &[rewards::claim(&node)])?;
    s.run(
        "treasury buys back and burns 1,000 NOS",
        &treasury,
        &[spl::burn_checked(&pda::nos_ata(&treasury), &NOS_MINT, &treasury, 1_000 * NOS, NOS_DECIMALS)],
    )?;
    s.g.warp(86_400);
    s.run(
        "the expired job is cleaned; rent returns to the payer",
        &project,
        &[jobs::clean(&job, &MARKET_3060, &project)],
    )?;

    let bank = &s.g.bank;
    let market: MarketAccount = bank.load(&MARKET_3060).context("market")?;
    let stake: StakeAccount = bank.load(&pda::stake(&node).0).context("stake")?;
    let reward: RewardAccount = bank.load(&pda::reward(&node).0).context("reward")?;
    let reflection: ReflectionAccount = bank.load(&pda::rewards_reflection().0).context("reflection")?;
    let pool_account: PoolAccount = bank.load(&pool).context("pool")?;
    let node_account: NodeAccount = bank.load(&pda::node(&node).0).context("node")?;
    let job_closed = bank.load::<JobAccount>(&job).is_none();
    let supply = bank.mint(&NOS_MINT).context("NOS mint")?.supply;
    let balance = |owner: &Pubkey| bank.token_balance(&pda::nos_ata(owner));
    Ok(json!({
        "fee_fraction": config.fee_fraction,
        "steps": s.steps,
        "accounts": {
            "market": { "address": MARKET_3060.to_string(), "data": market },
            "stake": { "address": pda::stake(&node).0.to_string(), "data": stake },
            "reward": { "address": pda::reward(&node).0.to_string(), "data": reward },
            "reflection": { "address": pda::rewards_reflection().0.to_string(), "data": reflection },
            "pool": { "address": pool.to_string(), "data": pool_account },
            "node": { "address": pda::node(&node).0.to_string(), "data": node_account },
            "job": { "address": job.to_string(), "closed": job_closed, "ipfs_job": JOB_CID },
        },
        "balances_nos_base_units": {
            "treasury": balance(&treasury),
            "project": balance(&project),
            "node": balance(&node),
            "market_vault": bank.token_balance(&pda::market_vault(&MARKET_3060).0),
            "rewards_vault": bank.token_balance(&rewards_vault),
            "pool_vault": bank.token_balance(&pda::pool_vault(&pool).0),
        },
        "nos_supply": supply,
        "result_cid": cid_from_bytes(&cid_to_bytes(RESULT_CID)?),
    }))
}

fn print_text(report: &Value) {
    println!("Reference program lifecycle (fee fraction {})", report["fee_fraction"]);
    println!();
    for (i, step) in report["steps"].as_array().into_iter().flatten().enumerate() {
        println!("{:>2}. {}", i + 1, step["step"].as_str().unwrap_or_default());
        let ixs: Vec<&str> = step["instructions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        println!(
            "    {}  [{} · fee {} lamports · {} CU]",
            ixs.join(", "),
            step["status"].as_str().unwrap_or_default(),
            step["fee_lamports"],
            step["compute_units"]
        );
        for change in step["token_changes"].as_array().into_iter().flatten() {
            let delta = change[1].as_i64().unwrap_or_default();
            println!("      {:>+16.6} NOS  {}", delta as f64 / NOS as f64, change[0].as_str().unwrap_or_default());
        }
    }
    println!();
    println!("Accounts");
    for (name, account) in report["accounts"].as_object().into_iter().flatten() {
        println!("  {name} {}", account["address"].as_str().unwrap_or_default());
        if let Some(data) = account["data"].as_object() {
            for (field, value) in data {
                let shown = match value {
                    Value::Array(items) if items.len() > 4 => format!("[{} items]", items.len()),
                    other => other.to_string(),
                };
                println!("      {field:<20} {shown}");
            }
        } else {
            println!("      closed               {}", account["closed"]);
        }
    }
    println!();
    println!("Balances (NOS)");
    for (owner, units) in report["balances_nos_base_units"].as_object().into_iter().flatten() {
        println!("  {owner:<14} {:>18.6}", units.as_u64().unwrap_or_default() as f64 / NOS as f64);
    }
    println!("  {:<14} {:>18.6}", "supply", report["nos_supply"].as_u64().unwrap_or_default() as f64 / NOS as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripted_life_pays_the_node_and_burns_supply() {
        let report = script(ProgramConfig { fee_fraction: 10 }).unwrap();
        let balances = &report["balances_nos_base_units"];
        // 10 minutes at 43 base units/s.
        let pay = 600 * 43;
        let node = balances["node"].as_u64().unwrap();
        assert!(node > 10_000 * NOS + pay, "node earned its pay and rewards: {node}");
        // Project paid the 1 h deposit, got back the unused part, and paid a 10 % fee on the deposit.
        let deposit = 43 * 3_600;
        assert_eq!(balances["project"].as_u64().unwrap(), 5_000 * NOS - pay - deposit / 10);
        assert_eq!(balances["market_vault"].as_u64().unwrap(), 0);
        assert_eq!(report["nos_supply"].as_u64().unwrap(), 1_000_000 * NOS + 5_000 * NOS + 20_000 * NOS - 1_000 * NOS);
        assert_eq!(report["accounts"]["job"]["closed"], true);
        assert_eq!(report["steps"].as_array().unwrap().len(), 12);
    }

    #[test]
    fn without_a_fee_the_project_pays_exactly_the_run_time() {
        let report = script(ProgramConfig::default()).unwrap();
        assert_eq!(report["balances_nos_base_units"]["project"].as_u64().unwrap(), 5_000 * NOS - 600 * 43);
    }
}
