//! Markets: opening, updating and closing them, the queue's capacity, node eligibility
//! (stake and access NFTs), and instruction dispatch errors.

mod common;

use common::{PRICE, TIMEOUT, World, default_params};
use nosana_layouts::accounts::{AnchorAccount, LEGACY_MARKET_SPACE, MarketAccount};
use nosana_layouts::enums::{job_type, queue_type};
use nosana_layouts::errors::{anchor as ae, common as ce, jobs as je};
use nosana_layouts::ids::{self, NOS_MINT};
use nosana_layouts::instruction::Instruction;
use nosana_layouts::pda;
use nosana_reference::bank::rent_exempt_minimum;
use nosana_reference::client::{jobs, spl};
use nosana_reference::genesis::address;
use nosana_reference::{Account, InstructionError, ProgramConfig, Pubkey, TransactionError};

#[test]
fn open_creates_a_10224_byte_market_with_an_empty_queue_and_a_self_owned_vault() {
    let w = World::new();
    let m = w.market();
    let (vault, bump) = pda::market_vault(&w.market);
    assert_eq!(w.g.bank.get(&w.market).map(|a| a.data.len()), Some(10_224));
    assert_eq!(w.g.bank.get(&w.market).map(|a| a.owner), Some(ids::JOBS_PROGRAM_ID));
    assert_eq!((m.authority, m.vault, m.vault_bump), (w.owner, vault, bump));
    assert_eq!(
        (m.job_price, m.job_timeout, m.job_expiration, m.job_type),
        (PRICE, TIMEOUT, common::EXPIRATION, job_type::GPU)
    );
    assert_eq!((m.queue_type, m.queue.len()), (queue_type::EMPTY, 0));
    assert_eq!(m.node_access_key, ids::SYSTEM_PROGRAM_ID);
    let v = w.g.bank.token_account(&vault).expect("vault token account");
    assert_eq!((v.mint, v.owner, v.amount), (NOS_MINT, vault, 0));
}

#[test]
fn an_out_of_range_job_type_is_stored_as_unknown_and_such_a_market_queues_nothing() {
    let mut params = default_params();
    params.job_type = 9;
    let mut w = World::with(ProgramConfig::default(), params, ids::SYSTEM_PROGRAM_ID);
    assert_eq!(w.market().job_type, job_type::UNKNOWN);
    let (job, _) = w.list(TIMEOUT);
    assert_eq!(w.job(&job).state, 0);
    assert!(w.market().queue.is_empty());
    assert_eq!(w.market().queue_type, queue_type::EMPTY);
}

#[test]
fn update_overwrites_the_settings_for_the_market_authority_only() {
    let mut w = World::new();
    let (market, owner, stranger) = (w.market, w.owner, w.nodes[0]);
    let mut params = default_params();
    params.job_price = 7;
    params.job_timeout = 60;
    params.job_expiration = 10;
    params.node_xnos_minimum = 5;
    let collection = address("collection");
    w.fails(&stranger, &[jobs::update(&market, &stranger, &collection, &params)], 0, ce::UNAUTHORIZED);
    w.ok(&owner, &[jobs::update(&market, &owner, &collection, &params)]);
    let m = w.market();
    assert_eq!((m.job_price, m.job_timeout, m.job_expiration, m.node_xnos_minimum), (7, 60, 10, 5));
    assert_eq!(m.node_access_key, collection);
}

