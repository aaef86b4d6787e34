//! Transactions and their meta in the JSON shapes Agave's RPC returns (`EncodedTransaction`,
//! `UiTransactionStatusMeta`, `UiTransactionTokenBalance`).

use base64::Engine as _;
use nosana_chain::{BlockTransaction, MessageVersion};
use nosana_reference::{CompiledInstruction, TokenBalance};
use serde_json::{Map, Value, json};

use super::error::{RpcError, RpcResult};
use super::params::Config;
use crate::convert::error::to_json as error_json;

/// How a transaction is encoded. `jsonParsed` is answered as `json` (this node parses nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxEncoding {
    Json,
    Base58,
    Base64,
    /// The deprecated `binary`: a bare base58 string.
    Binary,
}

impl TxEncoding {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "json" | "jsonParsed" => TxEncoding::Json,
            "base58" => TxEncoding::Base58,
            "base64" => TxEncoding::Base64,
            "binary" => TxEncoding::Binary,
            _ => return None,
        })
    }

    pub fn from_config(config: &Config<'_>) -> RpcResult<Self> {
        let name = config.one_of("encoding", &["json", "jsonParsed", "base58", "base64", "binary"])?;
        Ok(name.and_then(TxEncoding::from_name).unwrap_or(TxEncoding::Json))
    }
}

/// `maxSupportedTransactionVersion`: only 0 exists; anything else a u8 can hold is accepted as
/// Agave accepts it.
pub fn max_supported_version(config: &Config<'_>) -> RpcResult<Option<u8>> {
    match config.u64("maxSupportedTransactionVersion")? {
        None => Ok(None),
        Some(v) => u8::try_from(v).map(Some).map_err(|_| {
            RpcError::invalid_params(format!("Invalid params: `maxSupportedTransactionVersion` {v} is not a u8"))
        }),
    }
}

/// The `version` field to show, or -32015 for a v0 transaction a legacy-only client asked for.
pub fn version_field(tx: &BlockTransaction, max_supported: Option<u8>) -> RpcResult<Option<Value>> {
    match (tx.version, max_supported) {
        (MessageVersion::Legacy, None) => Ok(None),
        (MessageVersion::Legacy, Some(_)) => Ok(Some(json!("legacy"))),
        (MessageVersion::V0, None) => Err(RpcError::unsupported_transaction_version(0)),
        (MessageVersion::V0, Some(_)) => Ok(Some(json!(0))),
    }
}

/// `{"transaction", "meta", "version"?}` as `getTransaction` (flattened) and `getBlock` show it.
pub fn transaction_with_meta(
    tx: &BlockTransaction,
    encoding: TxEncoding,
    max_supported: Option<u8>,
    show_rewards: bool,
) -> RpcResult<Map<String, Value>> {
    let version = version_field(tx, max_supported)?;
    let mut out = Map::new();
    out.insert("transaction".into(), transaction(tx, encoding));
    out.insert("meta".into(), full_meta(tx, show_rewards));
    if let Some(v) = version {
        out.insert("version".into(), v);
    }
    Ok(out)
}

/// `transactionDetails: "accounts"`: signatures, account keys with their roles, and a reduced meta.
pub fn transaction_accounts(tx: &BlockTransaction, max_supported: Option<u8>, show_rewards: bool) -> RpcResult<Value> {
    let version = version_field(tx, max_supported)?;
    let m = &tx.message;
    let keys: Vec<Value> = m
        .account_keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            json!({
                "pubkey": k.to_string(),
                "writable": m.is_writable(i),
                "signer": m.is_signer(i),
                "source": "transaction",
            })
        })
        .collect();
    let mut meta = status_and_balances(tx);
    if show_rewards {
        meta.insert("rewards".into(), json!([]));
    }
    let mut out = json!({
        "transaction": { "signatures": signatures(tx), "accountKeys": keys },
        "meta": meta,
    });
    if let Some(v) = version {
        out["version"] = v;
    }
    Ok(out)
}

pub fn signatures(tx: &BlockTransaction) -> Vec<String> {
    tx.signatures.iter().map(|s| s.to_string()).collect()
}

fn transaction(tx: &BlockTransaction, encoding: TxEncoding) -> Value {
    match encoding {
        TxEncoding::Base64 => json!([base64::engine::general_purpose::STANDARD.encode(&tx.wire), "base64"]),
        TxEncoding::Base58 => json!([bs58::encode(&tx.wire).into_string(), "base58"]),
        TxEncoding::Binary => json!(bs58::encode(&tx.wire).into_string()),
        TxEncoding::Json => {
            let m = &tx.message;
            let mut message = json!({
                "header": {
                    "numRequiredSignatures": m.header.num_required_signatures,
                    "numReadonlySignedAccounts": m.header.num_readonly_signed_accounts,
                    "numReadonlyUnsignedAccounts": m.header.num_readonly_unsigned_accounts,
                },
                "accountKeys": m.account_keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                "recentBlockhash": bs58::encode(m.recent_blockhash).into_string(),
                "instructions": m.instructions.iter().map(|ix| instruction(ix, None)).collect::<Vec<_>>(),
            });
            if tx.version == MessageVersion::V0 {
                message["addressTableLookups"] = json!([]);
            }
            json!({ "signatures": signatures(tx), "message": message })
        }
    }
}

