//! `nosana_nodes` instructions. The node PDA is derived from its authority.

use nosana_layouts::ids::{self, NODES_PROGRAM_ID};
use nosana_layouts::instruction::Instruction;
use nosana_layouts::instructions::nodes::{self as spec, NodeSpecs, NodesInstruction};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

/// Registers `authority`'s node with `specs`; `payer` funds the account.
pub fn register(payer: &Pubkey, authority: &Pubkey, specs: &NodeSpecs) -> Instruction {
    let keys = [pda::node(authority).0, *payer, *authority, ids::SYSTEM_PROGRAM_ID];
    spec::REGISTER.instruction(NODES_PROGRAM_ID, &keys, NodesInstruction::Register(specs.clone()).encode())
}

/// `auditor` (must be the Nosana authority) sets the audit flag of `node_authority`'s node.
pub fn audit(auditor: &Pubkey, node_authority: &Pubkey, audited: bool) -> Instruction {
    let keys = [pda::node(node_authority).0, *auditor];
    spec::AUDIT.instruction(NODES_PROGRAM_ID, &keys, NodesInstruction::Audit { audited }.encode())
}

/// `authority` re-declares its node's hardware.
pub fn update(authority: &Pubkey, specs: &NodeSpecs) -> Instruction {
    let keys = [pda::node(authority).0, *authority];
    spec::UPDATE.instruction(NODES_PROGRAM_ID, &keys, NodesInstruction::Update(specs.clone()).encode())
}
