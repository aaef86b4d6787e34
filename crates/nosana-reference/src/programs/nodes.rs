//! `nosana_nodes`: a node's self-declared hardware at PDA `["node", authority]`, audited by
//! the Nosana authority.

use nosana_layouts::accounts::{AnchorAccount, NodeAccount};
use nosana_layouts::enums::{architecture, country};
use nosana_layouts::errors::{anchor as ae, common as ce, nodes as ne};
use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, find_spec};
use nosana_layouts::instructions::nodes::{ALL, NodeSpecs, NodesInstruction};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

use crate::anchor::{self, create_account, enter, expect_pda, load, store};
use crate::error::{ProgramError, ProgramResult, ensure, ensure_key};
use crate::invoke::InvokeContext;

/// Runs one nodes instruction: logs its name, decodes the arguments, then the handler.
pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    let spec =
        find_spec(ALL, "nosana_nodes", data).map_err(|_| ProgramError::anchor(ae::INSTRUCTION_FALLBACK_NOT_FOUND))?;
    enter(ctx, spec)?;
    let ix = NodesInstruction::decode(data).map_err(|_| ProgramError::anchor(ae::INSTRUCTION_DID_NOT_DESERIALIZE))?;
    let keys = anchor::accounts(spec, accounts)?;
    match ix {
        NodesInstruction::Register(specs) => register(ctx, &keys, specs),
        NodesInstruction::Audit { audited } => audit(ctx, &keys, audited),
        NodesInstruction::Update(specs) => update(ctx, &keys, specs),
    }
}

/// `register`: creates the node PDA (paid by `payer`) holding the declared hardware.
fn register(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], specs: NodeSpecs) -> ProgramResult {
    let [node, payer, authority, system_program] = anchor::slots(keys)?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")?;
    expect_pda(&node, pda::node(&authority), "node")?;
    let program = ctx.program_id();
    create_account(ctx, &payer, &node, NodeAccount::SPACE, &program, true)?;
    let value = declare(authority, false, specs)?;
    store(ctx, &node, &value)
}

/// `audit(audited)`: only the Nosana authority may mark a node audited or not.
fn audit(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], audited: bool) -> ProgramResult {
    let [node, authority] = anchor::slots(keys)?;
    let mut value = load::<NodeAccount>(ctx, &node, "node")?;
    ensure_key(&authority, &ids::AUTHORITY, ce::UNAUTHORIZED, "authority")?;
    value.audited = audited;
    store(ctx, &node, &value)
}

/// `update`: the node's authority re-declares its hardware; the audit flag stays.
fn update(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], specs: NodeSpecs) -> ProgramResult {
    let [node, authority] = anchor::slots(keys)?;
    let current = load::<NodeAccount>(ctx, &node, "node")?;
    ensure_key(&current.authority, &authority, ce::UNAUTHORIZED, "node")?;
    let value = declare(authority, current.audited, specs)?;
    store(ctx, &node, &value)
}

/// `NodeAccount::update`'s checks, then the account it writes. `gpu` may be zero (the
/// program's `require_gte!(gpu, 0)` cannot fail).
fn declare(authority: Pubkey, audited: bool, s: NodeSpecs) -> ProgramResult<NodeAccount> {
    ensure(architecture::from_u8(s.architecture_type) != architecture::UNKNOWN, ne::ARCHITECTURE_UNKNOWN)?;
    ensure(!country::is_rejected(s.country_code), ne::COUNTRY_CODE_UNKNOWN)?;
    ensure(s.cpu > 0, ne::CPU_INVALID)?;
    ensure(s.memory > 0, ne::MEMORY_INVALID)?;
    ensure(s.iops > 0, ne::IOPS_INVALID)?;
    ensure(s.storage > 0, ne::STORAGE_INVALID)?;
    Ok(NodeAccount {
        authority,
        audited,
        architecture: s.architecture_type,
        country: s.country_code,
        cpu: s.cpu,
        gpu: s.gpu,
        memory: s.memory,
        iops: s.iops,
        storage: s.storage,
        endpoint: s.endpoint,
        icon: s.icon,
        version: s.version,
    })
}
