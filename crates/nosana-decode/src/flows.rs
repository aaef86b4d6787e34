//! Typed NOS flows: every SPL token movement of NOS, classified by the Nosana instruction that
//! made it (its direct CPI parent) and, for `rewards.add_fee`, by who called `add_fee`.

use std::collections::BTreeMap;

use nosana_layouts::Pubkey;
use nosana_layouts::ids::{NOS_MINT, TOKEN_PROGRAM_ID};

use crate::balances::TokenAccounts;
use crate::nosana::NosanaIx;
use crate::output::{FlowKind, Program, TokenFlow};
use crate::token::{MoveKind, TokenMove, token_move};
use crate::trace::{Step, ancestor};

/// What the classifier reads besides the movement itself.
pub(crate) struct FlowInputs<'a> {
    pub steps: &'a [Step<'a>],
    /// The decoded Nosana instruction of each step, aligned with `steps`.
    pub nosana: &'a [Option<NosanaIx>],
    pub accounts: &'a TokenAccounts,
    /// Pool vault → pool, for every pool a pools instruction of the transaction names.
    pub pool_vaults: BTreeMap<Pubkey, Pubkey>,
}

impl<'a> FlowInputs<'a> {
    fn nosana(&self, index: usize) -> Option<&'a NosanaIx> {
        self.nosana.get(index)?.as_ref()
    }
}

/// The flow of movement `mv` made by step `index`, or `None` when it is not a NOS flow (another
/// mint, a zero amount, or a plain transfer no Nosana instruction made).
pub(crate) fn flow(inp: &FlowInputs<'_>, index: usize, mv: &TokenMove) -> Option<TokenFlow> {
    let nos = match mv.mint {
        Some(mint) => mint == NOS_MINT,
        None => inp.accounts.is_nos(&mv.source) || inp.accounts.is_nos(&mv.destination),
    };
    if !nos || mv.amount == 0 {
        return None;
    }
    let at = inp.steps.get(index)?.at;
    let row = |kind, wallet, subject, market| TokenFlow {
        at,
        kind,
        mint: NOS_MINT,
        source: mv.source,
        destination: mv.destination,
        wallet,
        subject,
        market,
        amount: mv.amount,
    };
    let zero = Pubkey::default();
    match mv.kind {
        MoveKind::Burn => {
            return Some(row(FlowKind::Burn, inp.accounts.owner(&mv.source).unwrap_or(mv.authority), zero, zero));
        }
        MoveKind::Mint => {
            return Some(row(FlowKind::Mint, inp.accounts.owner(&mv.destination).unwrap_or_default(), zero, zero));
        }
        MoveKind::Transfer => {}
    }
    let (kind, by, subject) = classify(inp, index, mv)?;
    let (subject, market) = match (subject, by) {
        (Some(s), _) => (s, zero),
        (None, Some(by)) => subject_of(by),
        (None, None) => (zero, zero),
    };
    Some(row(kind, wallet(inp, kind, by, mv), subject, market))
}

/// The kind, the Nosana instruction the flow belongs to, and a subject when no instruction
/// names it (a pool funded by a plain transfer).
fn classify<'a>(
    inp: &FlowInputs<'a>,
    index: usize,
    mv: &TokenMove,
) -> Option<(FlowKind, Option<&'a NosanaIx>, Option<Pubkey>)> {
    let parent_index = inp.steps.get(index)?.parent;
    let Some((p_index, p)) = parent_index.and_then(|i| Some((i, inp.nosana(i)?))) else {
        // Not made by a Nosana program: only the funding of a pool is a Nosana flow.
        let pool = inp.pool_vaults.get(&mv.destination)?;
        return Some((FlowKind::PoolFund, None, Some(*pool)));
    };
    if p.is(Program::Rewards, "add_fee") {
        let caller = ancestor(inp.steps, p_index, |i| inp.nosana(i).is_some()).and_then(|i| inp.nosana(i));
        return Some(match caller.map(|c| c.program) {
            Some(Program::Jobs) => (FlowKind::Fee, caller, None),
            Some(Program::Pools) => (FlowKind::Emission, caller, None),
            _ => (FlowKind::Donation, None, None),
        });
    }
    let kind = match p.program {
        Program::Jobs => jobs_kind(inp, index, p_index, p, mv),
        Program::Staking => match p.name {
            "stake" => FlowKind::Stake,
            "topup" => FlowKind::Topup,
            "withdraw" => FlowKind::Withdraw,
            "slash" => FlowKind::Slash,
            _ => FlowKind::Other,
        },
        Program::Rewards if p.name == "claim" => FlowKind::Claim,
        Program::Pools => match p.name {
            "claim_transfer" | "claim_fee" => FlowKind::Emission,
            "close" => FlowKind::PoolReturn,
            "open" => FlowKind::PoolFund,
            _ => FlowKind::Other,
        },
        Program::Rewards | Program::Nodes => FlowKind::Other,
    };
    Some((kind, Some(p), None))
}

