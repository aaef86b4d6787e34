//! What the test does to the world: an `Action` per instruction a client (or an attacker)
//! could send, the proptest strategies that generate them, and `build`, which turns an action
//! into a transaction against the world as it is now.
//!
//! Participants are drawn by index from the world's pools, so right and wrong combinations
//! both occur. Job actions carry a `coherent` flag: coherent ones read the job and run they
//! refer to from the bank (payer, node, market, price) the way a client would; the others mix
//! in an unrelated node, project, job or a stale key.

use nosana_layouts::accounts::{JobAccount, RunAccount};
use nosana_layouts::enums::job_state;
use nosana_layouts::ids::{self, NOS, NOS_DECIMALS, NOS_MINT};
use nosana_layouts::instruction::{AccountMeta, Instruction, InstructionSpec};
use nosana_layouts::instructions::{jobs as jobs_spec, nodes as nodes_spec, pools as pools_spec};
use nosana_layouts::instructions::{rewards as rewards_spec, staking as staking_spec};
use nosana_layouts::math::{DURATION_MAX, DURATION_MIN};
use nosana_layouts::pda;
use nosana_reference::Pubkey;
use nosana_reference::client::jobs::{self, RunParties};
use nosana_reference::client::{pools, rewards, spl, staking};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::world::{Tx, World};

const DAY: i64 = 86_400;

#[derive(Clone, Debug)]
pub enum Action {
    // Jobs.
    List {
        market: Index,
        project: Index,
        payer: Index,
        timeout: i64,
        legacy: bool,
        ipfs: [u8; 32],
    },
    Assign {
        market: Index,
        node: Index,
        project: Index,
        timeout: i64,
    },
    Work {
        market: Index,
        node: Index,
    },
    Stop {
        market: Index,
        node: Index,
        by_owner: bool,
    },
    Finish {
        run: Index,
        job: Index,
        node: Index,
        coherent: bool,
        result: [u8; 32],
    },
    End {
        run: Index,
        job: Index,
        project: Index,
        coherent: bool,
    },
    Complete {
        job: Index,
        node: Index,
        coherent: bool,
        result: [u8; 32],
    },
    Quit {
        run: Index,
        job: Index,
        node: Index,
        coherent: bool,
    },
    QuitAdmin {
        run: Index,
        coherent: bool,
    },
    Claim {
        job: Index,
        market: Index,
        node: Index,
        coherent: bool,
    },
    Delist {
        job: Index,
        project: Index,
        coherent: bool,
    },
    Recover {
        job: Index,
        project: Index,
        user: Index,
        coherent: bool,
    },
    Extend {
        job: Index,
        project: Index,
        added: i64,
        coherent: bool,
    },
    Clean {
        job: Index,
        cranker: Index,
        coherent: bool,
    },
    CleanAdmin {
        job: Index,
        coherent: bool,
    },
    // Staking.
    Stake {
        who: Index,
        amount: u64,
        duration: u64,
    },
    Topup {
        who: Index,
        amount: u64,
    },
    ExtendStake {
        who: Index,
        duration: u64,
    },
    Unstake {
        who: Index,
    },
    Withdraw {
        who: Index,
    },
    Restake {
        who: Index,
    },
    CloseStake {
        who: Index,
    },
    Slash {
        who: Index,
        amount: u64,
        by_authority: bool,
        to_settings_account: bool,
        other: Index,
    },
    // Rewards and pools.
    Enter {
        who: Index,
    },
    AddFee {
        who: Index,
        amount: u64,
    },
    ClaimReward {
        who: Index,
    },
    Sync {
        who: Index,
        cranker: Index,
    },
    CloseReward {
        who: Index,
    },
    ClaimFee {
        cranker: Index,
    },
    /// The SDK's unstake: claim_fee, rewards claim, rewards close, staking unstake in one tx.
    SdkUnstake {
        who: Index,
    },
    // Token.
    Burn {
        who: Index,
        amount: u64,
        checked: bool,
    },
    // Clock.
    Warp(i64),
    /// Random data to a Nosana program with random accounts and flags.
    Garbage {
        program: Index,
        discriminator: Option<Index>,
        args: Vec<u8>,
        metas: Vec<(Index, bool, bool)>,
        payer: Index,
    },
    /// Several actions in one transaction (fee payer of the first), so that a late failure
    /// must roll back an early success.
    Batch(Vec<Action>),
}

fn ipfs() -> impl Strategy<Value = [u8; 32]> {
    prop_oneof![9 => any::<[u8; 32]>(), 1 => Just([0u8; 32])]
}

