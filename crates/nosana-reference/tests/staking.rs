//! The staking program end to end: every instruction's effects on accounts and token
//! balances, its errors (code and log line), atomicity and NOS conservation.

use nosana_layouts::accounts::{AnchorAccount, RewardAccount, SettingsAccount, StakeAccount};
use nosana_layouts::errors::{ErrorDef, anchor as ae, common as ce, staking as se};
use nosana_layouts::ids::{self, NOS, NOS_MINT, STAKING_PROGRAM_ID};
use nosana_layouts::instructions::staking::{STAKE, StakingInstruction};
use nosana_layouts::math::{self, DURATION_MAX, DURATION_MIN};
use nosana_layouts::pda;
use nosana_layouts::spl::{Mint, TokenAccount, TokenInstruction};
use nosana_reference::bank::rent_exempt_minimum;
use nosana_reference::client::staking as st;
use nosana_reference::genesis::{self, Genesis, SOL, address};
use nosana_reference::{
    Account, ExecutedTransaction, Instruction, InstructionError, ProgramConfig, Pubkey, TransactionError,
};

const AMOUNT: u64 = 1_000 * NOS;

/// Mainnet-like time: `time_unstake == 0` means "active", so the clock must not start at 0.
const NOW: i64 = 1_750_000_000;

fn setup() -> (Genesis, Pubkey) {
    let mut g = Genesis::new(ProgramConfig::default());
    g.warp(NOW);
    let alice = g.wallet("alice", 10_000 * NOS).expect("alice is funded");
    (g, alice)
}

/// Sum of NOS over every token account equals the mint's supply.
fn assert_conserved(g: &Genesis) {
    let held: u64 = g
        .bank
        .accounts()
        .values()
        .filter(|a| a.owner == ids::TOKEN_PROGRAM_ID)
        .filter_map(|a| TokenAccount::unpack(&a.data).ok())
        .filter(|t| t.mint == NOS_MINT)
        .map(|t| t.amount)
        .sum();
    assert_eq!(held, g.bank.mint(&NOS_MINT).expect("NOS mint").supply);
}

fn run(g: &mut Genesis, payer: &Pubkey, ixs: &[Instruction]) -> ExecutedTransaction {
    let tx = g.run(payer, ixs).expect("transaction is included");
    assert_conserved(g);
    tx
}

fn ok(g: &mut Genesis, payer: &Pubkey, ixs: &[Instruction]) -> ExecutedTransaction {
    let tx = run(g, payer, ixs);
    assert!(tx.succeeded(), "{:?}\n{}", tx.meta.status, tx.meta.log_messages.join("\n"));
    tx
}

/// Runs a transaction whose last instruction must fail with `code`, logged as `name`, and
/// checks that it changed nothing but the fee payer's lamports.
fn fails(g: &mut Genesis, payer: &Pubkey, ixs: &[Instruction], code: u32, name: &str) -> ExecutedTransaction {
    let before = g.bank.accounts().clone();
    let tx = run(g, payer, ixs);
    let index = (ixs.len() - 1) as u8;
    assert_eq!(tx.meta.status, Err(TransactionError::InstructionError(index, InstructionError::Custom(code))));
    assert!(
        tx.meta.log_messages.iter().any(|l| l.contains(name)),
        "no `{name}` in\n{}",
        tx.meta.log_messages.join("\n")
    );
    let mut expected = before;
    let payer_account = expected.get_mut(payer).expect("payer exists");
    payer_account.lamports -= tx.meta.fee;
    assert_eq!(g.bank.accounts(), &expected);
    tx
}

fn fails_with(g: &mut Genesis, payer: &Pubkey, ixs: &[Instruction], err: ErrorDef) -> ExecutedTransaction {
    fails(g, payer, ixs, err.code, &format!("Error Code: {}.", err.name))
}

fn stake_of(g: &Genesis, authority: &Pubkey) -> StakeAccount {
    g.bank.load::<StakeAccount>(&pda::stake(authority).0).expect("stake account")
}

