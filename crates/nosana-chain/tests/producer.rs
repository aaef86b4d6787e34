//! Blocks from the producer: real signed transactions a Solana SDK parses and verifies,
//! account writes, determinism, and dead forks that change nothing.

use std::sync::Arc;

use nosana_chain::{Chain, MessageVersion, Signer, TxRequest, derive_keypair};
use nosana_layouts::ids::{NOS, NOS_MINT};
use nosana_layouts::pda;
use nosana_reference::client::spl;
use nosana_reference::genesis::Genesis;
use nosana_reference::{ProgramConfig, TransactionError};
use solana_transaction::versioned::VersionedTransaction;

struct World {
    chain: Chain,
    alice: Arc<nosana_chain::Keypair>,
    bob: Arc<nosana_chain::Keypair>,
}

fn world() -> World {
    let mut g = Genesis::new(ProgramConfig::default());
    let alice = Arc::new(derive_keypair(1, "alice"));
    let bob = Arc::new(derive_keypair(1, "bob"));
    g.fund(&alice.pubkey(), 10_000_000_000);
    g.fund(&bob.pubkey(), 10_000_000_000);
    g.mint_nos(&alice.pubkey(), 100 * NOS).unwrap();
    g.mint_nos(&bob.pubkey(), 0).unwrap();
    World { chain: Chain::new(g.bank, 1_000), alice, bob }
}

fn transfer(w: &World, amount: u64, version: MessageVersion) -> TxRequest {
    let (a, b) = (w.alice.pubkey(), w.bob.pubkey());
    TxRequest {
        payer: w.alice.clone(),
        signers: vec![],
        instructions: vec![spl::transfer(&pda::nos_ata(&a), &pda::nos_ata(&b), &a, amount)],
        version,
    }
}

#[test]
fn legacy_and_v0_transactions_parse_and_verify_with_the_solana_sdk() {
    let mut w = world();
    let reqs = [transfer(&w, NOS, MessageVersion::Legacy), transfer(&w, 2 * NOS, MessageVersion::V0)];
    let (block, rejected) = w.chain.produce(1_001, 1_750_000_000, &reqs);
    assert!(rejected.is_empty());
    assert_eq!(block.transactions.len(), 2);
    for (tx, legacy) in block.transactions.iter().zip([true, false]) {
        let parsed: VersionedTransaction = wincode::deserialize(&tx.wire).expect("SDK parses the wire bytes");
        parsed.verify_and_hash_message().expect("signatures verify");
        assert_eq!(parsed.signatures[0].as_ref(), tx.signature().as_ref());
        assert_eq!(parsed.message.static_account_keys(), &tx.message.account_keys[..]);
        assert_eq!(parsed.message.recent_blockhash().to_bytes(), tx.message.recent_blockhash);
        assert_eq!(tx.wire[1 + 64] & 0x80 == 0, legacy, "v0 messages start with the version prefix");
        assert_eq!(parsed.message.header().num_required_signatures, tx.message.header.num_required_signatures);
        let ix = &parsed.message.instructions()[0];
        assert_eq!(ix.data, tx.message.instructions[0].data);
        assert_eq!(ix.accounts, tx.message.instructions[0].accounts);
        assert!(tx.succeeded());
    }
    assert_eq!(w.chain.bank().token_balance(&pda::nos_ata(&w.bob.pubkey())), 3 * NOS);
}

#[test]
fn blocks_link_to_their_parents_and_count_height() {
    let mut w = world();
    let (b1, _) = w.chain.produce(1_001, 100, &[]);
    let (b2, _) = w.chain.produce(1_003, 101, &[transfer(&w, 1, MessageVersion::Legacy)]);
    assert_eq!((b1.parent_slot, b2.parent_slot), (1_000, 1_001));
    assert_eq!(b2.parent_blockhash, b1.blockhash);
    assert_eq!((b1.block_height, b2.block_height), (1, 2));
    assert_ne!(b1.blockhash, b2.blockhash);
    assert_eq!(b2.transactions[0].message.recent_blockhash, b1.blockhash);
}

