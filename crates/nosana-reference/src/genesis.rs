//! Starting state for a chain or a test: the NOS mint at its mainnet address with a mint
//! authority we hold, funded wallets, token accounts, and the singletons mainnet already has.

use nosana_layouts::accounts::{AnchorAccount, ReflectionAccount, SettingsAccount};
use nosana_layouts::ids::{self, NOS_DECIMALS, NOS_MINT};
use nosana_layouts::math::INITIAL_RATE;
use nosana_layouts::pda;
use nosana_layouts::spl::{Mint, TokenAccount};
use sha2::{Digest, Sha256};
use solana_pubkey::Pubkey;

use crate::bank::{Account, Bank, ProgramConfig, rent_exempt_minimum};
use crate::client;
use crate::error::TransactionError;
use crate::meta::ExecutedTransaction;

/// One SOL.
pub const SOL: u64 = 1_000_000_000;

/// A deterministic address for a named participant (`"project-7"`, `"node-12"`, …).
pub fn address(name: &str) -> Pubkey {
    Pubkey::new_from_array(Sha256::digest(format!("depinscore:{name}").as_bytes()).into())
}

/// A bank seeded with what the Nosana programs expect to find.
pub struct Genesis {
    pub bank: Bank,
    /// Holds the NOS mint authority in this world (mainnet's is long revoked).
    pub mint_authority: Pubkey,
}

impl Genesis {
    /// The NOS mint (zero supply), a funded mint authority, the staking settings and the
    /// rewards reflection with its vault, as mainnet has them.
    pub fn new(config: ProgramConfig) -> Self {
        let mut bank = Bank::new(config);
        let mint_authority = address("nos-mint-authority");
        bank.store(mint_authority, Account::wallet(1_000 * SOL));
        let mint = Mint {
            mint_authority: Some(mint_authority),
            supply: 0,
            decimals: NOS_DECIMALS,
            is_initialized: true,
            freeze_authority: None,
        };
        bank.store(NOS_MINT, Account::new(rent_exempt_minimum(82), mint.pack(), ids::TOKEN_PROGRAM_ID));

        let settings = SettingsAccount { authority: ids::AUTHORITY, token_account: ids::TOKEN_ACCOUNT };
        store_anchor(&mut bank, pda::staking_settings().0, ids::STAKING_PROGRAM_ID, &settings);
        // The slash destination: a NOS token account owned by the authority.
        store_token_account(&mut bank, ids::TOKEN_ACCOUNT, ids::AUTHORITY);

        let (vault, vault_bump) = pda::rewards_vault();
        let reflection =
            ReflectionAccount { rate: INITIAL_RATE, total_reflection: 0, total_xnos: 0, vault, vault_bump };
        store_anchor(&mut bank, pda::rewards_reflection().0, ids::REWARDS_PROGRAM_ID, &reflection);
        store_token_account(&mut bank, vault, vault);
        Genesis { bank, mint_authority }
    }

    /// Gives `wallet` lamports (an airdrop).
    pub fn fund(&mut self, wallet: &Pubkey, lamports: u64) {
        let mut a = self.bank.get(wallet).cloned().unwrap_or_else(|| Account::wallet(0));
        a.lamports += lamports;
        self.bank.store(*wallet, a);
    }

    /// Mints `amount` NOS base units into `owner`'s ATA (created if needed), through real
    /// transactions signed by the mint authority. Returns the ATA.
    pub fn mint_nos(&mut self, owner: &Pubkey, amount: u64) -> Result<Pubkey, TransactionError> {
        let ata = pda::nos_ata(owner);
        let ixs = [
            client::spl::create_ata_idempotent(&self.mint_authority, owner, &NOS_MINT),
            client::spl::mint_to(&NOS_MINT, &ata, &self.mint_authority, amount),
        ];
        let tx = self.bank.execute_instructions(&self.mint_authority.clone(), &ixs)?;
        tx.meta.status.clone()?;
        Ok(ata)
    }

    /// A wallet with SOL and `nos` base units in its ATA.
    pub fn wallet(&mut self, name: &str, nos: u64) -> Result<Pubkey, TransactionError> {
        let key = address(name);
        self.fund(&key, 10 * SOL);
        self.mint_nos(&key, nos)?;
        Ok(key)
    }

    /// Runs instructions paid by `payer`, returning the included transaction.
    pub fn run(
        &mut self,
        payer: &Pubkey,
        ixs: &[nosana_layouts::instruction::Instruction],
    ) -> Result<ExecutedTransaction, TransactionError> {
        self.bank.execute_instructions(payer, ixs)
    }

    /// Advances the clock.
    pub fn warp(&mut self, seconds: i64) {
        self.bank.clock.unix_timestamp += seconds;
        self.bank.clock.slot += (seconds.max(0) as u64 * 5).div_ceil(2);
    }
}

/// Writes an Anchor account directly (genesis only).
pub fn store_anchor<T: AnchorAccount>(bank: &mut Bank, key: Pubkey, owner: Pubkey, value: &T) {
    let data = value.to_account_data().expect("genesis accounts fit their space");
    bank.store(key, Account::new(rent_exempt_minimum(data.len()), data, owner));
}

/// Writes an empty NOS token account directly (genesis only).
pub fn store_token_account(bank: &mut Bank, key: Pubkey, owner: Pubkey) {
    let data = TokenAccount::new(NOS_MINT, owner, 0).pack();
    bank.store(key, Account::new(rent_exempt_minimum(data.len()), data, ids::TOKEN_PROGRAM_ID));
}
