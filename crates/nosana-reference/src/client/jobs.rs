//! `nosana_jobs` instructions, one builder per instruction. Builders take the participants
//! (wallets and keypair addresses) and derive the vault, stake, metadata PDAs and ATAs.
//! Keypair accounts (market, job, run) are signers through the declared flags.

use nosana_layouts::ids;
use nosana_layouts::instruction::{Instruction, InstructionSpec};
use nosana_layouts::instructions::jobs::{self as spec, JobsInstruction};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

/// A market's settings, as `open` and `update` take them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketParams {
    pub job_expiration: i64,
    /// NOS base units per second.
    pub job_price: u64,
    pub job_timeout: i64,
    pub job_type: u8,
    pub node_xnos_minimum: u128,
}

/// The two participants of a run: who pays for the job and who runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunParties {
    /// `job.payer`: the deposit's owner, refunded on settlement.
    pub job_payer: Pubkey,
    /// `run.payer`: paid the run's rent and gets it back.
    pub run_payer: Pubkey,
    /// The node wallet (`run.node`).
    pub node: Pubkey,
}

fn build(s: &InstructionSpec, keys: &[Pubkey], ix: JobsInstruction) -> Instruction {
    s.instruction(ids::JOBS_PROGRAM_ID, keys, ix.encode())
}

/// The vault of `market`.
pub fn vault(market: &Pubkey) -> Pubkey {
    pda::market_vault(market).0
}

/// The `nft` and `metadata` slots: the node's ATA of its access NFT and the NFT's Metaplex
/// metadata, or the System program id twice on open markets.
fn access_slots(node: &Pubkey, nft_mint: Option<&Pubkey>) -> (Pubkey, Pubkey) {
    match nft_mint {
        Some(mint) => (pda::associated_token_account(node, mint), pda::metadata(mint).0),
        None => (ids::SYSTEM_PROGRAM_ID, ids::SYSTEM_PROGRAM_ID),
    }
}

/// `open`: `authority` creates `market` (a fresh keypair) and its vault. `access_key` is the
/// NFT collection nodes need, or the System program id for an open market.
pub fn open(market: &Pubkey, authority: &Pubkey, access_key: &Pubkey, p: &MarketParams) -> Instruction {
    let keys = [
        ids::NOS_MINT,
        *market,
        vault(market),
        *authority,
        *access_key,
        ids::RENT_SYSVAR_ID,
        ids::SYSTEM_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
    ];
    let ix = JobsInstruction::Open {
        job_expiration: p.job_expiration,
        job_price: p.job_price,
        job_timeout: p.job_timeout,
        job_type: p.job_type,
        node_xnos_minimum: p.node_xnos_minimum,
    };
    build(&spec::OPEN, &keys, ix)
}

/// `update`: the market authority replaces the market's settings.
pub fn update(market: &Pubkey, authority: &Pubkey, access_key: &Pubkey, p: &MarketParams) -> Instruction {
    let ix = JobsInstruction::Update {
        job_expiration: p.job_expiration,
        job_price: p.job_price,
        job_type: p.job_type,
        node_stake_minimum: p.node_xnos_minimum,
        job_timeout: Some(p.job_timeout),
    };
    build(&spec::UPDATE, &[*market, *access_key, *authority], ix)
}

/// `close`: the market authority closes the market; the vault's tokens go to `user`.
pub fn close(market: &Pubkey, authority: &Pubkey, user: &Pubkey) -> Instruction {
    let keys = [*market, vault(market), *user, *authority, ids::TOKEN_PROGRAM_ID];
    build(&spec::CLOSE, &keys, JobsInstruction::Close)
}

/// `close_admin`: the market admin closes any market; the vault's tokens go to `user`.
pub fn close_admin(market: &Pubkey, user: &Pubkey) -> Instruction {
    let keys = [*market, vault(market), *user, ids::MARKET_ADMIN, ids::TOKEN_PROGRAM_ID];
    build(&spec::CLOSE_ADMIN, &keys, JobsInstruction::CloseAdmin)
}

