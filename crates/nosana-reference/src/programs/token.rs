//! The SPL Token instructions the Nosana programs and the treasury use.

use nosana_layouts::errors::token as te;
use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::spl::{MINT_LEN, Mint, TOKEN_ACCOUNT_LEN, TokenAccount, TokenInstruction};
use solana_pubkey::Pubkey;

use super::keys;
use crate::error::{InstructionError, ProgramError, ProgramResult};
use crate::invoke::{InvokeContext, bad_data};

const FROZEN: u8 = 2;

pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    let ix = TokenInstruction::decode(data).map_err(|_| bad_data())?;
    ctx.log(format!("Instruction: {}", ix.name()));
    ctx.consume(cost(&ix))?;
    match ix {
        TokenInstruction::InitializeMint2 { decimals, mint_authority, freeze_authority } => {
            let [mint] = keys(accounts)?;
            let account = ctx.account(&mint)?;
            if account.owner != ids::TOKEN_PROGRAM_ID || account.data.len() != MINT_LEN {
                return Err(InstructionError::InvalidAccountData.into());
            }
            if Mint::unpack(&account.data).is_ok_and(|m| m.is_initialized) {
                return Err(ProgramError::Token(te::ALREADY_IN_USE));
            }
            let m = Mint {
                mint_authority: Some(mint_authority),
                supply: 0,
                decimals,
                is_initialized: true,
                freeze_authority,
            };
            ctx.account_mut(&mint)?.data = m.pack();
            Ok(())
        }
        TokenInstruction::InitializeAccount3 { owner } => {
            let [account, mint] = keys(accounts)?;
            let a = ctx.account(&account)?;
            if a.owner != ids::TOKEN_PROGRAM_ID || a.data.len() != TOKEN_ACCOUNT_LEN {
                return Err(InstructionError::InvalidAccountData.into());
            }
            if a.data[108] != 0 {
                return Err(ProgramError::Token(te::ALREADY_IN_USE));
            }
            load_mint(ctx, &mint)?;
            ctx.account_mut(&account)?.data = TokenAccount::new(mint, owner, 0).pack();
            Ok(())
        }
        TokenInstruction::Transfer { amount } => {
            let [source, dest, authority] = keys(accounts)?;
            transfer(ctx, &source, &dest, &authority, amount, None)
        }
        TokenInstruction::TransferChecked { amount, decimals } => {
            let [source, mint, dest, authority] = keys(accounts)?;
            let m = load_mint(ctx, &mint)?;
            if m.decimals != decimals {
                return Err(ProgramError::Token(te::MINT_DECIMALS_MISMATCH));
            }
            transfer(ctx, &source, &dest, &authority, amount, Some(mint))
        }
        TokenInstruction::MintTo { amount } => {
            let [mint, dest, authority] = keys(accounts)?;
            mint_to(ctx, &mint, &dest, &authority, amount, None)
        }
        TokenInstruction::MintToChecked { amount, decimals } => {
            let [mint, dest, authority] = keys(accounts)?;
            mint_to(ctx, &mint, &dest, &authority, amount, Some(decimals))
        }
        TokenInstruction::Burn { amount } => {
            let [account, mint, authority] = keys(accounts)?;
            burn(ctx, &account, &mint, &authority, amount, None)
        }
        TokenInstruction::BurnChecked { amount, decimals } => {
            let [account, mint, authority] = keys(accounts)?;
            burn(ctx, &account, &mint, &authority, amount, Some(decimals))
        }
        TokenInstruction::CloseAccount => {
            let [account, dest, authority] = keys(accounts)?;
            let a = load_account(ctx, &account)?;
            if a.amount != 0 {
                return Err(ProgramError::Token(te::NON_NATIVE_HAS_BALANCE));
            }
            check_owner(ctx, &a.close_authority.unwrap_or(a.owner), &authority)?;
            let acc = ctx.account_mut(&account)?;
            let lamports = std::mem::take(&mut acc.lamports);
            acc.data.clear();
            acc.owner = ids::SYSTEM_PROGRAM_ID;
            let d = ctx.account_mut(&dest)?;
            d.lamports = d.lamports.checked_add(lamports).ok_or(ProgramError::Token(te::OVERFLOW))?;
            Ok(())
        }
    }
}

fn cost(ix: &TokenInstruction) -> u64 {
    match ix {
        TokenInstruction::InitializeMint2 { .. } => 2_920,
        TokenInstruction::InitializeAccount3 { .. } => 4_188,
        TokenInstruction::Transfer { .. } => 4_645,
        TokenInstruction::TransferChecked { .. } => 6_200,
        TokenInstruction::MintTo { .. } => 4_492,
        TokenInstruction::MintToChecked { .. } => 4_540,
        TokenInstruction::Burn { .. } => 4_753,
        TokenInstruction::BurnChecked { .. } => 4_815,
        TokenInstruction::CloseAccount => 2_915,
    }
}

