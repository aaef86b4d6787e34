//! Arbitrary bytes and indices: the decoders never panic, every instruction that cannot be read
//! is quarantined (and nothing else is), and account writes decode, close or quarantine as
//! their bytes say. The same properties as the `cargo fuzz` targets in `fuzz/`.

mod support;

use nosana_decode::{
    AccountDecode, Position, RawAccount, RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction,
    decode_account, decode_transaction,
};
use nosana_layouts::Pubkey;
use nosana_layouts::accounts::NosanaAccount;
use nosana_layouts::ids::{self, NOS_MINT, TOKEN_PROGRAM_ID};
use nosana_layouts::instructions::jobs::{JobsInstruction, finish_spec};
use nosana_layouts::instructions::{NosanaInstruction, specs_of};
use nosana_layouts::spl::TokenInstruction;
use proptest::prelude::*;

/// Programs and accounts the generated instructions pick from (indices past the end are out of
/// range on purpose).
fn keys() -> Vec<Pubkey> {
    let mut keys = ids::NOSANA_PROGRAM_IDS.to_vec();
    keys.extend([TOKEN_PROGRAM_ID, ids::SYSTEM_PROGRAM_ID, NOS_MINT]);
    keys.extend((0..4u8).map(|i| Pubkey::new_from_array([i + 1; 32])));
    keys
}

/// Every discriminator of the five programs.
fn discriminators() -> Vec<[u8; 8]> {
    ids::NOSANA_PROGRAM_IDS.iter().flat_map(|p| specs_of(p).unwrap().iter().map(|s| s.discriminator)).collect()
}

/// Instruction data: random bytes, a real discriminator with a random tail, or an SPL token tag
/// with a random tail.
fn data() -> impl Strategy<Value = Vec<u8>> {
    let discs = discriminators();
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..64),
        3 => (prop::sample::select(discs), prop::collection::vec(any::<u8>(), 0..80)).prop_map(|(d, tail)| {
            let mut v = d.to_vec();
            v.extend(tail);
            v
        }),
        1 => (prop::sample::select(vec![3u8, 7, 8, 9, 12, 14, 15, 4]), prop::collection::vec(any::<u8>(), 0..12)).prop_map(
            |(tag, tail)| {
                let mut v = vec![tag];
                v.extend(tail);
                v
            }
        ),
    ]
}

/// A key index: mostly in range, sometimes one or two past the end.
fn index(n_keys: u8) -> impl Strategy<Value = u8> {
    prop_oneof![12 => 0..n_keys, 1 => n_keys..n_keys + 2]
}

/// A program index: mostly a Nosana program or SPL Token (keys 0..=5), sometimes anything.
fn program_index(n_keys: u8) -> impl Strategy<Value = u8> {
    prop_oneof![6 => 0u8..6, 1 => index(n_keys)]
}

/// A Nosana instruction that mostly reads: program `p` (key index p), one of its own
/// discriminators, a random tail and about as many accounts as its list declares.
fn coherent(n_keys: u8) -> impl Strategy<Value = RawInstruction> {
    (0u8..5, any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 0..80), 0usize..3, any::<u64>())
        .prop_flat_map(move |(p, which, tail, extra, seed)| {
            let spec = which.get(specs_of(&ids::NOSANA_PROGRAM_IDS[p as usize]).unwrap());
            let mut data = spec.discriminator.to_vec();
            data.extend(tail);
            let len = (spec.accounts.len() + extra).saturating_sub((seed % 4 == 0) as usize);
            (Just(p), Just(data), prop::collection::vec(index(n_keys), len..=len), prop::option::of(0u32..6))
        })
        .prop_map(|(program_id_index, data, accounts, stack_height)| RawInstruction {
            program_id_index,
            accounts,
            data,
            stack_height,
        })
}

fn instruction(n_keys: u8) -> impl Strategy<Value = RawInstruction> {
    let any_instruction =
        (program_index(n_keys), prop::collection::vec(index(n_keys), 0..14), data(), prop::option::of(0u32..6))
            .prop_map(|(program_id_index, accounts, data, stack_height)| RawInstruction {
                program_id_index,
                accounts,
                data,
                stack_height,
            });
    prop_oneof![any_instruction, coherent(n_keys)]
}

fn balance(n_keys: u8) -> impl Strategy<Value = RawTokenBalance> {
    (index(n_keys), any::<bool>(), any::<u64>()).prop_map(|(account_index, nos, amount)| RawTokenBalance {
        account_index,
        mint: if nos { NOS_MINT } else { Pubkey::new_from_array([9; 32]) },
        owner: None,
        amount,
    })
}