fn vault_of(g: &Genesis, authority: &Pubkey) -> u64 {
    g.bank.token_balance(&pda::stake_vault(authority).0)
}

#[test]
fn stake_locks_tokens_in_a_self_owned_vault_and_scores_xnos() {
    let (mut g, alice) = setup();
    let lamports_before = g.bank.lamports(&alice);
    let tx = ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);

    let (vault, vault_bump) = pda::stake_vault(&alice);
    let stake = stake_of(&g, &alice);
    assert_eq!(
        stake,
        StakeAccount {
            amount: AMOUNT,
            authority: alice,
            duration: DURATION_MIN,
            time_unstake: 0,
            vault,
            vault_bump,
            xnos: math::xnos(AMOUNT, DURATION_MIN),
        }
    );
    assert_eq!(stake.xnos, 1_115_068_493, "×(1 + 14 days / 10_512_000 s)");
    let stake_account = g.bank.get(&pda::stake(&alice).0).expect("stake exists");
    assert_eq!((stake_account.owner, stake_account.data.len()), (STAKING_PROGRAM_ID, StakeAccount::SPACE));

    let vault_account = g.bank.token_account(&vault).expect("vault is a token account");
    assert_eq!((vault_account.mint, vault_account.owner, vault_account.amount), (NOS_MINT, vault, AMOUNT));
    assert_eq!(g.bank.token_balance(&pda::nos_ata(&alice)), 10_000 * NOS - AMOUNT);
    assert_eq!(tx.token_delta(&vault), AMOUNT as i128);
    let rent = rent_exempt_minimum(StakeAccount::SPACE) + rent_exempt_minimum(165);
    assert_eq!(g.bank.lamports(&alice), lamports_before - tx.meta.fee - rent);
}

#[test]
fn a_successful_stake_logs_and_traces_like_mainnet() {
    let (mut g, alice) = setup();
    let tx = ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    let logs = &tx.meta.log_messages;
    assert_eq!(logs[0], "Program nosScmHY2uR24Zh751PmGj9ww9QRNHewh9H59AfrTJE invoke [1]");
    assert_eq!(logs[1], "Program log: Instruction: Stake");
    assert_eq!(logs.last().map(String::as_str), Some("Program nosScmHY2uR24Zh751PmGj9ww9QRNHewh9H59AfrTJE success"));

    let keys = &tx.message.account_keys;
    let inner = &tx.meta.inner_instructions;
    assert_eq!(inner.len(), 1);
    let transfer = inner[0]
        .instructions
        .iter()
        .find(|i| {
            keys[i.instruction.program_id_index as usize] == ids::TOKEN_PROGRAM_ID
                && TokenInstruction::decode(&i.instruction.data).ok()
                    == Some(TokenInstruction::Transfer { amount: AMOUNT })
        })
        .expect("an inner token transfer");
    assert_eq!(transfer.stack_height, 2);
    let accounts: Vec<Pubkey> = transfer.instruction.accounts.iter().map(|&i| keys[i as usize]).collect();
    assert_eq!(accounts, vec![pda::nos_ata(&alice), pda::stake_vault(&alice).0, alice]);
    assert!(inner[0].instructions.iter().all(|i| i.stack_height == 2));
}

#[test]
fn stake_duration_must_lie_between_two_weeks_and_a_year() {
    let (mut g, alice) = setup();
    fails_with(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN - 1)], se::DURATION_TOO_SHORT);
    fails_with(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MAX + 1)], se::DURATION_TOO_LONG);
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MAX)]);
    assert_eq!(stake_of(&g, &alice).xnos, 4 * u128::from(AMOUNT));
    let bob = g.wallet("bob", AMOUNT).expect("bob");
    ok(&mut g, &bob, &[st::stake(&bob, AMOUNT, DURATION_MIN)]);
}