#[test]
fn account_writes_follow_transactions_with_increasing_versions() {
    let mut w = world();
    let reqs = [transfer(&w, NOS, MessageVersion::Legacy), transfer(&w, 1_000 * NOS, MessageVersion::Legacy)];
    let (block, _) = w.chain.produce(1_001, 100, &reqs);
    assert!(block.transactions[0].succeeded() && !block.transactions[1].succeeded());
    let versions: Vec<u64> = block.account_writes.iter().map(|a| a.write_version).collect();
    assert!(versions.windows(2).all(|p| p[0] < p[1]));
    // The successful transfer writes the payer and both token accounts; the failed one only the payer.
    let first: Vec<_> =
        block.account_writes.iter().filter(|a| a.txn_signature == Some(*block.transactions[0].signature())).collect();
    assert_eq!(first.len(), 3);
    let bob_ata = first.iter().find(|a| a.pubkey == pda::nos_ata(&w.bob.pubkey())).unwrap();
    assert_eq!(nosana_layouts::spl::TokenAccount::unpack(&bob_ata.account.data).unwrap().amount, NOS);
    let second: Vec<_> =
        block.account_writes.iter().filter(|a| a.txn_signature == Some(*block.transactions[1].signature())).collect();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].pubkey, w.alice.pubkey());
}

#[test]
fn the_same_requests_give_byte_identical_blocks() {
    let run = || {
        let mut w = world();
        let reqs = [transfer(&w, NOS, MessageVersion::V0), transfer(&w, 2, MessageVersion::Legacy)];
        w.chain.produce(1_001, 5, &reqs).0
    };
    assert_eq!(run(), run());
}

#[test]
fn a_block_of_many_requests_is_signed_on_every_core_in_request_order() {
    // Enough requests for the producer to sign them on several threads.
    let run = || {
        let mut w = world();
        let reqs: Vec<TxRequest> = (1..=100u64)
            .map(|i| transfer(&w, i, if i % 2 == 0 { MessageVersion::V0 } else { MessageVersion::Legacy }))
            .collect();
        let (block, rejected) = w.chain.produce(1_001, 5, &reqs);
        assert!(rejected.is_empty());
        block
    };
    let block = run();
    assert_eq!(block.transactions.len(), 100);
    for (i, tx) in block.transactions.iter().enumerate() {
        let parsed: VersionedTransaction = wincode::deserialize(&tx.wire).expect("SDK parses the wire bytes");
        parsed.verify_and_hash_message().expect("signatures verify");
        // SPL transfer data: tag 3, then the amount: request i moved i + 1.
        assert_eq!(tx.message.instructions[0].data[1..9], (i as u64 + 1).to_le_bytes());
        assert!(tx.succeeded());
    }
    assert_eq!(block, run());
}

#[test]
fn a_dead_fork_changes_no_state_and_does_not_move_the_head() {
    let mut w = world();
    let before = w.chain.bank().accounts().clone();
    let (dead, _) = w.chain.produce_dead(1_001, 5, &[transfer(&w, NOS, MessageVersion::Legacy)]);
    assert!(dead.dead && dead.transactions[0].succeeded());
    assert_eq!(w.chain.bank().accounts(), &before);
    assert_eq!(w.chain.last_slot(), 1_000);
    let (next, _) = w.chain.produce(1_002, 6, &[]);
    assert_eq!(next.parent_slot, 1_000);
}

#[test]
fn a_request_missing_a_signer_keypair_is_rejected() {
    let mut w = world();
    let mut req = transfer(&w, NOS, MessageVersion::Legacy);
    // bob's ATA is debited with bob as authority, but bob's keypair is not given.
    let (a, b) = (w.alice.pubkey(), w.bob.pubkey());
    req.instructions = vec![spl::transfer(&pda::nos_ata(&b), &pda::nos_ata(&a), &b, 1)];
    let (block, rejected) = w.chain.produce(1_001, 5, &[req]);
    assert!(block.transactions.is_empty());
    assert_eq!(rejected, vec![(0, TransactionError::SanitizeFailure)]);
    let _ = NOS_MINT;
}