fn timeout() -> impl Strategy<Value = i64> {
    prop_oneof![8 => 1i64..=7_200, 1 => Just(0i64), 1 => -10i64..0]
}

fn nos(max: u64) -> impl Strategy<Value = u64> {
    prop_oneof![6 => 1..=max * NOS, 1 => Just(0u64), 1 => Just(u64::MAX)]
}

fn coherent() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.85)
}

fn stake_duration() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(DURATION_MIN),
        Just(DURATION_MIN - 1),
        Just(30 * DAY as u64),
        Just(180 * DAY as u64),
        Just(DURATION_MAX),
        Just(DURATION_MAX + 1),
        Just(0u64),
    ]
}

/// One action that is not a batch.
pub fn single() -> impl Strategy<Value = Action> {
    let i = any::<Index>;
    let jobs = prop_oneof![
        5 => (i(), i(), i(), timeout(), prop::bool::weighted(0.1), ipfs()).prop_map(
            |(market, project, payer, timeout, legacy, ipfs)| Action::List { market, project, payer, timeout, legacy, ipfs }
        ),
        1 => (i(), i(), i(), timeout()).prop_map(|(market, node, project, timeout)| Action::Assign {
            market,
            node,
            project,
            timeout
        }),
        5 => (i(), i()).prop_map(|(market, node)| Action::Work { market, node }),
        1 => (i(), i(), any::<bool>()).prop_map(|(market, node, by_owner)| Action::Stop { market, node, by_owner }),
        3 => (i(), i(), i(), coherent(), ipfs())
            .prop_map(|(run, job, node, coherent, result)| Action::Finish { run, job, node, coherent, result }),
        2 => (i(), i(), i(), coherent()).prop_map(|(run, job, project, coherent)| Action::End { run, job, project, coherent }),
        1 => (i(), i(), coherent(), ipfs())
            .prop_map(|(job, node, coherent, result)| Action::Complete { job, node, coherent, result }),
        2 => (i(), i(), i(), coherent()).prop_map(|(run, job, node, coherent)| Action::Quit { run, job, node, coherent }),
        1 => (i(), coherent()).prop_map(|(run, coherent)| Action::QuitAdmin { run, coherent }),
        3 => (i(), i(), i(), coherent()).prop_map(|(job, market, node, coherent)| Action::Claim { job, market, node, coherent }),
        1 => (i(), i(), coherent()).prop_map(|(job, project, coherent)| Action::Delist { job, project, coherent }),
        1 => (i(), i(), i(), coherent())
            .prop_map(|(job, project, user, coherent)| Action::Recover { job, project, user, coherent }),
        1 => (i(), i(), -100i64..=7_200, coherent())
            .prop_map(|(job, project, added, coherent)| Action::Extend { job, project, added, coherent }),
        1 => (i(), i(), coherent()).prop_map(|(job, cranker, coherent)| Action::Clean { job, cranker, coherent }),
        1 => (i(), coherent()).prop_map(|(job, coherent)| Action::CleanAdmin { job, coherent }),
    ];
    let stakes = prop_oneof![
        (i(), nos(20_000), stake_duration()).prop_map(|(who, amount, duration)| Action::Stake {
            who,
            amount,
            duration
        }),
        (i(), nos(5_000)).prop_map(|(who, amount)| Action::Topup { who, amount }),
        (i(), prop_oneof![Just(0u64), 1..=200 * DAY as u64])
            .prop_map(|(who, duration)| Action::ExtendStake { who, duration }),
        i().prop_map(|who| Action::Unstake { who }),
        i().prop_map(|who| Action::Withdraw { who }),
        i().prop_map(|who| Action::Restake { who }),
        i().prop_map(|who| Action::CloseStake { who }),
        (i(), nos(3_000), prop::bool::weighted(0.9), prop::bool::weighted(0.9), i()).prop_map(
            |(who, amount, by_authority, to_settings_account, other)| Action::Slash {
                who,
                amount,
                by_authority,
                to_settings_account,
                other
            }
        ),
    ];
    let rewards = prop_oneof![
        i().prop_map(|who| Action::Enter { who }),
        (i(), nos(1_000)).prop_map(|(who, amount)| Action::AddFee { who, amount }),
        i().prop_map(|who| Action::ClaimReward { who }),
        (i(), i()).prop_map(|(who, cranker)| Action::Sync { who, cranker }),
        i().prop_map(|who| Action::CloseReward { who }),
        i().prop_map(|cranker| Action::ClaimFee { cranker }),
        i().prop_map(|who| Action::SdkUnstake { who }),
        (i(), nos(2_000), any::<bool>()).prop_map(|(who, amount, checked)| Action::Burn { who, amount, checked }),
    ];
    let warp = prop_oneof![
        4 => Just(Action::Warp(0)),
        8 => (1i64..=3 * DAY).prop_map(Action::Warp),
        1 => (3 * DAY..=30 * DAY).prop_map(Action::Warp),
    ];
    let garbage = (
        i(),
        prop::option::weighted(0.7, i()),
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec((i(), any::<bool>(), any::<bool>()), 0..14),
        i(),
    )
        .prop_map(|(program, discriminator, args, metas, payer)| Action::Garbage {
            program,
            discriminator,
            args,
            metas,
            payer,
        });
    prop_oneof![16 => jobs, 5 => stakes, 4 => rewards, 3 => warp, 2 => garbage]
}