/// Jobs: deposits into and fees from list/assign/extend (the fee arrives here directly when the
/// source recorded no stack heights), payouts and refunds out of the market vault.
fn jobs_kind(inp: &FlowInputs<'_>, index: usize, p_index: usize, p: &NosanaIx, mv: &TokenMove) -> FlowKind {
    let vault = p.key("vault");
    match p.name {
        "list" | "assign" | "extend" if Some(mv.destination) == vault => FlowKind::Deposit,
        "list" | "assign" | "extend" if Some(mv.destination) == p.key("rewards_vault") => FlowKind::Fee,
        "finish" | "end" if Some(mv.source) == vault => {
            let (to_user, to_deposit) =
                (Some(mv.destination) == p.key("user"), Some(mv.destination) == p.key("deposit"));
            match (to_user, to_deposit) {
                (true, false) => FlowKind::Payout,
                (false, true) => FlowKind::Refund,
                // The node's and the refund's token account coincide: the program pays the node
                // first, then refunds.
                (true, true) if earlier_vault_payments(inp, index, p_index, mv.source) == 0 => FlowKind::Payout,
                (true, true) => FlowKind::Refund,
                (false, false) => FlowKind::Other,
            }
        }
        "delist" | "recover" if Some(mv.source) == vault => FlowKind::Refund,
        _ => FlowKind::Other,
    }
}

/// Transfers out of `vault` that step `p_index` made before step `index`.
fn earlier_vault_payments(inp: &FlowInputs<'_>, index: usize, p_index: usize, vault: Pubkey) -> usize {
    inp.steps[..index.min(inp.steps.len())]
        .iter()
        .filter(|s| s.parent == Some(p_index))
        .filter_map(|s| {
            let (program, keys) = s.resolved.as_ref().ok()?;
            (*program == TOKEN_PROGRAM_ID).then(|| token_move(keys, &s.raw.data).ok().flatten())?
        })
        .filter(|m| m.kind == MoveKind::Transfer && m.source == vault && m.amount > 0)
        .count()
}

/// Subject and market from the instruction's named accounts.
fn subject_of(by: &NosanaIx) -> (Pubkey, Pubkey) {
    let zero = Pubkey::default();
    match by.program {
        Program::Jobs if matches!(by.name, "close" | "close_admin") => {
            (by.key_or_zero("market"), by.key_or_zero("market"))
        }
        Program::Jobs => (by.key_or_zero("job"), by.key_or_zero("market")),
        Program::Staking | Program::Rewards => (by.key_or_zero("stake"), zero),
        Program::Pools => (by.key_or_zero("pool"), zero),
        Program::Nodes => (zero, zero),
    }
}

/// The user-side wallet: the owner of the paying token account for money going in, of the
/// receiving one for money coming out; zero for slashes, fee emissions and other flows.
fn wallet(inp: &FlowInputs<'_>, kind: FlowKind, by: Option<&NosanaIx>, mv: &TokenMove) -> Pubkey {
    let named = |name: &str| by.and_then(|b| b.key(name));
    let found = match kind {
        FlowKind::Deposit
        | FlowKind::Fee
        | FlowKind::Stake
        | FlowKind::Topup
        | FlowKind::PoolFund
        | FlowKind::Donation => inp.accounts.owner(&mv.source).or(Some(mv.authority)),
        FlowKind::Payout => inp
            .accounts
            .owner(&mv.destination)
            .or_else(|| by.filter(|b| b.name == "finish").and_then(|b| b.key("authority"))),
        FlowKind::Refund => {
            inp.accounts.owner(&mv.destination).or_else(|| named("payer_job")).or_else(|| named("payer"))
        }
        FlowKind::Withdraw | FlowKind::Claim | FlowKind::PoolReturn => {
            inp.accounts.owner(&mv.destination).or_else(|| named("authority"))
        }
        FlowKind::Emission if by.is_some_and(|b| b.name == "claim_transfer") => inp.accounts.owner(&mv.destination),
        _ => None,
    };
    found.unwrap_or_default()
}