fn instruction(ix: &CompiledInstruction, stack_height: Option<u32>) -> Value {
    json!({
        "programIdIndex": ix.program_id_index,
        "accounts": ix.accounts,
        "data": bs58::encode(&ix.data).into_string(),
        "stackHeight": stack_height,
    })
}

/// err, status, fee, balances and token balances: what every meta carries.
fn status_and_balances(tx: &BlockTransaction) -> Map<String, Value> {
    let meta = &tx.meta;
    let (err, status) = match &meta.status {
        Ok(()) => (Value::Null, json!({ "Ok": null })),
        Err(e) => {
            let e = error_json(e);
            (e.clone(), json!({ "Err": e }))
        }
    };
    let mut out = Map::new();
    out.insert("err".into(), err);
    out.insert("status".into(), status);
    out.insert("fee".into(), json!(meta.fee));
    out.insert("preBalances".into(), json!(meta.pre_balances));
    out.insert("postBalances".into(), json!(meta.post_balances));
    out.insert("preTokenBalances".into(), meta.pre_token_balances.iter().map(token_balance).collect());
    out.insert("postTokenBalances".into(), meta.post_token_balances.iter().map(token_balance).collect());
    out
}

fn full_meta(tx: &BlockTransaction, show_rewards: bool) -> Value {
    let meta = &tx.meta;
    let mut out = status_and_balances(tx);
    let inner: Vec<Value> = meta
        .inner_instructions
        .iter()
        .map(|inner| {
            json!({
                "index": inner.index,
                "instructions": inner.instructions.iter()
                    .map(|i| instruction(&i.instruction, Some(i.stack_height)))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    out.insert("innerInstructions".into(), Value::Array(inner));
    out.insert("logMessages".into(), json!(meta.log_messages));
    // Agave shows `null` (not an absent field) when a block is asked for without rewards.
    out.insert("rewards".into(), if show_rewards { json!([]) } else { Value::Null });
    out.insert("loadedAddresses".into(), json!({ "writable": [], "readonly": [] }));
    out.insert("computeUnitsConsumed".into(), json!(meta.compute_units_consumed));
    Value::Object(out)
}

fn token_balance(b: &TokenBalance) -> Value {
    json!({
        "accountIndex": b.account_index,
        "mint": b.mint.to_string(),
        "owner": b.owner.to_string(),
        "programId": b.program_id.to_string(),
        // Balances pass through the ledger's protobuf, where a zero `uiAmount` comes back null.
        "uiTokenAmount": ui_token_amount(b.amount, b.decimals, true),
    })
}

/// `UiTokenAmount`: `amount` as a string, `uiAmount` as a float, `uiAmountString` trimmed.
pub fn ui_token_amount(amount: u64, decimals: u8, zero_is_null: bool) -> Value {
    let ui_amount = 10u64.checked_pow(decimals as u32).map(|d| amount as f64 / d as f64);
    let ui_amount = if zero_is_null && amount == 0 { None } else { ui_amount };
    json!({
        "amount": amount.to_string(),
        "decimals": decimals,
        "uiAmount": ui_amount,
        "uiAmountString": ui_amount_string(amount, decimals),
    })
}

/// `amount / 10^decimals` written exactly, trailing zeros (and a bare point) trimmed.
pub fn ui_amount_string(amount: u64, decimals: u8) -> String {
    let decimals = decimals as usize;
    if decimals == 0 {
        return amount.to_string();
    }
    let mut s = format!("{amount:0>width$}", width = decimals + 1);
    s.insert(s.len() - decimals, '.');
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_amount_strings_are_exact_and_trimmed() {
        assert_eq!(ui_amount_string(1_000_000, 6), "1");
        assert_eq!(ui_amount_string(1_500_000, 6), "1.5");
        assert_eq!(ui_amount_string(1, 6), "0.000001");
        assert_eq!(ui_amount_string(0, 6), "0");
        assert_eq!(ui_amount_string(42, 0), "42");
        assert_eq!(ui_amount_string(u64::MAX, 6), "18446744073709.551615");
    }

    #[test]
    fn a_zero_balance_has_a_null_ui_amount_only_where_agave_shows_one() {
        assert_eq!(ui_token_amount(0, 6, true)["uiAmount"], Value::Null);
        assert_eq!(ui_token_amount(0, 6, false)["uiAmount"], json!(0.0));
        assert_eq!(ui_token_amount(2_500_000, 6, true)["uiAmount"], json!(2.5));
    }
}
