//! What Anchor's generated code does around a handler: account list checks, typed account
//! loading and storing, `init` through the System program, `close`, and token CPIs.

use nosana_layouts::accounts::AnchorAccount;
use nosana_layouts::errors::{ErrorDef, anchor as ae};
use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, Instruction, InstructionSpec};
use nosana_layouts::spl::{SystemInstruction, TOKEN_ACCOUNT_LEN, TokenAccount, TokenInstruction};
use solana_pubkey::Pubkey;

use crate::bank::rent_exempt_minimum;
use crate::error::{ProgramError, ProgramResult};
use crate::invoke::InvokeContext;

/// Checks the account list against the declared slots (count, then per slot: signer, mut) and
/// returns the keys in slot order.
pub fn accounts(spec: &InstructionSpec, metas: &[AccountMeta]) -> ProgramResult<Vec<Pubkey>> {
    if metas.len() < spec.accounts.len() {
        return Err(ProgramError::anchor(ae::ACCOUNT_NOT_ENOUGH_KEYS));
    }
    for (slot, meta) in spec.accounts.iter().zip(metas) {
        if slot.signer && !meta.is_signer {
            return Err(ProgramError::anchor_on(ae::ACCOUNT_NOT_SIGNER, slot.name));
        }
        if slot.writable && !meta.is_writable {
            return Err(ProgramError::anchor_on(ae::CONSTRAINT_MUT, slot.name));
        }
    }
    Ok(metas.iter().take(spec.accounts.len()).map(|m| m.pubkey).collect())
}

/// `Account<'info, T>`: owned by the running program, right discriminator, decodable.
pub fn load<T: AnchorAccount>(ctx: &InvokeContext<'_>, key: &Pubkey, slot: &'static str) -> ProgramResult<T> {
    let account = ctx.account(key)?;
    if account.is_empty() {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_NOT_INITIALIZED, slot));
    }
    if account.owner != ctx.program_id() {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_OWNED_BY_WRONG_PROGRAM, slot));
    }
    if account.data.len() < 8 {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_DISCRIMINATOR_NOT_FOUND, slot));
    }
    if account.data[..8] != T::DISCRIMINATOR {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_DISCRIMINATOR_MISMATCH, slot));
    }
    T::from_account_data(&account.data).map_err(|_| ProgramError::anchor_on(ae::ACCOUNT_DID_NOT_DESERIALIZE, slot))
}

/// Like [`load`] for an account owned by another program (e.g. a stake read by jobs).
pub fn load_foreign<T: AnchorAccount>(
    ctx: &InvokeContext<'_>,
    key: &Pubkey,
    owner: &Pubkey,
    slot: &'static str,
) -> ProgramResult<T> {
    let account = ctx.account(key)?;
    if account.is_empty() {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_NOT_INITIALIZED, slot));
    }
    if account.owner != *owner {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_OWNED_BY_WRONG_PROGRAM, slot));
    }
    T::from_account_data(&account.data).map_err(|_| ProgramError::anchor_on(ae::ACCOUNT_DISCRIMINATOR_MISMATCH, slot))
}

/// Anchor's exit serialisation: writes `value` back into the account's allocated data.
pub fn store<T: AnchorAccount>(ctx: &mut InvokeContext<'_>, key: &Pubkey, value: &T) -> ProgramResult {
    let account = ctx.account_mut(key)?;
    value.write_into(&mut account.data).map_err(|_| ProgramError::anchor(ae::ACCOUNT_DID_NOT_SERIALIZE))
}

/// `#[account(init, payer = payer, space = T::SPACE)]`: a System `create_account` CPI, then the
/// value written. `is_pda` means the running program signs for `key` with its seeds.
pub fn init<T: AnchorAccount>(
    ctx: &mut InvokeContext<'_>,
    payer: &Pubkey,
    key: &Pubkey,
    value: &T,
    is_pda: bool,
) -> ProgramResult {
    let owner = ctx.program_id();
    create_account(ctx, payer, key, T::SPACE, &owner, is_pda)?;
    store(ctx, key, value)
}