#[test]
fn a_duration_beyond_u64_is_too_long_not_truncated() {
    let (mut g, alice) = setup();
    let mut ix = st::stake(&alice, AMOUNT, DURATION_MIN);
    ix.data = StakingInstruction::Stake { amount: AMOUNT, duration: (1u128 << 64) + u128::from(DURATION_MIN) }.encode();
    fails_with(&mut g, &alice, &[ix], se::DURATION_TOO_LONG);
}

#[test]
fn a_wallet_can_hold_only_one_stake() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    // The vault PDA is already in use: the System program refuses to create it again.
    fails(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)], 0, "already in use");
    assert_eq!(vault_of(&g, &alice), AMOUNT);
}

#[test]
fn staking_another_mint_is_rejected_as_invalid_mint() {
    let (mut g, alice) = setup();
    let other = address("other-mint");
    let mint = Mint { mint_authority: None, supply: 0, decimals: 6, is_initialized: true, freeze_authority: None };
    g.bank.store(other, Account::new(rent_exempt_minimum(82), mint.pack(), ids::TOKEN_PROGRAM_ID));
    let seeds =
        |prefix: &[u8]| Pubkey::find_program_address(&[prefix, other.as_ref(), alice.as_ref()], &STAKING_PROGRAM_ID).0;
    let keys = [
        other,
        pda::nos_ata(&alice),
        seeds(b"vault"),
        seeds(b"stake"),
        alice,
        ids::SYSTEM_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
        ids::RENT_SYSVAR_ID,
    ];
    let data = StakingInstruction::Stake { amount: AMOUNT, duration: u128::from(DURATION_MIN) }.encode();
    let ix = STAKE.instruction(STAKING_PROGRAM_ID, &keys, data);
    let tx = fails_with(&mut g, &alice, &[ix], ce::INVALID_MINT);
    assert!(tx.meta.log_messages.iter().any(|l| l.contains("caused by account: mint")));
}

#[test]
fn a_vault_at_the_wrong_address_violates_its_seeds() {
    let (mut g, alice) = setup();
    let mut ix = st::stake(&alice, AMOUNT, DURATION_MIN);
    ix.accounts[2].pubkey = address("not-the-vault");
    fails_with(&mut g, &alice, &[ix], ae::CONSTRAINT_SEEDS);
}

#[test]
fn topup_adds_to_an_active_stake_and_rescores_xnos() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    ok(&mut g, &alice, &[st::topup(&alice, 500 * NOS)]);
    let stake = stake_of(&g, &alice);
    assert_eq!(stake.amount, AMOUNT + 500 * NOS);
    assert_eq!(stake.xnos, math::xnos(AMOUNT + 500 * NOS, DURATION_MIN));
    assert_eq!(vault_of(&g, &alice), AMOUNT + 500 * NOS);
    fails_with(&mut g, &alice, &[st::topup(&alice, 0)], se::AMOUNT_NOT_ENOUGH);
}

#[test]
fn topup_of_an_unstaked_stake_is_refused() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN), st::unstake(&alice)]);
    fails_with(&mut g, &alice, &[st::topup(&alice, NOS)], se::ALREADY_UNSTAKED);
}

#[test]
fn extend_lengthens_a_stake_up_to_a_year() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    ok(&mut g, &alice, &[st::extend(&alice, DURATION_MIN)]);
    let stake = stake_of(&g, &alice);
    assert_eq!(stake.duration, 2 * DURATION_MIN);
    assert_eq!(stake.xnos, math::xnos(AMOUNT, 2 * DURATION_MIN));
    fails_with(&mut g, &alice, &[st::extend(&alice, 0)], se::DURATION_TOO_SHORT);
    fails_with(&mut g, &alice, &[st::extend(&alice, DURATION_MAX - 2 * DURATION_MIN + 1)], se::DURATION_TOO_LONG);
    ok(&mut g, &alice, &[st::extend(&alice, DURATION_MAX - 2 * DURATION_MIN)]);
    assert_eq!(stake_of(&g, &alice).xnos, 4 * u128::from(AMOUNT));
}

