//! The nodes program: registering, updating and auditing a node's declared hardware, and
//! every validation the program applies.

use nosana_layouts::accounts::{AnchorAccount, NODE_STRINGS_CAPACITY, NodeAccount};
use nosana_layouts::errors::{ErrorDef, anchor as ae, common as ce, nodes as ne};
use nosana_layouts::ids::{self, NODES_PROGRAM_ID};
use nosana_layouts::instructions::nodes::NodeSpecs;
use nosana_layouts::pda;
use nosana_reference::bank::rent_exempt_minimum;
use nosana_reference::client::nodes as nd;
use nosana_reference::genesis::{Genesis, SOL, address};
use nosana_reference::{ExecutedTransaction, Instruction, InstructionError, ProgramConfig, Pubkey, TransactionError};

fn setup() -> (Genesis, Pubkey) {
    let mut g = Genesis::new(ProgramConfig::default());
    let node = address("node-1");
    g.fund(&node, SOL);
    (g, node)
}

fn specs() -> NodeSpecs {
    NodeSpecs {
        architecture_type: 0,
        country_code: 528,
        cpu: 16,
        gpu: 1,
        memory: 64,
        iops: 1_000,
        storage: 512,
        endpoint: "https://node-1.example".into(),
        icon: "icon".into(),
        version: "1.0.0".into(),
    }
}

fn ok(g: &mut Genesis, payer: &Pubkey, ixs: &[Instruction]) -> ExecutedTransaction {
    let tx = g.run(payer, ixs).expect("transaction is included");
    assert!(tx.succeeded(), "{:?}\n{}", tx.meta.status, tx.meta.log_messages.join("\n"));
    tx
}

/// The transaction fails with `err` (code and log line) and changes nothing but the payer's fee.
fn fails_with(g: &mut Genesis, payer: &Pubkey, ixs: &[Instruction], err: ErrorDef) {
    let before = g.bank.accounts().clone();
    let tx = g.run(payer, ixs).expect("transaction is included");
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(0, InstructionError::Custom(err.code))));
    let line = format!("Error Code: {}.", err.name);
    assert!(
        tx.meta.log_messages.iter().any(|l| l.contains(&line)),
        "no `{line}` in\n{}",
        tx.meta.log_messages.join("\n")
    );
    let mut expected = before;
    expected.get_mut(payer).expect("payer exists").lamports -= tx.meta.fee;
    assert_eq!(g.bank.accounts(), &expected);
}

fn node_of(g: &Genesis, authority: &Pubkey) -> NodeAccount {
    g.bank.load::<NodeAccount>(&pda::node(authority).0).expect("node account")
}

#[test]
fn register_creates_the_node_pda_with_the_declared_hardware_paid_by_the_payer() {
    let (mut g, node) = setup();
    let payer = address("operator");
    g.fund(&payer, SOL);
    let tx = ok(&mut g, &payer, &[nd::register(&payer, &node, &specs())]);
    let s = specs();
    assert_eq!(
        node_of(&g, &node),
        NodeAccount {
            authority: node,
            audited: false,
            architecture: 0,
            country: 528,
            cpu: s.cpu,
            gpu: s.gpu,
            memory: s.memory,
            iops: s.iops,
            storage: s.storage,
            endpoint: s.endpoint,
            icon: s.icon,
            version: s.version,
        }
    );
    let account = g.bank.get(&pda::node(&node).0).expect("node account");
    assert_eq!((account.owner, account.data.len()), (NODES_PROGRAM_ID, NodeAccount::SPACE));
    assert_eq!(g.bank.lamports(&payer), SOL - tx.meta.fee - rent_exempt_minimum(NodeAccount::SPACE));
    assert_eq!(g.bank.lamports(&node), SOL, "the authority only signs");
    assert!(tx.meta.log_messages.iter().any(|l| l == "Program log: Instruction: Register"));
}

#[test]
fn a_node_registers_only_once() {
    let (mut g, node) = setup();
    ok(&mut g, &node, &[nd::register(&node, &node, &specs())]);
    let tx = g.run(&node, &[nd::register(&node, &node, &specs())]).expect("included");
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(0, InstructionError::Custom(0))));
    assert!(tx.meta.log_messages.iter().any(|l| l.contains("already in use")));
}

#[test]
fn register_at_another_address_violates_the_seeds() {
    let (mut g, node) = setup();
    let mut ix = nd::register(&node, &node, &specs());
    ix.accounts[0].pubkey = pda::node(&address("someone-else")).0;
    fails_with(&mut g, &node, &[ix], ae::CONSTRAINT_SEEDS);
}

#[test]
fn update_redeclares_the_hardware_and_keeps_the_audit_flag() {
    let (mut g, node) = setup();
    g.fund(&ids::AUTHORITY, SOL);
    ok(&mut g, &node, &[nd::register(&node, &node, &specs())]);
    ok(&mut g, &ids::AUTHORITY, &[nd::audit(&ids::AUTHORITY, &node, true)]);
    let new = NodeSpecs { architecture_type: 3, country_code: 840, cpu: 8, gpu: 0, version: "2.0.0".into(), ..specs() };
    ok(&mut g, &node, &[nd::update(&node, &new)]);
    let stored = node_of(&g, &node);
    assert_eq!((stored.architecture, stored.country, stored.cpu, stored.gpu), (3, 840, 8, 0));
    assert_eq!(stored.version, "2.0.0");
    assert!(stored.audited);
}