/// System `create_account` CPI funded by `payer` to rent exemption.
pub fn create_account(
    ctx: &mut InvokeContext<'_>,
    payer: &Pubkey,
    key: &Pubkey,
    space: usize,
    owner: &Pubkey,
    is_pda: bool,
) -> ProgramResult {
    let ix = Instruction {
        program_id: ids::SYSTEM_PROGRAM_ID,
        accounts: vec![AccountMeta::writable(*payer, true), AccountMeta::writable(*key, true)],
        data: SystemInstruction::CreateAccount {
            lamports: rent_exempt_minimum(space),
            space: space as u64,
            owner: *owner,
        }
        .encode(),
    };
    let signers: &[Pubkey] = if is_pda { std::slice::from_ref(key) } else { &[] };
    ctx.invoke(ix, signers)
}

/// `#[account(init, token::mint = mint, token::authority = authority)]` for a PDA vault.
pub fn init_token_account(
    ctx: &mut InvokeContext<'_>,
    payer: &Pubkey,
    key: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
) -> ProgramResult {
    create_account(ctx, payer, key, TOKEN_ACCOUNT_LEN, &ids::TOKEN_PROGRAM_ID, true)?;
    let ix = Instruction {
        program_id: ids::TOKEN_PROGRAM_ID,
        accounts: vec![AccountMeta::writable(*key, false), AccountMeta::readonly(*mint, false)],
        data: TokenInstruction::InitializeAccount3 { owner: *authority }.encode(),
    };
    ctx.invoke(ix, &[])
}

/// `#[account(close = dest)]`: lamports to `dest`, account handed back to the System program.
pub fn close(ctx: &mut InvokeContext<'_>, key: &Pubkey, dest: &Pubkey) -> ProgramResult {
    if key == dest {
        return Ok(());
    }
    let account = ctx.account_mut(key)?;
    let lamports = std::mem::take(&mut account.lamports);
    account.data.clear();
    account.owner = ids::SYSTEM_PROGRAM_ID;
    let dest = ctx.account_mut(dest)?;
    dest.lamports = dest.lamports.checked_add(lamports).ok_or(crate::error::InstructionError::ArithmeticOverflow)?;
    Ok(())
}

/// `token::transfer` CPI. `pda` means the running program signs for `authority`.
pub fn transfer(
    ctx: &mut InvokeContext<'_>,
    from: &Pubkey,
    to: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    pda: bool,
) -> ProgramResult {
    let ix = Instruction {
        program_id: ids::TOKEN_PROGRAM_ID,
        accounts: vec![
            AccountMeta::writable(*from, false),
            AccountMeta::writable(*to, false),
            AccountMeta::readonly(*authority, true),
        ],
        data: TokenInstruction::Transfer { amount }.encode(),
    };
    let signers: &[Pubkey] = if pda { std::slice::from_ref(authority) } else { &[] };
    ctx.invoke(ix, signers)
}

/// `token::close_account` CPI of a PDA token account that signs for itself.
pub fn close_token_account(
    ctx: &mut InvokeContext<'_>,
    account: &Pubkey,
    dest: &Pubkey,
    authority: &Pubkey,
) -> ProgramResult {
    let ix = Instruction {
        program_id: ids::TOKEN_PROGRAM_ID,
        accounts: vec![
            AccountMeta::writable(*account, false),
            AccountMeta::writable(*dest, false),
            AccountMeta::readonly(*authority, true),
        ],
        data: TokenInstruction::CloseAccount.encode(),
    };
    ctx.invoke(ix, std::slice::from_ref(authority))
}