#[test]
fn close_sends_the_vault_balance_to_user_and_both_accounts_rent_to_the_authority() {
    let mut w = World::new();
    let (market, owner, project, vault) = (w.market, w.owner, w.project, w.vault());
    w.ok(&project, &[spl::transfer(&pda::nos_ata(&project), &vault, &project, 1_234)]);
    let stranger = w.nodes[0];
    let user = pda::nos_ata(&owner);
    w.fails(&stranger, &[jobs::close(&market, &stranger, &user)], 0, ce::UNAUTHORIZED);
    let rent = w.g.bank.lamports(&market) + w.g.bank.lamports(&vault);
    let before = w.g.bank.lamports(&owner);
    w.ok(&owner, &[jobs::close(&market, &owner, &user)]);
    assert!(w.g.bank.get(&market).is_none());
    assert!(w.g.bank.get(&vault).is_none());
    assert_eq!(w.g.bank.token_balance(&user), 1_234);
    assert_eq!(w.g.bank.lamports(&owner), before + rent - 5_000);
}

#[test]
fn close_admin_closes_any_market_when_the_market_admin_signs() {
    let mut w = World::new();
    let (market, owner) = (w.market, w.owner);
    let user = pda::nos_ata(&owner);
    let mut forged = jobs::close_admin(&market, &user);
    forged.accounts[3].pubkey = owner;
    w.fails(&owner, &[forged], 0, ce::UNAUTHORIZED);
    w.ok(&ids::MARKET_ADMIN, &[jobs::close_admin(&market, &user)]);
    assert!(w.g.bank.get(&market).is_none());
    assert!(w.g.bank.get(&w.vault()).is_none());
}

fn list_ix(w: &mut World) -> Instruction {
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    jobs::list(&job, &market, &run, &project, &project, [1; 32], 10)
}

#[test]
fn a_market_queue_holds_314_entries_and_the_315th_push_fails_to_serialise() {
    let mut w = World::new();
    let project = w.project;
    for _ in 0..314 {
        let ix = list_ix(&mut w);
        w.ok(&project, &[ix]);
    }
    assert_eq!(w.market().queue.len(), MarketAccount::queue_capacity(10_224));
    let ix = list_ix(&mut w);
    let job = ix.accounts[0].pubkey;
    w.fails(&project, &[ix], 0, ae::ACCOUNT_DID_NOT_SERIALIZE);
    assert!(w.g.bank.get(&job).is_none(), "the failed list created nothing");
    assert_eq!(w.market().queue.len(), 314);
}

#[test]
fn a_legacy_3376_byte_market_holds_100_entries() {
    let mut w = World::new();
    let m = w.market();
    let mut data = vec![0u8; LEGACY_MARKET_SPACE];
    m.write_into(&mut data).expect("fits");
    let market = w.market;
    w.g.bank.store(market, Account::new(rent_exempt_minimum(data.len()), data, ids::JOBS_PROGRAM_ID));
    let project = w.project;
    for _ in 0..100 {
        let ix = list_ix(&mut w);
        w.ok(&project, &[ix]);
    }
    assert_eq!(w.g.bank.get(&market).map(|a| a.data.len()), Some(LEGACY_MARKET_SPACE));
    let ix = list_ix(&mut w);
    w.fails(&project, &[ix], 0, ae::ACCOUNT_DID_NOT_SERIALIZE);
    assert_eq!(w.market().queue.len(), 100);
}

#[test]
fn a_node_needs_a_stake_at_its_stake_pda_with_enough_xnos() {
    let mut w = World::new();
    let (market, newcomer) = (w.market, w.g.wallet("newcomer", 0).expect("wallet"));
    let run = w.key("run");
    let tx = w.g.run(&newcomer, &[jobs::work(&run, &market, &newcomer, &newcomer, None)]).expect("included");
    assert_eq!(
        tx.meta.status,
        Err(TransactionError::InstructionError(0, InstructionError::Custom(ae::ACCOUNT_NOT_INITIALIZED.code)))
    );

    w.stake(&newcomer, 999 * ids::NOS as u128);
    w.fails(&newcomer, &[jobs::work(&run, &market, &newcomer, &newcomer, None)], 0, je::NODE_NOT_ENOUGH_STAKE);

    let mut borrowed = jobs::work(&run, &market, &newcomer, &newcomer, None);
    borrowed.accounts[3].pubkey = pda::stake(&w.nodes[0]).0;
    w.fails(&newcomer, &[borrowed], 0, je::NODE_STAKE_UNAUTHORIZED);

    w.stake(&newcomer, 1_000 * ids::NOS as u128);
    w.ok(&newcomer, &[jobs::work(&run, &market, &newcomer, &newcomer, None)]);
    assert_eq!(w.market().queue, vec![newcomer]);
}