fn transaction() -> impl Strategy<Value = RawTransaction> {
    let keys = keys();
    let n = keys.len() as u8;
    (
        prop::collection::vec(instruction(n), 0..5),
        prop::collection::vec((0u8..6, prop::collection::vec(instruction(n), 0..5)), 0..4),
        prop::collection::vec(balance(n), 0..4),
        prop::collection::vec(balance(n), 0..4),
        prop::option::of("[a-z ]{1,12}"),
        prop_oneof![Just(0i64), Just(1_680_000_000i64), Just(1_740_000_000i64), Just(1_760_000_000i64)],
    )
        .prop_map(move |(instructions, inner, pre, post, err, block_time)| RawTransaction {
            slot: 1,
            index: 0,
            block_time,
            signature: [0; 64],
            account_keys: keys.clone(),
            num_required_signatures: 1,
            instructions,
            inner_instructions: inner
                .into_iter()
                .map(|(index, instructions)| RawInnerInstructions { index, instructions })
                .collect(),
            pre_token_balances: pre,
            post_token_balances: post,
            fee: 5_000,
            compute_units: None,
            err,
        })
}

/// Whether a resolved Nosana instruction fails to decode (independently of the crate).
fn nosana_unreadable(program: &Pubkey, accounts: usize, data: &[u8], block_time: i64) -> bool {
    let decoded = if *program == ids::JOBS_PROGRAM_ID {
        JobsInstruction::decode_at(data, block_time).map(NosanaInstruction::Jobs)
    } else {
        NosanaInstruction::decode(program, data)
    };
    match decoded {
        Err(_) => true,
        Ok(NosanaInstruction::Jobs(JobsInstruction::Finish { .. })) => {
            accounts < finish_spec(accounts, block_time).accounts.len()
        }
        Ok(ix) => accounts < ix.spec().accounts.len(),
    }
}

/// Whether an SPL token instruction moves tokens but is malformed.
fn token_unreadable(accounts: usize, data: &[u8]) -> bool {
    if !data.first().is_some_and(|t| [3, 7, 8, 12, 14, 15].contains(t)) {
        return false;
    }
    match TokenInstruction::decode(data) {
        Err(_) => true,
        Ok(TokenInstruction::TransferChecked { .. }) => accounts < 4,
        Ok(_) => accounts < 3,
    }
}

fn height(ix: &RawInstruction) -> u8 {
    ix.stack_height.map_or(2, |h| h.max(2)) as u8
}

/// Every instruction with its position, and whether it is unreadable or a readable Nosana one.
fn expected(tx: &RawTransaction) -> (Vec<Position>, Vec<Position>) {
    let (mut bad, mut nosana) = (Vec::new(), Vec::new());
    let mut judge = |at: Position, ix: &RawInstruction, orphan: bool| {
        let program = tx.key(ix.program_id_index);
        let in_range = program.is_some() && ix.accounts.iter().all(|a| tx.key(*a).is_some());
        let n = ix.accounts.len();
        let unreadable = orphan
            || !in_range
            || program.is_some_and(|p| {
                (nosana_decode::Program::of(p).is_some() && nosana_unreadable(p, n, &ix.data, tx.block_time))
                    || (*p == TOKEN_PROGRAM_ID && token_unreadable(n, &ix.data))
            });
        if unreadable {
            bad.push(at);
        } else if program.is_some_and(|p| nosana_decode::Program::of(p).is_some()) {
            nosana.push(at);
        }
    };
    for (i, ix) in tx.instructions.iter().enumerate() {
        judge(Position { ix: i as u16, inner: 0, stack_height: 1 }, ix, false);
        let inner = tx.inner_instructions.iter().filter(|g| g.index as usize == i).flat_map(|g| &g.instructions);
        for (n, ix) in inner.enumerate() {
            judge(Position { ix: i as u16, inner: n as u16 + 1, stack_height: height(ix) }, ix, false);
        }
    }
    for index in (tx.instructions.len()..256).map(|i| i as u8) {
        let orphans = tx.inner_instructions.iter().filter(|g| g.index == index).flat_map(|g| &g.instructions);
        for (n, ix) in orphans.enumerate() {
            judge(Position { ix: u16::from(index), inner: n as u16 + 1, stack_height: height(ix) }, ix, true);
        }
    }
    bad.sort();
    nosana.sort();
    (bad, nosana)
}