fn list_keys(job: &Pubkey, market: &Pubkey, run: &Pubkey, payer: &Pubkey, authority: &Pubkey) -> [Pubkey; 12] {
    [
        *job,
        *market,
        *run,
        pda::nos_ata(payer),
        vault(market),
        *payer,
        pda::rewards_reflection().0,
        pda::rewards_vault().0,
        *authority,
        ids::REWARDS_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
        ids::SYSTEM_PROGRAM_ID,
    ]
}

/// `list`: `authority` (the project) posts `job`, `payer` funds it from its NOS ATA. `run`
/// is a fresh keypair, used only when a node is waiting.
pub fn list(
    job: &Pubkey,
    market: &Pubkey,
    run: &Pubkey,
    payer: &Pubkey,
    authority: &Pubkey,
    ipfs_job: [u8; 32],
    timeout: i64,
) -> Instruction {
    let keys = list_keys(job, market, run, payer, authority);
    build(&spec::LIST, &keys, JobsInstruction::List { ipfs_job, timeout: Some(timeout) })
}

/// The pre-2024-11 `list` (40 bytes of data): the market's `job_timeout` applies.
pub fn list_legacy(
    job: &Pubkey,
    market: &Pubkey,
    run: &Pubkey,
    payer: &Pubkey,
    authority: &Pubkey,
    ipfs_job: [u8; 32],
) -> Instruction {
    let keys = list_keys(job, market, run, payer, authority);
    build(&spec::LIST, &keys, JobsInstruction::List { ipfs_job, timeout: None })
}

/// `assign`: posts `job` straight to `node`, which must be waiting in the node queue.
#[allow(clippy::too_many_arguments)]
pub fn assign(
    job: &Pubkey,
    market: &Pubkey,
    run: &Pubkey,
    node: &Pubkey,
    payer: &Pubkey,
    authority: &Pubkey,
    ipfs_job: [u8; 32],
    timeout: i64,
) -> Instruction {
    let l = list_keys(job, market, run, payer, authority);
    let keys = [l[0], l[1], l[2], *node, l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10], l[11]];
    build(&spec::ASSIGN, &keys, JobsInstruction::Assign { ipfs_job, timeout })
}

/// `delist`: the project takes a queued job back; the deposit returns to the payer's ATA.
pub fn delist(job: &Pubkey, market: &Pubkey, payer: &Pubkey, authority: &Pubkey) -> Instruction {
    let keys = [*job, *market, pda::nos_ata(payer), *payer, vault(market), ids::TOKEN_PROGRAM_ID, *authority];
    build(&spec::DELIST, &keys, JobsInstruction::Delist)
}

/// `recover`: the project takes back the deposit of a stopped job into `user`.
pub fn recover(job: &Pubkey, market: &Pubkey, payer: &Pubkey, authority: &Pubkey, user: &Pubkey) -> Instruction {
    let keys = [*job, *market, vault(market), *user, *payer, *authority, ids::TOKEN_PROGRAM_ID];
    build(&spec::RECOVER, &keys, JobsInstruction::Recover)
}

/// `extend`: raises the job's timeout to `timeout` seconds; `payer` tops up the deposit.
pub fn extend(job: &Pubkey, market: &Pubkey, payer: &Pubkey, authority: &Pubkey, timeout: i64) -> Instruction {
    let keys = [
        *job,
        *market,
        pda::nos_ata(payer),
        vault(market),
        pda::rewards_reflection().0,
        pda::rewards_vault().0,
        *authority,
        *payer,
        ids::REWARDS_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
    ];
    build(&spec::EXTEND, &keys, JobsInstruction::Extend { timeout })
}

/// Token accounts a settlement pays into: the node's and the job payer's ATAs, or the
/// vault for both when the job is free (as the SDK does).
fn settlement_slots(market: &Pubkey, parties: &RunParties, price: u64) -> (Pubkey, Pubkey) {
    if price == 0 {
        (vault(market), vault(market))
    } else {
        (pda::nos_ata(&parties.job_payer), pda::nos_ata(&parties.node))
    }
}