#[test]
fn unstake_zeroes_xnos_and_starts_the_release_clock() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    g.warp(1_000);
    ok(&mut g, &alice, &[st::unstake(&alice)]);
    let stake = stake_of(&g, &alice);
    assert_eq!((stake.time_unstake, stake.xnos, stake.amount), (g.bank.clock.unix_timestamp, 0, AMOUNT));
    assert_eq!(vault_of(&g, &alice), AMOUNT);
    fails_with(&mut g, &alice, &[st::unstake(&alice)], se::ALREADY_UNSTAKED);
    fails_with(&mut g, &alice, &[st::extend(&alice, 1)], se::ALREADY_UNSTAKED);
}

#[test]
fn unstake_is_blocked_while_the_wallet_has_a_reward_account() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    let (reward, bump) = pda::reward(&alice);
    let entry = RewardAccount { authority: alice, bump, reflection: 0, xnos: 0 };
    genesis::store_anchor(&mut g.bank, reward, ids::REWARDS_PROGRAM_ID, &entry);
    let tx = fails_with(&mut g, &alice, &[st::unstake(&alice)], se::HAS_REWARD);
    assert!(tx.meta.log_messages.iter().any(|l| l.contains("caused by account: reward")));
    assert_eq!(stake_of(&g, &alice).time_unstake, 0);
}

#[test]
fn unstake_names_the_wrong_reward_address_an_invalid_account() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    let mut ix = st::unstake(&alice);
    ix.accounts[1].pubkey = address("some-other-account");
    fails_with(&mut g, &alice, &[ix], ce::INVALID_ACCOUNT);
}

#[test]
fn only_the_stake_authority_may_unstake_it() {
    let (mut g, alice) = setup();
    let bob = g.wallet("bob", 0).expect("bob");
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    let mut ix = st::unstake(&bob);
    ix.accounts[0].pubkey = pda::stake(&alice).0;
    fails_with(&mut g, &bob, &[ix], ce::UNAUTHORIZED);
}

#[test]
fn withdraw_releases_tokens_linearly_after_unstake() {
    let (mut g, alice) = setup();
    let ata = pda::nos_ata(&alice);
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    fails_with(&mut g, &alice, &[st::withdraw(&alice)], se::NOT_UNSTAKED);
    ok(&mut g, &alice, &[st::unstake(&alice)]);

    g.warp(DURATION_MIN as i64 / 2);
    let before = g.bank.token_balance(&ata);
    let tx = ok(&mut g, &alice, &[st::withdraw(&alice)]);
    let first = g.bank.token_balance(&ata) - before;
    assert_eq!(Some(first), math::withdraw_amount(AMOUNT, DURATION_MIN, AMOUNT, DURATION_MIN / 2));
    assert!((AMOUNT / 2 - 1..=AMOUNT / 2).contains(&first), "{first}");
    assert_eq!(tx.token_delta(&ata), first as i128);
    assert_eq!(stake_of(&g, &alice).amount, AMOUNT, "withdraw leaves the staked amount alone");

    // Nothing more is released in the same second.
    ok(&mut g, &alice, &[st::withdraw(&alice)]);
    assert_eq!(g.bank.token_balance(&ata), before + first);

    g.warp(DURATION_MIN as i64 / 2);
    ok(&mut g, &alice, &[st::withdraw(&alice)]);
    assert_eq!(g.bank.token_balance(&ata), 10_000 * NOS);
    assert_eq!(vault_of(&g, &alice), 0);
    fails_with(&mut g, &alice, &[st::withdraw(&alice)], ce::VAULT_EMPTY);
}

