//! The Associated Token Account program: `Create` and `CreateIdempotent`.

use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, Instruction};
use nosana_layouts::pda::associated_token_account;
use nosana_layouts::spl::{AtaInstruction, TOKEN_ACCOUNT_LEN, TokenAccount, TokenInstruction};

use super::keys;
use crate::anchor::create_account;
use crate::error::{InstructionError, ProgramResult};
use crate::invoke::{InvokeContext, bad_data};

pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    let ix = AtaInstruction::decode(data).map_err(|_| bad_data())?;
    let [payer, ata, owner, mint, _system, token_program] = keys(accounts)?;
    ctx.log(match ix {
        AtaInstruction::Create => "Create",
        AtaInstruction::CreateIdempotent => "CreateIdempotent",
    });
    ctx.consume(7_500)?;
    if token_program != ids::TOKEN_PROGRAM_ID {
        return Err(InstructionError::IncorrectProgramId.into());
    }
    if associated_token_account(&owner, &mint) != ata {
        ctx.log("Error: Associated address does not match seed derivation");
        return Err(InstructionError::InvalidSeeds.into());
    }
    let existing = ctx.account(&ata)?;
    if ix == AtaInstruction::CreateIdempotent && existing.owner == ids::TOKEN_PROGRAM_ID {
        let a = TokenAccount::unpack(&existing.data).map_err(|_| InstructionError::InvalidAccountData)?;
        if a.owner == owner && a.mint == mint {
            return Ok(());
        }
        return Err(InstructionError::InvalidAccountData.into());
    }
    create_account(ctx, &payer, &ata, TOKEN_ACCOUNT_LEN, &ids::TOKEN_PROGRAM_ID, true)?;
    ctx.log("Initialize the associated token account");
    ctx.invoke(
        Instruction {
            program_id: ids::TOKEN_PROGRAM_ID,
            accounts: vec![AccountMeta::writable(ata, false), AccountMeta::readonly(mint, false)],
            data: TokenInstruction::InitializeAccount3 { owner }.encode(),
        },
        &[],
    )
}
