//! Yellowstone protobuf updates into the decoder's neutral model. Malformed updates (a key of
//! the wrong length, a missing message) are errors the caller quarantines, never panics.

use nosana_decode::{RawAccount, RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction};
use nosana_layouts::Pubkey;
use yellowstone_grpc_proto::prelude::{
    SubscribeUpdateAccount, SubscribeUpdateTransactionInfo, TokenBalance, TransactionError,
};

/// Why an update could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("{0} missing")]
    Missing(&'static str),
    #[error("{what} has {len} bytes, expected {expected}")]
    Length { what: &'static str, len: usize, expected: usize },
    #[error("{0} out of range")]
    Range(&'static str),
    #[error("token balance amount {0:?} is not a number")]
    Amount(String),
    #[error("invalid base58 key {0:?}")]
    Key(String),
    #[error("transaction encoding {0:?}, expected base64")]
    Encoding(String),
    #[error("unreadable transaction bytes: {0}")]
    Wire(String),
}

pub(crate) fn pubkey(bytes: &[u8], what: &'static str) -> Result<Pubkey, ConvertError> {
    <[u8; 32]>::try_from(bytes).map(Pubkey::new_from_array).map_err(|_| ConvertError::Length {
        what,
        len: bytes.len(),
        expected: 32,
    })
}

pub(crate) fn signature(bytes: &[u8]) -> Result<[u8; 64], ConvertError> {
    <[u8; 64]>::try_from(bytes).map_err(|_| ConvertError::Length { what: "signature", len: bytes.len(), expected: 64 })
}

pub(crate) fn key_str(s: &str) -> Result<Pubkey, ConvertError> {
    s.parse::<Pubkey>().map_err(|_| ConvertError::Key(s.to_string()))
}

fn small_index(i: u32, what: &'static str) -> Result<u8, ConvertError> {
    u8::try_from(i).map_err(|_| ConvertError::Range(what))
}

/// Render a bincode-serialised `TransactionError` the way Solana prints it.
pub fn transaction_error(e: &TransactionError) -> String {
    match bincode::deserialize::<solana_transaction_error::TransactionError>(&e.err) {
        Ok(err) => format!("{err:?}"),
        Err(_) => format!("undecodable error {}", bs58::encode(&e.err).into_string()),
    }
}

fn token_balances(list: &[TokenBalance]) -> Result<Vec<RawTokenBalance>, ConvertError> {
    list.iter()
        .map(|b| {
            let amount = b.ui_token_amount.as_ref().ok_or(ConvertError::Missing("ui_token_amount"))?;
            Ok(RawTokenBalance {
                account_index: small_index(b.account_index, "token balance account index")?,
                mint: key_str(&b.mint)?,
                owner: if b.owner.is_empty() { None } else { Some(key_str(&b.owner)?) },
                amount: amount.amount.parse().map_err(|_| ConvertError::Amount(amount.amount.clone()))?,
            })
        })
        .collect()
}

/// A streamed transaction (without its block time, which the BlockMeta brings).
pub fn transaction(slot: u64, info: &SubscribeUpdateTransactionInfo) -> Result<RawTransaction, ConvertError> {
    let tx = info.transaction.as_ref().ok_or(ConvertError::Missing("transaction"))?;
    let message = tx.message.as_ref().ok_or(ConvertError::Missing("message"))?;
    let meta = info.meta.as_ref().ok_or(ConvertError::Missing("meta"))?;
    let header = message.header.as_ref().ok_or(ConvertError::Missing("message header"))?;
    let mut account_keys = Vec::with_capacity(
        message.account_keys.len() + meta.loaded_writable_addresses.len() + meta.loaded_readonly_addresses.len(),
    );
    for k in message.account_keys.iter().chain(&meta.loaded_writable_addresses).chain(&meta.loaded_readonly_addresses) {
        account_keys.push(pubkey(k, "account key")?);
    }
    let instructions = message
        .instructions
        .iter()
        .map(|ix| {
            Ok(RawInstruction {
                program_id_index: small_index(ix.program_id_index, "program id index")?,
                accounts: ix.accounts.clone(),
                data: ix.data.clone(),
                stack_height: Some(1),
            })
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    let inner_instructions = meta
        .inner_instructions
        .iter()
        .map(|inner| {
            Ok(RawInnerInstructions {
                index: small_index(inner.index, "inner instructions index")?,
                instructions: inner
                    .instructions
                    .iter()
                    .map(|ix| {
                        Ok(RawInstruction {
                            program_id_index: small_index(ix.program_id_index, "program id index")?,
                            accounts: ix.accounts.clone(),
                            data: ix.data.clone(),
                            stack_height: ix.stack_height,
                        })
                    })
                    .collect::<Result<Vec<_>, ConvertError>>()?,
            })
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    Ok(RawTransaction {
        slot,
        index: u32::try_from(info.index).map_err(|_| ConvertError::Range("transaction index"))?,
        block_time: 0,
        signature: signature(&info.signature)?,
        account_keys,
        num_required_signatures: small_index(header.num_required_signatures, "required signatures")?,
        instructions,
        inner_instructions,
        pre_token_balances: token_balances(&meta.pre_token_balances)?,
        post_token_balances: token_balances(&meta.post_token_balances)?,
        fee: meta.fee,
        compute_units: meta.compute_units_consumed,
        err: meta.err.as_ref().map(transaction_error),
    })
}

/// A streamed account write.
pub fn account(update: &SubscribeUpdateAccount) -> Result<RawAccount, ConvertError> {
    let info = update.account.as_ref().ok_or(ConvertError::Missing("account"))?;
    Ok(RawAccount {
        pubkey: pubkey(&info.pubkey, "account pubkey")?,
        owner: pubkey(&info.owner, "account owner")?,
        lamports: info.lamports,
        data: info.data.clone(),
        slot: update.slot,
        write_version: info.write_version,
        txn_signature: info.txn_signature.as_deref().map(signature).transpose()?,
    })
}