#[test]
fn only_the_node_authority_may_update_it() {
    let (mut g, node) = setup();
    let mallory = address("mallory");
    g.fund(&mallory, SOL);
    ok(&mut g, &node, &[nd::register(&node, &node, &specs())]);
    let mut ix = nd::update(&mallory, &specs());
    ix.accounts[0].pubkey = pda::node(&node).0;
    fails_with(&mut g, &mallory, &[ix], ce::UNAUTHORIZED);
}

#[test]
fn audit_is_reserved_to_the_nosana_authority() {
    let (mut g, node) = setup();
    g.fund(&ids::AUTHORITY, SOL);
    ok(&mut g, &node, &[nd::register(&node, &node, &specs())]);
    fails_with(&mut g, &node, &[nd::audit(&node, &node, true)], ce::UNAUTHORIZED);
    assert!(!node_of(&g, &node).audited);
    // The authority signs; anyone may pay.
    ok(&mut g, &node, &[nd::audit(&ids::AUTHORITY, &node, true)]);
    assert!(node_of(&g, &node).audited);
    ok(&mut g, &ids::AUTHORITY, &[nd::audit(&ids::AUTHORITY, &node, false)]);
    assert!(!node_of(&g, &node).audited);
}

#[test]
fn each_hardware_field_is_validated_on_register_and_update() {
    let (mut g, node) = setup();
    let cases: [(NodeSpecs, ErrorDef); 7] = [
        (NodeSpecs { architecture_type: 10, ..specs() }, ne::ARCHITECTURE_UNKNOWN),
        (NodeSpecs { architecture_type: 255, ..specs() }, ne::ARCHITECTURE_UNKNOWN),
        (NodeSpecs { country_code: 999, ..specs() }, ne::COUNTRY_CODE_UNKNOWN),
        (NodeSpecs { cpu: 0, ..specs() }, ne::CPU_INVALID),
        (NodeSpecs { memory: 0, ..specs() }, ne::MEMORY_INVALID),
        (NodeSpecs { iops: 0, ..specs() }, ne::IOPS_INVALID),
        (NodeSpecs { storage: 0, ..specs() }, ne::STORAGE_INVALID),
    ];
    for (bad, err) in &cases {
        fails_with(&mut g, &node, &[nd::register(&node, &node, bad)], *err);
    }
    ok(&mut g, &node, &[nd::register(&node, &node, &specs())]);
    for (bad, err) in &cases {
        fails_with(&mut g, &node, &[nd::update(&node, bad)], *err);
    }
    assert_eq!(node_of(&g, &node).cpu, specs().cpu);
}

#[test]
fn gpu_may_be_zero_and_every_known_architecture_is_accepted() {
    let (mut g, node) = setup();
    ok(&mut g, &node, &[nd::register(&node, &node, &NodeSpecs { gpu: 0, architecture_type: 9, ..specs() })]);
    assert_eq!(node_of(&g, &node).gpu, 0);
    for arch in 0..=9 {
        ok(&mut g, &node, &[nd::update(&node, &NodeSpecs { architecture_type: arch, ..specs() })]);
        assert_eq!(node_of(&g, &node).architecture, arch);
    }
}

#[test]
fn ethiopia_is_rejected_because_its_code_equals_unknown_as_u8() {
    let (mut g, node) = setup();
    fails_with(
        &mut g,
        &node,
        &[nd::register(&node, &node, &NodeSpecs { country_code: 231, ..specs() })],
        ne::COUNTRY_CODE_UNKNOWN,
    );
    ok(&mut g, &node, &[nd::register(&node, &node, &NodeSpecs { country_code: 232, ..specs() })]);
    assert_eq!(node_of(&g, &node).country, 232);
}

#[test]
fn strings_share_the_accounts_spare_bytes_and_overflowing_them_fails() {
    let (mut g, node) = setup();
    let fits =
        NodeSpecs { endpoint: "e".repeat(NODE_STRINGS_CAPACITY - 2), icon: "i".into(), version: "v".into(), ..specs() };
    ok(&mut g, &node, &[nd::register(&node, &node, &fits)]);
    assert_eq!(node_of(&g, &node).endpoint.len(), NODE_STRINGS_CAPACITY - 2);
    let too_long = NodeSpecs { version: "vv".into(), ..fits.clone() };
    fails_with(&mut g, &node, &[nd::update(&node, &too_long)], ae::ACCOUNT_DID_NOT_SERIALIZE);

    let other = address("node-2");
    g.fund(&other, SOL);
    fails_with(&mut g, &other, &[nd::register(&other, &other, &too_long)], ae::ACCOUNT_DID_NOT_SERIALIZE);
}
