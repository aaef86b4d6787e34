//! Arbitrary bytes → a `RawAccount` (owner mostly a Nosana program or SPL Token) →
//! `decode_account` must not panic, and an owned account that is neither closed nor readable
//! by the layouts must come back quarantined with its bytes.

#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use nosana_decode::{AccountDecode, Program, RawAccount, decode_account};
use nosana_layouts::Pubkey;
use nosana_layouts::accounts::NosanaAccount;
use nosana_layouts::ids::{NOS_MINT, NOSANA_PROGRAM_IDS, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};

fn account(u: &mut Unstructured<'_>) -> Result<RawAccount> {
    let owner = match u.int_in_range(0..=7u8)? {
        i @ 0..=4 => NOSANA_PROGRAM_IDS[i as usize],
        5 => TOKEN_PROGRAM_ID,
        6 => SYSTEM_PROGRAM_ID,
        _ => Pubkey::new_from_array(u.arbitrary()?),
    };
    Ok(RawAccount {
        pubkey: if u.arbitrary()? { NOS_MINT } else { Pubkey::new_from_array(u.arbitrary()?) },
        owner,
        lamports: u.int_in_range(0..=2)?,
        data: u.arbitrary()?,
        slot: u.arbitrary()?,
        write_version: u.arbitrary()?,
        txn_signature: None,
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(acc) = account(&mut Unstructured::new(bytes)) else { return };
    let decoded = decode_account(&acc);
    let closed = acc.lamports == 0 || acc.data.is_empty() || acc.data.starts_with(&[0xff; 8]);
    if Program::of(&acc.owner).is_some() && !closed {
        match (&decoded, NosanaAccount::decode(&acc.owner, &acc.data).is_ok()) {
            (AccountDecode::State(s), true) => assert!(!s.closed),
            (AccountDecode::Quarantine(q), false) => assert_eq!(q.data, acc.data),
            (other, readable) => panic!("{other:?} for an owned account, readable = {readable}"),
        }
    }
});
