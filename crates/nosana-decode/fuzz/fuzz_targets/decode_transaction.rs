//! Arbitrary bytes → a `RawTransaction` (keys drawn mostly from the Nosana programs, SPL Token,
//! System and the NOS mint, indices sometimes out of range) → `decode_transaction` must not
//! panic, must quarantine every instruction with an index out of range, and must keep flows and
//! events out of failed transactions.

#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use nosana_decode::{
    RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction, check_balances, decode_transaction,
};
use nosana_layouts::Pubkey;
use nosana_layouts::ids::{NOS_MINT, NOSANA_PROGRAM_IDS, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};

fn key(u: &mut Unstructured<'_>) -> Result<Pubkey> {
    Ok(match u.int_in_range(0..=9u8)? {
        i @ 0..=4 => NOSANA_PROGRAM_IDS[i as usize],
        5 => TOKEN_PROGRAM_ID,
        6 => SYSTEM_PROGRAM_ID,
        7 => NOS_MINT,
        _ => Pubkey::new_from_array(u.arbitrary()?),
    })
}

fn instruction(u: &mut Unstructured<'_>, keys: u8) -> Result<RawInstruction> {
    let bound = keys.saturating_add(1);
    let n = u.int_in_range(0..=16usize)?;
    let accounts = (0..n).map(|_| u.int_in_range(0..=bound)).collect::<Result<Vec<u8>>>()?;
    Ok(RawInstruction {
        program_id_index: u.int_in_range(0..=bound)?,
        accounts,
        data: u.arbitrary()?,
        stack_height: u.arbitrary()?,
    })
}

fn balance(u: &mut Unstructured<'_>, keys: u8) -> Result<RawTokenBalance> {
    Ok(RawTokenBalance {
        account_index: u.int_in_range(0..=keys.saturating_add(1))?,
        mint: if u.arbitrary()? { NOS_MINT } else { Pubkey::new_from_array(u.arbitrary()?) },
        owner: if u.arbitrary()? { Some(key(u)?) } else { None },
        amount: u.arbitrary()?,
    })
}

fn transaction(u: &mut Unstructured<'_>) -> Result<RawTransaction> {
    let n_keys = u.int_in_range(1..=24usize)?;
    let account_keys = (0..n_keys).map(|_| key(u)).collect::<Result<Vec<_>>>()?;
    let keys = n_keys as u8;
    let instructions = (0..u.int_in_range(0..=6usize)?).map(|_| instruction(u, keys)).collect::<Result<Vec<_>>>()?;
    let mut inner_instructions = Vec::new();
    for _ in 0..u.int_in_range(0..=4usize)? {
        let index = u.int_in_range(0..=7u8)?;
        let list = (0..u.int_in_range(0..=6usize)?).map(|_| instruction(u, keys)).collect::<Result<Vec<_>>>()?;
        inner_instructions.push(RawInnerInstructions { index, instructions: list });
    }
    let pre_token_balances = (0..u.int_in_range(0..=4usize)?).map(|_| balance(u, keys)).collect::<Result<Vec<_>>>()?;
    let post_token_balances = (0..u.int_in_range(0..=4usize)?).map(|_| balance(u, keys)).collect::<Result<Vec<_>>>()?;
    Ok(RawTransaction {
        slot: u.arbitrary()?,
        index: u.arbitrary()?,
        block_time: u.arbitrary()?,
        signature: [0; 64],
        account_keys,
        num_required_signatures: u.arbitrary()?,
        instructions,
        inner_instructions,
        pre_token_balances,
        post_token_balances,
        fee: u.arbitrary()?,
        compute_units: u.arbitrary()?,
        err: if u.arbitrary()? { Some(String::from("failed")) } else { None },
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(tx) = transaction(&mut Unstructured::new(bytes)) else { return };
    let decoded = decode_transaction(&tx);
    let out_of_range =
        |ix: &RawInstruction| tx.key(ix.program_id_index).is_none() || ix.accounts.iter().any(|a| tx.key(*a).is_none());
    let top_level_bad = tx.instructions.iter().filter(|ix| out_of_range(ix)).count();
    let inner_bad = tx
        .inner_instructions
        .iter()
        .flat_map(|g| g.instructions.iter().map(move |ix| (g.index, ix)))
        .filter(|(index, ix)| *index as usize >= tx.instructions.len() || out_of_range(ix))
        .count();
    assert!(decoded.quarantine.len() >= top_level_bad + inner_bad, "an unreadable instruction was not quarantined");
    if !tx.succeeded() {
        assert!(decoded.flows.is_empty() && decoded.job_events.is_empty());
    }
    let _ = check_balances(&tx, &decoded);
});