#[test]
fn restake_reactivates_with_what_the_vault_still_holds() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    fails_with(&mut g, &alice, &[st::restake(&alice)], se::ALREADY_STAKED);
    ok(&mut g, &alice, &[st::unstake(&alice)]);
    g.warp(DURATION_MIN as i64 / 4);
    ok(&mut g, &alice, &[st::withdraw(&alice)]);
    let left = vault_of(&g, &alice);
    assert!(left < AMOUNT);

    ok(&mut g, &alice, &[st::restake(&alice)]);
    let stake = stake_of(&g, &alice);
    assert_eq!((stake.amount, stake.time_unstake), (left, 0));
    assert_eq!(stake.xnos, math::xnos(left, DURATION_MIN));
}

#[test]
fn slash_moves_tokens_to_the_settings_token_account() {
    let (mut g, alice) = setup();
    g.fund(&ids::AUTHORITY, SOL);
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MAX)]);
    ok(&mut g, &ids::AUTHORITY, &[st::slash(&ids::AUTHORITY, &alice, &ids::TOKEN_ACCOUNT, 300 * NOS)]);
    assert_eq!(g.bank.token_balance(&ids::TOKEN_ACCOUNT), 300 * NOS);
    assert_eq!(vault_of(&g, &alice), AMOUNT - 300 * NOS);
    let stake = stake_of(&g, &alice);
    assert_eq!(stake.amount, AMOUNT - 300 * NOS);
    assert_eq!(stake.xnos, math::xnos(AMOUNT - 300 * NOS, DURATION_MAX));

    let too_much = st::slash(&ids::AUTHORITY, &alice, &ids::TOKEN_ACCOUNT, AMOUNT);
    fails_with(&mut g, &ids::AUTHORITY, &[too_much], se::AMOUNT_NOT_ENOUGH);
}

#[test]
fn a_slash_by_anyone_but_the_settings_authority_is_unauthorized() {
    let (mut g, alice) = setup();
    let mallory = g.wallet("mallory", 0).expect("mallory");
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    let tx = fails_with(&mut g, &mallory, &[st::slash(&mallory, &alice, &ids::TOKEN_ACCOUNT, NOS)], ce::UNAUTHORIZED);
    assert!(tx.meta.log_messages.iter().any(|l| l.contains("caused by account: settings")));

    // Nor can the authority send slashed tokens anywhere but the settings' token account.
    g.fund(&ids::AUTHORITY, SOL);
    let elsewhere = st::slash(&ids::AUTHORITY, &alice, &pda::nos_ata(&mallory), NOS);
    fails_with(&mut g, &ids::AUTHORITY, &[elsewhere], ce::INVALID_TOKEN_ACCOUNT);
    assert_eq!(vault_of(&g, &alice), AMOUNT);
}

#[test]
fn update_settings_hands_the_slash_authority_over() {
    let (mut g, alice) = setup();
    let bob = g.wallet("bob", 0).expect("bob");
    let bob_ata = pda::nos_ata(&bob);
    g.fund(&ids::AUTHORITY, SOL);
    fails_with(&mut g, &bob, &[st::update_settings(&bob, &bob, &bob_ata)], ce::UNAUTHORIZED);
    fails_with(
        &mut g,
        &ids::AUTHORITY,
        &[st::update_settings(&ids::AUTHORITY, &bob, &bob)],
        ae::ACCOUNT_OWNED_BY_WRONG_PROGRAM,
    );
    ok(&mut g, &ids::AUTHORITY, &[st::update_settings(&ids::AUTHORITY, &bob, &bob_ata)]);
    let settings = g.bank.load::<SettingsAccount>(&pda::staking_settings().0).expect("settings");
    assert_eq!(settings, SettingsAccount { authority: bob, token_account: bob_ata });

    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    ok(&mut g, &bob, &[st::slash(&bob, &alice, &bob_ata, NOS)]);
    assert_eq!(g.bank.token_balance(&bob_ata), NOS);
    fails_with(&mut g, &ids::AUTHORITY, &[st::slash(&ids::AUTHORITY, &alice, &bob_ata, NOS)], ce::UNAUTHORIZED);
}