/// A single action, or now and then a batch of two or three in one transaction.
pub fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        14 => single(),
        1 => prop::collection::vec(single().prop_filter("no warp inside a tx", |a| !matches!(a, Action::Warp(_))), 2..=3)
            .prop_map(Action::Batch),
    ]
}

/// The program ids and instruction tables garbage draws from.
const PROGRAMS: [(Pubkey, &[InstructionSpec]); 5] = [
    (ids::JOBS_PROGRAM_ID, jobs_spec::ALL),
    (ids::STAKING_PROGRAM_ID, staking_spec::ALL),
    (ids::REWARDS_PROGRAM_ID, rewards_spec::ALL),
    (ids::POOLS_PROGRAM_ID, pools_spec::ALL),
    (ids::NODES_PROGRAM_ID, nodes_spec::ALL),
];

fn pick<T: Copy>(list: &[T], i: &Index) -> T {
    list[i.index(list.len())]
}

/// A job to act on. Coherent picks take a live job matching `want`; the others (and coherent
/// ones when no job matches) pick any key ever handed out, closed ones included.
fn pick_job(w: &World, i: &Index, coherent: bool, want: impl Fn(&JobAccount) -> bool) -> Pubkey {
    if w.jobs.is_empty() {
        return w.projects[0];
    }
    if coherent {
        let wanted: Vec<Pubkey> = w.jobs.iter().filter(|k| w.job(k).is_some_and(|j| want(&j))).copied().collect();
        if !wanted.is_empty() {
            return pick(&wanted, i);
        }
    }
    pick(&w.jobs, i)
}

/// A run to act on, live ones first when coherent.
fn pick_run(w: &World, i: &Index, coherent: bool) -> Pubkey {
    if w.runs.is_empty() {
        return w.nodes[0];
    }
    if coherent {
        let live: Vec<Pubkey> = w.runs.iter().filter(|k| w.run(k).is_some()).copied().collect();
        if !live.is_empty() {
            return pick(&live, i);
        }
    }
    pick(&w.runs, i)
}

/// What a settlement needs to know about a job: market, payer, project, price.
struct JobView {
    market: Pubkey,
    payer: Pubkey,
    project: Pubkey,
    price: u64,
    timeout: i64,
    node: Pubkey,
}

fn view(w: &World, job: &Pubkey) -> JobView {
    match w.job(job) {
        Some(j) => JobView {
            market: j.market,
            payer: j.payer,
            project: j.project,
            price: j.price,
            timeout: j.timeout,
            node: j.node,
        },
        None => JobView {
            market: w.markets[0].key,
            payer: w.projects[0],
            project: w.projects[0],
            price: w.markets[0].params.job_price,
            timeout: 0,
            node: w.nodes[0],
        },
    }
}

/// The run's job and parties when coherent, or a mix of the picked ones otherwise.
fn run_context(w: &World, run: &Index, job: &Index, node: &Index, coherent: bool) -> (Pubkey, Pubkey, Pubkey, Pubkey) {
    let run_key = pick_run(w, run, coherent);
    match w.run(&run_key).filter(|_| coherent) {
        Some(RunAccount { job, node, payer, .. }) => (run_key, job, node, payer),
        None => {
            let node = pick(&w.nodes, node);
            (run_key, pick_job(w, job, false, |_| true), node, node)
        }
    }
}

fn tx(payer: Pubkey, ixs: Vec<Instruction>) -> Tx {
    Tx { payer, ixs, burn: 0 }
}