fn gated_world() -> (World, Pubkey) {
    let collection = address("gpu-collection");
    (World::with(ProgramConfig::default(), default_params(), collection), collection)
}

#[test]
fn a_gated_market_accepts_a_node_holding_a_verified_nft_of_its_collection() {
    let (mut w, collection) = gated_world();
    let n0 = w.nodes[0];
    let mint = w.give_access_nft(&n0, &collection, true);
    let (run, market) = (w.key("run"), w.market);
    w.ok(&n0, &[jobs::work(&run, &market, &n0, &n0, Some(&mint))]);
    assert_eq!(w.market().queue, vec![n0]);
}

#[test]
fn a_gated_market_rejects_a_wrong_or_unverified_collection() {
    let (mut w, collection) = gated_world();
    let (n0, n1, market) = (w.nodes[0], w.nodes[1], w.market);
    let other = w.give_access_nft(&n0, &address("other-collection"), true);
    let unverified = w.give_access_nft(&n1, &collection, false);
    let run = w.key("run");
    w.fails(&n0, &[jobs::work(&run, &market, &n0, &n0, Some(&other))], 0, je::NODE_KEY_INVALID_COLLECTION);
    w.fails(&n1, &[jobs::work(&run, &market, &n1, &n1, Some(&unverified))], 0, je::NODE_KEY_INVALID_COLLECTION);
    assert!(w.market().queue.is_empty());
}

#[test]
fn a_gated_market_checks_the_nft_owner_amount_and_metadata_address() {
    let (mut w, collection) = gated_world();
    let (n0, n1, market) = (w.nodes[0], w.nodes[1], w.market);
    let mint = w.give_access_nft(&n0, &collection, true);
    let run = w.key("run");

    let mut someone_elses = jobs::work(&run, &market, &n1, &n1, Some(&mint));
    someone_elses.accounts[4].pubkey = pda::associated_token_account(&n0, &mint);
    w.fails(&n1, &[someone_elses], 0, je::NODE_NFT_WRONG_OWNER);

    let mut wrong_metadata = jobs::work(&run, &market, &n0, &n0, Some(&mint));
    wrong_metadata.accounts[5].pubkey = pda::metadata(&address("elsewhere")).0;
    w.fails(&n0, &[wrong_metadata], 0, je::NODE_NFT_WRONG_METADATA);

    let ata = pda::associated_token_account(&n0, &mint);
    let mut emptied = w.g.bank.get(&ata).cloned().expect("nft account");
    emptied.data = nosana_layouts::spl::TokenAccount::new(mint, n0, 0).pack();
    w.g.bank.store(ata, emptied);
    w.fails(&n0, &[jobs::work(&run, &market, &n0, &n0, Some(&mint))], 0, je::NODE_NFT_INVALID_AMOUNT);
}

#[test]
fn an_unknown_discriminator_and_short_arguments_are_anchor_dispatch_errors() {
    let mut w = World::new();
    let (job, market, project) = (w.key("job"), w.market, w.project);
    let mut unknown = jobs::delist(&job, &market, &project, &project);
    unknown.data = vec![1, 2, 3, 4, 5, 6, 7, 8];
    w.fails(&project, &[unknown], 0, ae::INSTRUCTION_FALLBACK_NOT_FOUND);
    let mut short = jobs::extend(&job, &market, &project, &project, 100);
    short.data.truncate(12);
    w.fails(&project, &[short], 0, ae::INSTRUCTION_DID_NOT_DESERIALIZE);
}
