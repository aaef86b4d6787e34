//! System, SPL Token and Associated Token Account instructions.

use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, Instruction};
use nosana_layouts::pda::associated_token_account;
use nosana_layouts::spl::{AtaInstruction, SystemInstruction, TokenInstruction};
use solana_pubkey::Pubkey;

pub fn system_transfer(from: &Pubkey, to: &Pubkey, lamports: u64) -> Instruction {
    Instruction {
        program_id: ids::SYSTEM_PROGRAM_ID,
        accounts: vec![AccountMeta::writable(*from, true), AccountMeta::writable(*to, false)],
        data: SystemInstruction::Transfer { lamports }.encode(),
    }
}

pub fn create_account(from: &Pubkey, to: &Pubkey, lamports: u64, space: u64, owner: &Pubkey) -> Instruction {
    Instruction {
        program_id: ids::SYSTEM_PROGRAM_ID,
        accounts: vec![AccountMeta::writable(*from, true), AccountMeta::writable(*to, true)],
        data: SystemInstruction::CreateAccount { lamports, space, owner: *owner }.encode(),
    }
}

/// Creates `owner`'s associated token account for `mint` if it does not exist yet.
pub fn create_ata_idempotent(payer: &Pubkey, owner: &Pubkey, mint: &Pubkey) -> Instruction {
    Instruction {
        program_id: ids::ASSOCIATED_TOKEN_PROGRAM_ID,
        accounts: vec![
            AccountMeta::writable(*payer, true),
            AccountMeta::writable(associated_token_account(owner, mint), false),
            AccountMeta::readonly(*owner, false),
            AccountMeta::readonly(*mint, false),
            AccountMeta::readonly(ids::SYSTEM_PROGRAM_ID, false),
            AccountMeta::readonly(ids::TOKEN_PROGRAM_ID, false),
        ],
        data: AtaInstruction::CreateIdempotent.encode(),
    }
}

fn token(accounts: Vec<AccountMeta>, ix: TokenInstruction) -> Instruction {
    Instruction { program_id: ids::TOKEN_PROGRAM_ID, accounts, data: ix.encode() }
}

pub fn transfer(source: &Pubkey, dest: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    token(
        vec![
            AccountMeta::writable(*source, false),
            AccountMeta::writable(*dest, false),
            AccountMeta::readonly(*authority, true),
        ],
        TokenInstruction::Transfer { amount },
    )
}

pub fn mint_to(mint: &Pubkey, dest: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    token(
        vec![
            AccountMeta::writable(*mint, false),
            AccountMeta::writable(*dest, false),
            AccountMeta::readonly(*authority, true),
        ],
        TokenInstruction::MintTo { amount },
    )
}

pub fn burn(account: &Pubkey, mint: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    token(
        vec![
            AccountMeta::writable(*account, false),
            AccountMeta::writable(*mint, false),
            AccountMeta::readonly(*authority, true),
        ],
        TokenInstruction::Burn { amount },
    )
}

pub fn burn_checked(account: &Pubkey, mint: &Pubkey, authority: &Pubkey, amount: u64, decimals: u8) -> Instruction {
    token(
        vec![
            AccountMeta::writable(*account, false),
            AccountMeta::writable(*mint, false),
            AccountMeta::readonly(*authority, true),
        ],
        TokenInstruction::BurnChecked { amount, decimals },
    )
}

pub fn initialize_mint2(mint: &Pubkey, decimals: u8, mint_authority: &Pubkey) -> Instruction {
    token(
        vec![AccountMeta::writable(*mint, false)],
        TokenInstruction::InitializeMint2 { decimals, mint_authority: *mint_authority, freeze_authority: None },
    )
}

pub fn initialize_account3(account: &Pubkey, mint: &Pubkey, owner: &Pubkey) -> Instruction {
    token(
        vec![AccountMeta::writable(*account, false), AccountMeta::readonly(*mint, false)],
        TokenInstruction::InitializeAccount3 { owner: *owner },
    )
}
