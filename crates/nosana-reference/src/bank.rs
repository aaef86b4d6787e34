//! The ledger: accounts, the clock, and atomic execution of messages.

use std::collections::BTreeMap;

use nosana_layouts::accounts::AnchorAccount;
use nosana_layouts::ids;
use nosana_layouts::instruction::Instruction;
use nosana_layouts::spl::{Mint, TOKEN_ACCOUNT_LEN, TokenAccount};
use serde::Serialize;
use solana_pubkey::Pubkey;

use crate::error::TransactionError;
use crate::invoke::InvokeContext;
use crate::message::Message;
use crate::meta::{ExecutedTransaction, TokenBalance, TransactionMeta};

pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
/// Compute units each non-builtin top-level instruction adds to a transaction's budget.
pub const DEFAULT_INSTRUCTION_COMPUTE_UNITS: u64 = 200_000;
pub const MAX_TRANSACTION_COMPUTE_UNITS: u64 = 1_400_000;

/// Lamports that make an account of `len` data bytes rent exempt (default rent parameters).
pub fn rent_exempt_minimum(len: usize) -> u64 {
    (128 + len as u64) * 3_480 * 2
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Account {
    pub lamports: u64,
    pub data: Vec<u8>,
    pub owner: Pubkey,
    pub executable: bool,
}

impl Account {
    pub fn new(lamports: u64, data: Vec<u8>, owner: Pubkey) -> Self {
        Account { lamports, data, owner, executable: false }
    }

    /// A wallet: system-owned, no data.
    pub fn wallet(lamports: u64) -> Self {
        Account::new(lamports, vec![], ids::SYSTEM_PROGRAM_ID)
    }

    /// Nothing there: what the runtime loads for an address that holds no account.
    pub fn is_empty(&self) -> bool {
        self.lamports == 0 && self.data.is_empty() && self.owner == ids::SYSTEM_PROGRAM_ID
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub slot: u64,
    pub unix_timestamp: i64,
}

/// Settings of the reference program that differ between mainnet versions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProgramConfig {
    /// `JOB_FEE_FRACTION`: network fee = deposit / fraction; 0 means no fee (mainnet HEAD since
    /// 2026-05), 10 the Nov-2024..May-2026 program.
    pub fee_fraction: u64,
}

/// Accounts plus the clock. Executes messages atomically: a failed transaction pays its fee
/// and changes nothing else.
#[derive(Clone, Debug)]
pub struct Bank {
    accounts: BTreeMap<Pubkey, Account>,
    pub clock: Clock,
    pub config: ProgramConfig,
}

impl Bank {
    /// A bank holding the builtin and Nosana program accounts and the sysvars.
    pub fn new(config: ProgramConfig) -> Self {
        let mut bank = Bank { accounts: BTreeMap::new(), clock: Clock::default(), config };
        let program = |owner: Pubkey| Account { lamports: 1_141_440, data: vec![], owner, executable: true };
        bank.store(ids::SYSTEM_PROGRAM_ID, Account { lamports: 1, ..program(ids::NATIVE_LOADER_ID) });
        bank.store(ids::TOKEN_PROGRAM_ID, program(ids::BPF_LOADER_ID));
        bank.store(ids::ASSOCIATED_TOKEN_PROGRAM_ID, program(ids::BPF_LOADER_ID));
        bank.store(ids::METADATA_PROGRAM_ID, program(ids::BPF_LOADER_UPGRADEABLE_ID));
        for id in ids::NOSANA_PROGRAM_IDS {
            bank.store(id, program(ids::BPF_LOADER_UPGRADEABLE_ID));
        }
        for sysvar in [ids::RENT_SYSVAR_ID, ids::CLOCK_SYSVAR_ID] {
            bank.store(sysvar, Account::new(1_009_200, vec![0; 17], ids::SYSVAR_OWNER_ID));
        }
        bank
    }

    pub fn get(&self, key: &Pubkey) -> Option<&Account> {
        self.accounts.get(key)
    }

    /// Writes an account directly (genesis and test setup); an empty account is removed.
    pub fn store(&mut self, key: Pubkey, account: Account) {
        if account.lamports == 0 && !account.executable {
            self.accounts.remove(&key);
        } else {
            self.accounts.insert(key, account);
        }
    }

    pub fn accounts(&self) -> &BTreeMap<Pubkey, Account> {
        &self.accounts
    }

    pub fn lamports(&self, key: &Pubkey) -> u64 {
        self.get(key).map_or(0, |a| a.lamports)
    }

    /// An Anchor account of type `T` at `key`, if one is there.
    pub fn load<T: AnchorAccount>(&self, key: &Pubkey) -> Option<T> {
        T::from_account_data(&self.get(key)?.data).ok()
    }

    pub fn token_account(&self, key: &Pubkey) -> Option<TokenAccount> {
        let a = self.get(key)?;
        (a.owner == ids::TOKEN_PROGRAM_ID).then(|| TokenAccount::unpack(&a.data).ok())?
    }

    pub fn token_balance(&self, key: &Pubkey) -> u64 {
        self.token_account(key).map_or(0, |t| t.amount)
    }

    pub fn mint(&self, key: &Pubkey) -> Option<Mint> {
        let a = self.get(key)?;
        (a.owner == ids::TOKEN_PROGRAM_ID).then(|| Mint::unpack(&a.data).ok())?
    }

    /// A blockhash for the current slot (deterministic).
    pub fn blockhash(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.clock.slot.to_le_bytes()).into()
    }

    /// Compiles `instructions` with `fee_payer` and executes them.
    pub fn execute_instructions(
        &mut self,
        fee_payer: &Pubkey,
        instructions: &[Instruction],
    ) -> Result<ExecutedTransaction, TransactionError> {
        let message = Message::compile(fee_payer, instructions, self.blockhash())
            .map_err(|_| TransactionError::SanitizeFailure)?;
        self.execute(&message)
    }

    /// Executes a message. `Err` means the transaction is rejected (not included in a block):
    /// it is malformed or its fee payer cannot pay. `Ok` holds an included transaction, which
    /// may have failed (`meta.status`); a failed one changes nothing but the fee payer's balance.
    pub fn execute(&mut self, message: &Message) -> Result<ExecutedTransaction, TransactionError> {
        sanitize(message)?;
        let keys = &message.account_keys;
        let fee = LAMPORTS_PER_SIGNATURE * message.header.num_required_signatures as u64;
        let payer = self.get(&keys[0]).ok_or(TransactionError::AccountNotFound)?;
        if payer.lamports < fee {
            return Err(TransactionError::InsufficientFundsForFee);
        }
        let pre_balances: Vec<u64> = keys.iter().map(|k| self.lamports(k)).collect();
        let pre_token_balances = self.token_balances(keys);

        let mut loaded: Vec<Account> = keys.iter().map(|k| self.get(k).cloned().unwrap_or_default()).collect();
        loaded[0].lamports -= fee;
        let fee_paid_payer = loaded[0].clone();

        let mut ctx = InvokeContext::new(self.clock, self.config, message, loaded);
        let status = ctx.process_message();
        let (accounts, logs, inner, cu) = ctx.finish();

        match &status {
            Ok(()) => {
                for (i, (key, account)) in keys.iter().zip(accounts).enumerate() {
                    if message.is_writable(i) {
                        self.store(*key, account);
                    }
                }
            }
            Err(_) => self.store(keys[0], fee_paid_payer),
        }
        let meta = TransactionMeta {
            status,
            fee,
            pre_balances,
            post_balances: keys.iter().map(|k| self.lamports(k)).collect(),
            inner_instructions: inner,
            log_messages: logs,
            pre_token_balances,
            post_token_balances: self.token_balances(keys),
            compute_units_consumed: cu,
        };
        Ok(ExecutedTransaction { message: message.clone(), meta })
    }

    fn token_balances(&self, keys: &[Pubkey]) -> Vec<TokenBalance> {
        keys.iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let a = self.get(k)?;
                if a.owner != ids::TOKEN_PROGRAM_ID || a.data.len() != TOKEN_ACCOUNT_LEN {
                    return None;
                }
                let t = TokenAccount::unpack(&a.data).ok()?;
                Some(TokenBalance {
                    account_index: i as u8,
                    mint: t.mint,
                    owner: t.owner,
                    program_id: ids::TOKEN_PROGRAM_ID,
                    amount: t.amount,
                    decimals: self.mint(&t.mint).map_or(0, |m| m.decimals),
                })
            })
            .collect()
    }
}

fn sanitize(message: &Message) -> Result<(), TransactionError> {
    let n = message.account_keys.len();
    let h = &message.header;
    let ok = n > 0
        && h.num_required_signatures >= 1
        && (h.num_required_signatures as usize) <= n
        && h.num_readonly_signed_accounts < h.num_required_signatures
        && (h.num_required_signatures as usize + h.num_readonly_unsigned_accounts as usize) <= n
        && message.instructions.iter().all(|ix| {
            (ix.program_id_index as usize) < n
                && ix.program_id_index != 0
                && ix.accounts.iter().all(|&a| (a as usize) < n)
        });
    let mut seen = std::collections::BTreeSet::new();
    let unique = message.account_keys.iter().all(|k| seen.insert(*k));
    if ok && unique { Ok(()) } else { Err(TransactionError::SanitizeFailure) }
}