/// `end`: the project ends a running job. `price` is the job's price.
pub fn end(
    job: &Pubkey,
    market: &Pubkey,
    run: &Pubkey,
    parties: &RunParties,
    authority: &Pubkey,
    price: u64,
) -> Instruction {
    let (deposit, user) = settlement_slots(market, parties, price);
    let keys =
        [*job, *market, *run, deposit, user, vault(market), parties.run_payer, *authority, ids::TOKEN_PROGRAM_ID];
    build(&spec::END, &keys, JobsInstruction::End)
}

/// `finish`: the node posts its result and is paid. `price` is the job's price.
pub fn finish(
    job: &Pubkey,
    run: &Pubkey,
    market: &Pubkey,
    parties: &RunParties,
    price: u64,
    ipfs_result: [u8; 32],
) -> Instruction {
    let (deposit, user) = settlement_slots(market, parties, price);
    let keys = [
        *job,
        *run,
        *market,
        vault(market),
        deposit,
        user,
        parties.run_payer,
        parties.job_payer,
        parties.node,
        ids::TOKEN_PROGRAM_ID,
    ];
    build(&spec::FINISH, &keys, JobsInstruction::Finish { ipfs_result })
}

/// `work`: `node` queues up or takes a job; `run` is a fresh keypair. `nft_mint` is the
/// node's access NFT on gated markets.
pub fn work(run: &Pubkey, market: &Pubkey, payer: &Pubkey, node: &Pubkey, nft_mint: Option<&Pubkey>) -> Instruction {
    let (nft, metadata) = access_slots(node, nft_mint);
    let keys = [*run, *market, *payer, pda::stake(node).0, nft, metadata, *node, ids::SYSTEM_PROGRAM_ID];
    build(&spec::WORK, &keys, JobsInstruction::Work)
}

/// `stop`: takes `node` out of the node queue; `authority` is the node or the market authority.
pub fn stop(market: &Pubkey, node: &Pubkey, authority: &Pubkey) -> Instruction {
    build(&spec::STOP, &[*market, *node, *authority], JobsInstruction::Stop)
}

/// `claim`: `node` starts a run on a stopped job.
pub fn claim(
    job: &Pubkey,
    run: &Pubkey,
    market: &Pubkey,
    payer: &Pubkey,
    node: &Pubkey,
    nft_mint: Option<&Pubkey>,
) -> Instruction {
    let (nft, metadata) = access_slots(node, nft_mint);
    let keys = [*job, *run, *market, pda::stake(node).0, nft, metadata, *payer, *node, ids::SYSTEM_PROGRAM_ID];
    build(&spec::CLAIM, &keys, JobsInstruction::Claim)
}

/// `complete`: the node of an ended job posts its result.
pub fn complete(job: &Pubkey, node: &Pubkey, ipfs_result: [u8; 32]) -> Instruction {
    build(&spec::COMPLETE, &[*job, *node], JobsInstruction::Complete { ipfs_result })
}

/// `quit`: the running node gives the job up.
pub fn quit(job: &Pubkey, run: &Pubkey, run_payer: &Pubkey, node: &Pubkey) -> Instruction {
    build(&spec::QUIT, &[*job, *run, *run_payer, *node], JobsInstruction::Quit)
}

/// `quit_admin`: the market admin closes a run.
pub fn quit_admin(run: &Pubkey, run_payer: &Pubkey) -> Instruction {
    build(&spec::QUIT_ADMIN, &[*run, *run_payer, ids::MARKET_ADMIN], JobsInstruction::QuitAdmin)
}

/// `clean`: anyone closes an expired Done job; rent to the job payer.
pub fn clean(job: &Pubkey, market: &Pubkey, job_payer: &Pubkey) -> Instruction {
    build(&spec::CLEAN, &[*job, *market, *job_payer], JobsInstruction::Clean)
}

/// `clean_admin`: the market admin closes any job.
pub fn clean_admin(job: &Pubkey, job_payer: &Pubkey) -> Instruction {
    build(&spec::CLEAN_ADMIN, &[*job, *job_payer, ids::MARKET_ADMIN], JobsInstruction::CleanAdmin)
}