fn check_transaction(tx: &RawTransaction) -> Result<(), TestCaseError> {
    let d = decode_transaction(tx);
    let (bad, nosana) = expected(tx);
    let mut quarantined: Vec<Position> = d.quarantine.iter().map(|q| q.at.expect("an instruction position")).collect();
    quarantined.sort();
    prop_assert_eq!(quarantined, bad);
    let mut decoded: Vec<Position> = d.instructions.iter().map(|i| i.at).collect();
    decoded.sort();
    prop_assert_eq!(decoded, nosana);
    if !tx.succeeded() {
        prop_assert!(d.flows.is_empty() && d.job_events.is_empty());
    }
    for f in &d.flows {
        prop_assert!(f.amount > 0 && f.mint == NOS_MINT);
    }
    // check_balances answers, whatever the input.
    let _ = nosana_decode::check_balances(tx, &d);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_transactions_never_panic_and_every_unreadable_instruction_is_quarantined(tx in transaction()) {
        check_transaction(&tx)?;
    }

    #[test]
    fn a_real_list_with_mutated_bytes_and_indices_never_panics(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        index_flips in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0u8..40), 0..4),
    ) {
        let mut tx = real_list();
        let steps: Vec<&mut RawInstruction> = tx.instructions.iter_mut().chain(tx.inner_instructions.iter_mut().flat_map(|g| g.instructions.iter_mut())).collect();
        let mut steps = steps;
        for (at, byte) in flips {
            let ix = at.get_mut(&mut steps);
            if !ix.data.is_empty() {
                let i = byte as usize % ix.data.len();
                ix.data[i] ^= byte | 1;
            }
        }
        for (which, slot, value) in index_flips {
            let ix = which.get_mut(&mut steps);
            if ix.accounts.is_empty() {
                ix.program_id_index = value;
            } else {
                *slot.get_mut(&mut ix.accounts) = value;
            }
        }
        check_transaction(&tx)?;
    }

    #[test]
    fn arbitrary_account_writes_never_panic_and_unreadable_nosana_accounts_are_quarantined(
        owner in prop::sample::select({
            let mut o = ids::NOSANA_PROGRAM_IDS.to_vec();
            o.extend([TOKEN_PROGRAM_ID, ids::SYSTEM_PROGRAM_ID, Pubkey::new_from_array([7; 32])]);
            o
        }),
        pubkey_is_mint in any::<bool>(),
        lamports in 0u64..3,
        data in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            (prop::sample::select(account_discriminators()), prop::collection::vec(any::<u8>(), 0..300)).prop_map(|(d, t)| {
                let mut v = d.to_vec();
                v.extend(t);
                v
            }),
            (any::<bool>(), prop::collection::vec(any::<u8>(), 133..=133)).prop_map(|(nos, t)| {
                // A 165-byte token account whose mint is or is not NOS.
                let mut v = if nos { NOS_MINT.to_bytes().to_vec() } else { vec![3; 32] };
                v.extend(t);
                v
            }),
        ],
    ) {
        let acc = RawAccount {
            pubkey: if pubkey_is_mint { NOS_MINT } else { Pubkey::new_from_array([5; 32]) },
            owner,
            lamports,
            data,
            slot: 1,
            write_version: 1,
            txn_signature: None,
        };
        let decoded = decode_account(&acc);
        if nosana_decode::Program::of(&owner).is_some() {
            let closed = acc.lamports == 0 || acc.data.is_empty() || acc.data.starts_with(&[0xff; 8]);
            match (&decoded, closed, NosanaAccount::decode(&owner, &acc.data).is_ok()) {
                (AccountDecode::State(s), true, _) => prop_assert!(s.closed && s.json.is_null()),
                (AccountDecode::State(s), false, true) => prop_assert!(!s.closed && s.json.is_object()),
                (AccountDecode::Quarantine(q), false, false) => prop_assert_eq!(&q.data, &acc.data),
                (other, closed, readable) => prop_assert!(false, "{other:?} for closed={closed} readable={readable}"),
            }
        } else if owner != TOKEN_PROGRAM_ID {
            let closed_empty = acc.lamports == 0 && acc.data.is_empty();
            prop_assert_eq!(matches!(decoded, AccountDecode::State(_)), closed_empty);
        }
    }
}

fn account_discriminators() -> Vec<[u8; 8]> {
    use nosana_layouts::accounts::*;
    vec![
        MarketAccount::DISCRIMINATOR,
        JobAccount::DISCRIMINATOR,
        RunAccount::DISCRIMINATOR,
        SettingsAccount::DISCRIMINATOR,
        StakeAccount::DISCRIMINATOR,
        ReflectionAccount::DISCRIMINATOR,
        RewardAccount::DISCRIMINATOR,
        PoolAccount::DISCRIMINATOR,
        NodeAccount::DISCRIMINATOR,
    ]
}

/// A real list with its fee, as the reference bank recorded it.
fn real_list() -> RawTransaction {
    thread_local! {
        static LIST: RawTransaction = {
            let mut w = support::world::World::new(10);
            let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
            w.run(&project, &[nosana_reference::client::jobs::list(&job, &market, &run, &project, &project, [7; 32], 3_600)])
        };
    }
    LIST.with(|t| t.clone())
}

/// The property above is only as good as its inputs: they must reach both readable Nosana
/// instructions (decoded, with events) and unreadable ones, and the mutated real list must still
/// produce flows often.
#[test]
fn the_generators_reach_readable_and_unreadable_instructions_and_flows() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut decoded, mut quarantined, mut events) = (0, 0, 0);
    for _ in 0..2_000 {
        let d = decode_transaction(&transaction().new_tree(&mut runner).unwrap().current());
        decoded += d.instructions.len();
        quarantined += d.quarantine.len();
        events += d.job_events.len();
    }
    assert!(
        decoded > 500 && quarantined > 500 && events > 20,
        "{decoded} decoded, {quarantined} quarantined, {events} events"
    );
    let d = decode_transaction(&real_list());
    assert_eq!((d.instructions.len(), d.flows.len(), d.job_events.len()), (2, 2, 1));
}