#[test]
fn close_waits_for_the_lock_then_returns_the_rent() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
    fails_with(&mut g, &alice, &[st::close(&alice)], se::NOT_UNSTAKED);
    ok(&mut g, &alice, &[st::unstake(&alice)]);
    g.warp(DURATION_MIN as i64);
    // Released but not withdrawn: the vault must be empty first.
    g.warp(1);
    fails_with(&mut g, &alice, &[st::close(&alice)], ce::VAULT_NOT_EMPTY);
    ok(&mut g, &alice, &[st::withdraw(&alice)]);
    ok(&mut g, &alice, &[st::close(&alice)]);
    assert!(g.bank.get(&pda::stake(&alice).0).is_none());
    assert!(g.bank.get(&pda::stake_vault(&alice).0).is_none());
}

#[test]
fn close_is_locked_until_strictly_after_unstake_plus_duration() {
    let (mut g, alice) = setup();
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN), st::unstake(&alice)]);
    g.warp(DURATION_MIN as i64);
    ok(&mut g, &alice, &[st::withdraw(&alice)]);
    // now == time_unstake + duration: still locked.
    fails_with(&mut g, &alice, &[st::close(&alice)], se::LOCKED);

    g.warp(1);
    let before = g.bank.lamports(&alice);
    let tx = ok(&mut g, &alice, &[st::close(&alice)]);
    let rent = rent_exempt_minimum(StakeAccount::SPACE) + rent_exempt_minimum(165);
    assert_eq!(g.bank.lamports(&alice), before - tx.meta.fee + rent);
    assert!(g.bank.get(&pda::stake(&alice).0).is_none());
    let keys = &tx.message.account_keys;
    let close = tx.meta.inner_instructions[0]
        .instructions
        .iter()
        .find(|i| keys[i.instruction.program_id_index as usize] == ids::TOKEN_PROGRAM_ID)
        .expect("a CloseAccount CPI");
    assert_eq!(TokenInstruction::decode(&close.instruction.data).ok(), Some(TokenInstruction::CloseAccount));

    // Closed, the wallet can stake again.
    ok(&mut g, &alice, &[st::stake(&alice, AMOUNT, DURATION_MIN)]);
}

#[test]
fn init_creates_the_settings_singleton_once() {
    let (mut g, alice) = setup();
    let settings = pda::staking_settings().0;
    g.bank.store(settings, Account::default());
    ok(&mut g, &alice, &[st::init(&alice)]);
    let value = g.bank.load::<SettingsAccount>(&settings).expect("settings");
    assert_eq!(value, SettingsAccount { authority: ids::AUTHORITY, token_account: ids::TOKEN_ACCOUNT });
    assert_eq!(g.bank.get(&settings).map(|a| a.data.len()), Some(SettingsAccount::SPACE));
    fails(&mut g, &alice, &[st::init(&alice)], 0, "already in use");
}

#[test]
fn unknown_or_truncated_instruction_data_is_rejected() {
    let (mut g, alice) = setup();
    let mut unknown = st::unstake(&alice);
    unknown.data = vec![1, 2, 3, 4, 5, 6, 7, 8];
    fails_with(&mut g, &alice, &[unknown], ae::INSTRUCTION_FALLBACK_NOT_FOUND);
    let mut short = st::topup(&alice, NOS);
    short.data.truncate(12);
    let tx = fails_with(&mut g, &alice, &[short], ae::INSTRUCTION_DID_NOT_DESERIALIZE);
    assert!(tx.meta.log_messages.iter().any(|l| l == "Program log: Instruction: Topup"));
}

#[test]
fn a_missing_signature_is_refused_before_anything_runs() {
    let (mut g, alice) = setup();
    let bob = g.wallet("bob", 0).expect("bob");
    let mut ix = st::extend(&alice, 1);
    ix.accounts[1].is_signer = false;
    fails_with(&mut g, &bob, &[ix], ae::ACCOUNT_NOT_SIGNER);
}