impl Action {
    /// The transaction this action sends now, or `None` for a clock warp.
    pub fn build(&self, w: &mut World) -> Option<Tx> {
        Some(match self {
            Action::List { market, project, payer, timeout, legacy, ipfs } => {
                let market = pick(&w.markets, market).key;
                let project = pick(&w.projects, project);
                // Usually the project pays for its own jobs; sometimes another wallet does.
                let payer = if payer.index(4) == 0 { pick(&w.projects, payer) } else { project };
                let (job, run) = (w.new_job(), w.new_run());
                let ix = if *legacy {
                    jobs::list_legacy(&job, &market, &run, &payer, &project, *ipfs)
                } else {
                    jobs::list(&job, &market, &run, &payer, &project, *ipfs, *timeout)
                };
                tx(project, vec![ix])
            }
            Action::Assign { market, node, project, timeout } => {
                let market = pick(&w.markets, market).key;
                let (node, project) = (pick(&w.nodes, node), pick(&w.projects, project));
                let (job, run) = (w.new_job(), w.new_run());
                tx(project, vec![jobs::assign(&job, &market, &run, &node, &project, &project, [3; 32], *timeout)])
            }
            Action::Work { market, node } => {
                let market = pick(&w.markets, market).key;
                let node = pick(&w.nodes, node);
                let run = w.new_run();
                tx(node, vec![jobs::work(&run, &market, &node, &node, None)])
            }
            Action::Stop { market, node, by_owner } => {
                let market = pick(&w.markets, market).key;
                let node = pick(&w.nodes, node);
                let authority = if *by_owner { w.market_owner } else { node };
                tx(authority, vec![jobs::stop(&market, &node, &authority)])
            }
            Action::Finish { run, job, node, coherent, result } => {
                let (run, job, node, run_payer) = run_context(w, run, job, node, *coherent);
                let j = view(w, &job);
                let parties = RunParties { job_payer: j.payer, run_payer, node };
                tx(node, vec![jobs::finish(&job, &run, &j.market, &parties, j.price, *result)])
            }
            Action::End { run, job, project, coherent } => {
                let (run, job, node, run_payer) = run_context(w, run, job, project, *coherent);
                let j = view(w, &job);
                let authority = if *coherent { j.project } else { pick(&w.projects, project) };
                let parties = RunParties { job_payer: j.payer, run_payer, node };
                tx(authority, vec![jobs::end(&job, &j.market, &run, &parties, &authority, j.price)])
            }
            Action::Complete { job, node, coherent, result } => {
                let job = pick_job(w, job, *coherent, |j| j.state == job_state::DONE && !j.has_result());
                let node = if *coherent { view(w, &job).node } else { pick(&w.nodes, node) };
                let node = if node == Pubkey::default() { w.nodes[0] } else { node };
                tx(node, vec![jobs::complete(&job, &node, *result)])
            }
            Action::Quit { run, job, node, coherent } => {
                let (run, job, node, run_payer) = run_context(w, run, job, node, *coherent);
                tx(node, vec![jobs::quit(&job, &run, &run_payer, &node)])
            }
            Action::QuitAdmin { run, coherent } => {
                let run = pick_run(w, run, *coherent);
                let payer = w.run(&run).map_or(w.nodes[0], |r| r.payer);
                tx(ids::MARKET_ADMIN, vec![jobs::quit_admin(&run, &payer)])
            }
            Action::Claim { job, market, node, coherent } => {
                let job = pick_job(w, job, *coherent, |j| j.state == job_state::STOPPED);
                let market = if *coherent { view(w, &job).market } else { pick(&w.markets, market).key };
                let node = pick(&w.nodes, node);
                let run = w.new_run();
                tx(node, vec![jobs::claim(&job, &run, &market, &node, &node, None)])
            }
            Action::Delist { job, project, coherent } => {
                let job = pick_job(w, job, *coherent, |j| j.state == job_state::QUEUED);
                let j = view(w, &job);
                let authority = if *coherent { j.project } else { pick(&w.projects, project) };
                tx(authority, vec![jobs::delist(&job, &j.market, &j.payer, &authority)])
            }
            Action::Recover { job, project, user, coherent } => {
                let job = pick_job(w, job, *coherent, |j| j.state == job_state::STOPPED);
                let j = view(w, &job);
                let authority = if *coherent { j.project } else { pick(&w.projects, project) };
                // `user` is unconstrained on chain: any token account, the project's ATA mostly.
                let user = if user.index(3) == 0 { pick(&w.token_accounts(), user) } else { pda::nos_ata(&authority) };
                tx(authority, vec![jobs::recover(&job, &j.market, &j.payer, &authority, &user)])
            }
            Action::Extend { job, project, added, coherent } => {
                let job = pick_job(w, job, *coherent, |j| j.state == job_state::QUEUED);
                let j = view(w, &job);
                let authority = if *coherent { j.project } else { pick(&w.projects, project) };
                let timeout = j.timeout.saturating_add(*added);
                tx(authority, vec![jobs::extend(&job, &j.market, &j.payer, &authority, timeout)])
            }
            Action::Clean { job, cranker, coherent } => {
                let job = pick_job(w, job, *coherent, |j| j.state == job_state::DONE);
                let j = view(w, &job);
                let cranker = pick(&w.wallets(), cranker);
                tx(cranker, vec![jobs::clean(&job, &j.market, &j.payer)])
            }
            Action::CleanAdmin { job, coherent } => {
                let job = pick_job(w, job, *coherent, |j| j.state == job_state::DONE);
                let payer = view(w, &job).payer;
                tx(ids::MARKET_ADMIN, vec![jobs::clean_admin(&job, &payer)])
            }
            Action::Stake { who, amount, duration } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![staking::stake(&who, *amount, *duration)])
            }
            Action::Topup { who, amount } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![staking::topup(&who, *amount)])
            }
            Action::ExtendStake { who, duration } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![staking::extend(&who, *duration)])
            }
            Action::Unstake { who } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![staking::unstake(&who)])
            }
            Action::Withdraw { who } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![staking::withdraw(&who)])
            }
            Action::Restake { who } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![staking::restake(&who)])
            }
            Action::CloseStake { who } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![staking::close(&who)])
            }
            Action::Slash { who, amount, by_authority, to_settings_account, other } => {
                let staker = pick(&w.stakeholders(), who);
                let slasher = if *by_authority { ids::AUTHORITY } else { pick(&w.wallets(), other) };
                let dest = if *to_settings_account { ids::TOKEN_ACCOUNT } else { pick(&w.token_accounts(), other) };
                tx(slasher, vec![staking::slash(&slasher, &staker, &dest, *amount)])
            }
            Action::Enter { who } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![rewards::enter(&who)])
            }
            Action::AddFee { who, amount } => {
                let who = pick(&w.wallets(), who);
                tx(who, vec![rewards::add_fee(&who, *amount)])
            }
            Action::ClaimReward { who } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![rewards::claim(&who)])
            }
            Action::Sync { who, cranker } => {
                let who = pick(&w.stakeholders(), who);
                let cranker = pick(&w.wallets(), cranker);
                tx(cranker, vec![rewards::sync(&who)])
            }
            Action::CloseReward { who } => {
                let who = pick(&w.stakeholders(), who);
                tx(who, vec![rewards::close(&who)])
            }
            Action::ClaimFee { cranker } => {
                let cranker = pick(&w.wallets(), cranker);
                tx(cranker, vec![pools::claim_fee(&w.pool, &cranker)])
            }
            Action::SdkUnstake { who } => {
                let who = pick(&w.stakeholders(), who);
                let ixs = vec![
                    pools::claim_fee(&w.pool, &who),
                    rewards::claim(&who),
                    rewards::close(&who),
                    staking::unstake(&who),
                ];
                tx(who, ixs)
            }
            Action::Burn { who, amount, checked } => {
                let mut holders = w.stakeholders();
                holders.push(w.treasury);
                let who = pick(&holders, who);
                let ata = pda::nos_ata(&who);
                let ix = if *checked {
                    spl::burn_checked(&ata, &NOS_MINT, &who, *amount, NOS_DECIMALS)
                } else {
                    spl::burn(&ata, &NOS_MINT, &who, *amount)
                };
                Tx { payer: who, ixs: vec![ix], burn: *amount }
            }
            Action::Warp(_) => return None,
            Action::Garbage { program, discriminator, args, metas, payer } => {
                let (program_id, table) = PROGRAMS[program.index(PROGRAMS.len())];
                let mut data = match discriminator {
                    Some(d) => table[d.index(table.len())].discriminator.to_vec(),
                    None => vec![],
                };
                data.extend_from_slice(args);
                let keys = w.garbage_keys();
                let accounts = metas
                    .iter()
                    .map(|(k, is_signer, is_writable)| AccountMeta {
                        pubkey: pick(&keys, k),
                        is_signer: *is_signer,
                        is_writable: *is_writable,
                    })
                    .collect();
                let payer = pick(&w.wallets(), payer);
                tx(payer, vec![Instruction { program_id, accounts, data }])
            }
            Action::Batch(actions) => {
                let mut txs = actions.iter().filter_map(|a| a.build(w));
                let mut first = txs.next()?;
                for t in txs {
                    first.ixs.extend(t.ixs);
                    first.burn = first.burn.saturating_add(t.burn);
                }
                first
            }
        })
    }
}