fn load_account(ctx: &InvokeContext<'_>, key: &Pubkey) -> ProgramResult<TokenAccount> {
    let a = ctx.account(key)?;
    if a.owner != ids::TOKEN_PROGRAM_ID {
        return Err(InstructionError::IncorrectProgramId.into());
    }
    TokenAccount::unpack(&a.data).map_err(|_| ProgramError::Token(te::UNINITIALIZED_STATE))
}

fn load_mint(ctx: &InvokeContext<'_>, key: &Pubkey) -> ProgramResult<Mint> {
    let a = ctx.account(key)?;
    if a.owner != ids::TOKEN_PROGRAM_ID {
        return Err(InstructionError::IncorrectProgramId.into());
    }
    match Mint::unpack(&a.data) {
        Ok(m) if m.is_initialized => Ok(m),
        _ => Err(ProgramError::Token(te::INVALID_MINT)),
    }
}

fn check_owner(ctx: &InvokeContext<'_>, expected: &Pubkey, authority: &Pubkey) -> ProgramResult {
    if expected != authority {
        return Err(ProgramError::Token(te::OWNER_MISMATCH));
    }
    if !ctx.is_signer(authority) {
        return Err(InstructionError::MissingRequiredSignature.into());
    }
    Ok(())
}

fn store_account(ctx: &mut InvokeContext<'_>, key: &Pubkey, a: &TokenAccount) -> ProgramResult {
    ctx.account_mut(key)?.data = a.pack();
    Ok(())
}

fn transfer(
    ctx: &mut InvokeContext<'_>,
    source: &Pubkey,
    dest: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    mint: Option<Pubkey>,
) -> ProgramResult {
    let mut from = load_account(ctx, source)?;
    let mut to = load_account(ctx, dest)?;
    if from.state == FROZEN || to.state == FROZEN {
        return Err(ProgramError::Token(nosana_layouts::errors::ErrorDef {
            code: 17,
            name: "AccountFrozen",
            message: "Account is frozen",
        }));
    }
    if from.mint != to.mint || mint.is_some_and(|m| m != from.mint) {
        return Err(ProgramError::Token(te::MINT_MISMATCH));
    }
    if from.amount < amount {
        return Err(ProgramError::Token(te::INSUFFICIENT_FUNDS));
    }
    check_owner(ctx, &from.owner, authority)?;
    if source == dest {
        return Ok(());
    }
    from.amount -= amount;
    to.amount = to.amount.checked_add(amount).ok_or(ProgramError::Token(te::OVERFLOW))?;
    store_account(ctx, source, &from)?;
    store_account(ctx, dest, &to)
}

fn mint_to(
    ctx: &mut InvokeContext<'_>,
    mint_key: &Pubkey,
    dest: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    decimals: Option<u8>,
) -> ProgramResult {
    let mut mint = load_mint(ctx, mint_key)?;
    let mut to = load_account(ctx, dest)?;
    if to.mint != *mint_key {
        return Err(ProgramError::Token(te::MINT_MISMATCH));
    }
    if decimals.is_some_and(|d| d != mint.decimals) {
        return Err(ProgramError::Token(te::MINT_DECIMALS_MISMATCH));
    }
    let Some(mint_authority) = mint.mint_authority else {
        return Err(ProgramError::Token(te::FIXED_SUPPLY));
    };
    check_owner(ctx, &mint_authority, authority)?;
    mint.supply = mint.supply.checked_add(amount).ok_or(ProgramError::Token(te::OVERFLOW))?;
    to.amount = to.amount.checked_add(amount).ok_or(ProgramError::Token(te::OVERFLOW))?;
    ctx.account_mut(mint_key)?.data = mint.pack();
    store_account(ctx, dest, &to)
}

fn burn(
    ctx: &mut InvokeContext<'_>,
    account: &Pubkey,
    mint_key: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    decimals: Option<u8>,
) -> ProgramResult {
    let mut from = load_account(ctx, account)?;
    let mut mint = load_mint(ctx, mint_key)?;
    if from.mint != *mint_key {
        return Err(ProgramError::Token(te::MINT_MISMATCH));
    }
    if decimals.is_some_and(|d| d != mint.decimals) {
        return Err(ProgramError::Token(te::MINT_DECIMALS_MISMATCH));
    }
    if from.amount < amount {
        return Err(ProgramError::Token(te::INSUFFICIENT_FUNDS));
    }
    check_owner(ctx, &from.owner, authority)?;
    from.amount -= amount;
    mint.supply = mint.supply.checked_sub(amount).ok_or(ProgramError::Token(te::OVERFLOW))?;
    store_account(ctx, account, &from)?;
    ctx.account_mut(mint_key)?.data = mint.pack();
    Ok(())
}