/// Reads an SPL token account, failing with `err` (naming `slot`) when it is not one.
pub fn token_account(ctx: &InvokeContext<'_>, key: &Pubkey, slot: &'static str) -> ProgramResult<TokenAccount> {
    let account = ctx.account(key)?;
    if account.owner != ids::TOKEN_PROGRAM_ID {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_OWNED_BY_WRONG_PROGRAM, slot));
    }
    TokenAccount::unpack(&account.data).map_err(|_| ProgramError::anchor_on(ae::ACCOUNT_DID_NOT_DESERIALIZE, slot))
}

/// `address = X` constraints on program and sysvar slots.
pub fn expect_address(actual: &Pubkey, expected: &Pubkey, slot: &'static str) -> ProgramResult {
    if actual == expected { Ok(()) } else { Err(ProgramError::anchor_on(ae::CONSTRAINT_ADDRESS, slot)) }
}

/// `seeds = […], bump` constraints: the key must be the PDA.
pub fn expect_pda(actual: &Pubkey, expected: (Pubkey, u8), slot: &'static str) -> ProgramResult<u8> {
    if *actual == expected.0 { Ok(expected.1) } else { Err(ProgramError::anchor_on(ae::CONSTRAINT_SEEDS, slot)) }
}

/// `has_one = field` constraints.
pub fn has_one(field: &Pubkey, account: &Pubkey, slot: &'static str) -> ProgramResult {
    if field == account { Ok(()) } else { Err(ProgramError::anchor_on(ae::CONSTRAINT_HAS_ONE, slot)) }
}

/// `constraint = expr @ err` checks.
pub fn constraint(ok: bool, err: ErrorDef, slot: &'static str) -> ProgramResult {
    if ok { Ok(()) } else { Err(ProgramError::anchor_on(err, slot)) }
}

/// Logs `Instruction: <Name>` and charges a deterministic cost for an Anchor handler.
pub fn enter(ctx: &mut InvokeContext<'_>, spec: &InstructionSpec) -> ProgramResult {
    ctx.log(format!("Instruction: {}", spec.log_name()));
    ctx.consume(4_000 + 1_100 * spec.accounts.len() as u64)
}

/// `Math overflow`: Nosana's programs use checked arithmetic that panics; we fail instead.
pub fn overflow() -> ProgramError {
    ProgramError::Runtime(crate::error::InstructionError::ArithmeticOverflow)
}

/// Anchor's dispatch (≥ 0.30 matches with `starts_with`): data that starts with none of the
/// program's discriminators, too short ones included, is `InstructionFallbackNotFound`.
pub fn check_discriminator(table: &[InstructionSpec], data: &[u8]) -> ProgramResult {
    if table.iter().any(|s| data.starts_with(&s.discriminator)) {
        Ok(())
    } else {
        Err(ProgramError::anchor(ae::INSTRUCTION_FALLBACK_NOT_FOUND))
    }
}

/// The keys [`accounts`] returned, as an array to destructure.
pub fn slots<const N: usize>(keys: &[Pubkey]) -> ProgramResult<[Pubkey; N]> {
    keys.get(..N).and_then(|k| k.try_into().ok()).ok_or_else(not_enough_keys)
}

/// `Program<'info, T>`: the slot must hold that program's id.
pub fn program_slot(actual: &Pubkey, expected: &Pubkey, slot: &'static str) -> ProgramResult {
    constraint(actual == expected, ae::INVALID_PROGRAM_ID, slot)
}

/// `Sysvar<'info, Rent>`.
pub fn rent_slot(actual: &Pubkey) -> ProgramResult {
    constraint(*actual == ids::RENT_SYSVAR_ID, ae::ACCOUNT_SYSVAR_MISMATCH, "rent")
}

/// Arguments that do not deserialize.
pub fn did_not_deserialize() -> ProgramError {
    ProgramError::anchor(ae::INSTRUCTION_DID_NOT_DESERIALIZE)
}

/// For slice patterns over keys that [`accounts`] already counted.
pub fn not_enough_keys() -> ProgramError {
    ProgramError::anchor(ae::ACCOUNT_NOT_ENOUGH_KEYS)
}
