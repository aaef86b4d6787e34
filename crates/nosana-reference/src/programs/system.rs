//! The System program: `create_account` and `transfer`.

use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::spl::SystemInstruction;

use super::keys;
use crate::error::{InstructionError, ProgramError, ProgramResult};
use crate::invoke::{InvokeContext, bad_data};

const ACCOUNT_ALREADY_IN_USE: u32 = 0;
const RESULT_WITH_NEGATIVE_LAMPORTS: u32 = 1;

pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    ctx.consume(150)?;
    match SystemInstruction::decode(data).map_err(|_| bad_data())? {
        SystemInstruction::CreateAccount { lamports, space, owner } => {
            let [from, to] = keys(accounts)?;
            for k in [&from, &to] {
                if !ctx.is_signer(k) {
                    return Err(InstructionError::MissingRequiredSignature.into());
                }
            }
            let target = ctx.account(&to)?;
            if target.lamports > 0 || !target.data.is_empty() || target.owner != ids::SYSTEM_PROGRAM_ID {
                return Err(ProgramError::System {
                    code: ACCOUNT_ALREADY_IN_USE,
                    log: format!("Create Account: account Address {{ address: {to}, base: None }} already in use"),
                });
            }
            if space > 10 * 1024 * 1024 {
                return Err(InstructionError::InvalidArgument.into());
            }
            debit(ctx, &from, lamports)?;
            let target = ctx.account_mut(&to)?;
            target.lamports = lamports;
            target.data = vec![0; space as usize];
            target.owner = owner;
            Ok(())
        }
        SystemInstruction::Transfer { lamports } => {
            let [from, to] = keys(accounts)?;
            if !ctx.is_signer(&from) {
                return Err(InstructionError::MissingRequiredSignature.into());
            }
            if !ctx.account(&from)?.data.is_empty() {
                ctx.log("Transfer: `from` must not carry data");
                return Err(InstructionError::InvalidArgument.into());
            }
            debit(ctx, &from, lamports)?;
            let to = ctx.account_mut(&to)?;
            to.lamports = to.lamports.checked_add(lamports).ok_or(InstructionError::ArithmeticOverflow)?;
            Ok(())
        }
    }
}

fn debit(ctx: &mut InvokeContext<'_>, from: &solana_pubkey::Pubkey, lamports: u64) -> ProgramResult {
    let source = ctx.account_mut(from)?;
    if source.lamports < lamports {
        return Err(ProgramError::System {
            code: RESULT_WITH_NEGATIVE_LAMPORTS,
            log: format!("Transfer: insufficient lamports {}, need {lamports}", source.lamports),
        });
    }
    source.lamports -= lamports;
    Ok(())
}
