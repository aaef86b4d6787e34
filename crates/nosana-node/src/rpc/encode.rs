//! Transactions and their meta in the JSON shapes Agave's RPC returns (`EncodedTransaction`,
//! `UiTransactionStatusMeta`, `UiTransactionTokenBalance`).

use base64::Engine as _;
use nosana_chain::{BlockTransaction, MessageVersion};
use nosana_reference::{CompiledInstruction, TokenBalance};
use serde::Serialize;
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

/// `{"transaction", "meta", "version"?}` as `getTransaction` (flattened) and `getBlock` show it:
/// typed, so a block's answer is written straight to its bytes (building it as a tree of
/// `serde_json::Value`s first was most of a backfill's time on the node's side).
#[derive(Serialize)]
pub struct TransactionWithMeta<'a> {
    transaction: EncodedTransaction<'a>,
    meta: FullMeta<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<Value>,
}

impl TransactionWithMeta<'_> {
    /// As a JSON object (`getTransaction` adds its slot and block time).
    pub fn into_map(self) -> Map<String, Value> {
        object(self)
    }
}

/// A typed answer part as a JSON object (these types always serialise to one).
fn object(value: impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

pub fn transaction_with_meta(
    tx: &BlockTransaction,
    encoding: TxEncoding,
    max_supported: Option<u8>,
    show_rewards: bool,
) -> RpcResult<TransactionWithMeta<'_>> {
    Ok(TransactionWithMeta {
        version: version_field(tx, max_supported)?,
        transaction: transaction(tx, encoding),
        meta: full_meta(tx, show_rewards),
    })
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
    let mut meta = object(status_and_balances(tx));
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

/// A transaction in the asked-for encoding: `[bytes, "base64" | "base58"]`, a bare base58
/// string (`binary`), or the `json` object.
#[derive(Serialize)]
#[serde(untagged)]
enum EncodedTransaction<'a> {
    Encoded(String, &'static str),
    Bare(String),
    Json(JsonTransaction<'a>),
}

#[derive(Serialize)]
struct JsonTransaction<'a> {
    signatures: Vec<String>,
    message: JsonMessage<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonMessage<'a> {
    header: JsonHeader,
    account_keys: Vec<String>,
    recent_blockhash: String,
    instructions: Vec<UiInstruction<'a>>,
    /// v0 messages only (this node's have no lookups).
    #[serde(skip_serializing_if = "Option::is_none")]
    address_table_lookups: Option<[(); 0]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonHeader {
    num_required_signatures: u8,
    num_readonly_signed_accounts: u8,
    num_readonly_unsigned_accounts: u8,
}

/// `UiCompiledInstruction`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UiInstruction<'a> {
    program_id_index: u8,
    accounts: &'a [u8],
    data: String,
    stack_height: Option<u32>,
}

fn transaction(tx: &BlockTransaction, encoding: TxEncoding) -> EncodedTransaction<'_> {
    match encoding {
        TxEncoding::Base64 => {
            EncodedTransaction::Encoded(base64::engine::general_purpose::STANDARD.encode(&tx.wire), "base64")
        }
        TxEncoding::Base58 => EncodedTransaction::Encoded(nosana_layouts::base58::encode(&tx.wire), "base58"),
        TxEncoding::Binary => EncodedTransaction::Bare(nosana_layouts::base58::encode(&tx.wire)),
        TxEncoding::Json => {
            let m = &tx.message;
            EncodedTransaction::Json(JsonTransaction {
                signatures: signatures(tx),
                message: JsonMessage {
                    header: JsonHeader {
                        num_required_signatures: m.header.num_required_signatures,
                        num_readonly_signed_accounts: m.header.num_readonly_signed_accounts,
                        num_readonly_unsigned_accounts: m.header.num_readonly_unsigned_accounts,
                    },
                    account_keys: m.account_keys.iter().map(|k| k.to_string()).collect(),
                    recent_blockhash: bs58::encode(m.recent_blockhash).into_string(),
                    instructions: m.instructions.iter().map(|ix| instruction(ix, None)).collect(),
                    address_table_lookups: (tx.version == MessageVersion::V0).then_some([]),
                },
            })
        }
    }
}

fn instruction(ix: &CompiledInstruction, stack_height: Option<u32>) -> UiInstruction<'_> {
    UiInstruction {
        program_id_index: ix.program_id_index,
        accounts: &ix.accounts,
        data: nosana_layouts::base58::encode(&ix.data),
        stack_height,
    }
}

/// err, status, fee, balances and token balances: what every meta carries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusAndBalances<'a> {
    err: Value,
    status: Value,
    fee: u64,
    pre_balances: &'a [u64],
    post_balances: &'a [u64],
    pre_token_balances: Vec<UiTokenBalance>,
    post_token_balances: Vec<UiTokenBalance>,
}

fn status_and_balances(tx: &BlockTransaction) -> StatusAndBalances<'_> {
    let meta = &tx.meta;
    let (err, status) = match &meta.status {
        Ok(()) => (Value::Null, json!({ "Ok": null })),
        Err(e) => {
            let e = error_json(e);
            (e.clone(), json!({ "Err": e }))
        }
    };
    StatusAndBalances {
        err,
        status,
        fee: meta.fee,
        pre_balances: &meta.pre_balances,
        post_balances: &meta.post_balances,
        pre_token_balances: meta.pre_token_balances.iter().map(token_balance).collect(),
        post_token_balances: meta.post_token_balances.iter().map(token_balance).collect(),
    }
}

/// `UiTransactionStatusMeta`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FullMeta<'a> {
    #[serde(flatten)]
    base: StatusAndBalances<'a>,
    inner_instructions: Vec<UiInnerInstructions<'a>>,
    log_messages: &'a [String],
    /// Agave shows `null` (not an absent field) when a block is asked for without rewards.
    rewards: Option<[(); 0]>,
    loaded_addresses: LoadedAddresses,
    compute_units_consumed: u64,
}

#[derive(Serialize)]
struct UiInnerInstructions<'a> {
    index: u8,
    instructions: Vec<UiInstruction<'a>>,
}

/// This node's transactions load no addresses from lookup tables.
#[derive(Serialize)]
struct LoadedAddresses {
    writable: [(); 0],
    readonly: [(); 0],
}

fn full_meta(tx: &BlockTransaction, show_rewards: bool) -> FullMeta<'_> {
    let meta = &tx.meta;
    FullMeta {
        base: status_and_balances(tx),
        inner_instructions: meta
            .inner_instructions
            .iter()
            .map(|inner| UiInnerInstructions {
                index: inner.index,
                instructions: inner
                    .instructions
                    .iter()
                    .map(|i| instruction(&i.instruction, Some(i.stack_height)))
                    .collect(),
            })
            .collect(),
        log_messages: &meta.log_messages,
        rewards: show_rewards.then_some([]),
        loaded_addresses: LoadedAddresses { writable: [], readonly: [] },
        compute_units_consumed: meta.compute_units_consumed,
    }
}

/// `UiTransactionTokenBalance`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UiTokenBalance {
    account_index: u8,
    mint: String,
    owner: String,
    program_id: String,
    ui_token_amount: UiTokenAmount,
}

fn token_balance(b: &TokenBalance) -> UiTokenBalance {
    UiTokenBalance {
        account_index: b.account_index,
        mint: b.mint.to_string(),
        owner: b.owner.to_string(),
        program_id: b.program_id.to_string(),
        // Balances pass through the ledger's protobuf, where a zero `uiAmount` comes back null.
        ui_token_amount: UiTokenAmount::new(b.amount, b.decimals, true),
    }
}

/// `UiTokenAmount`: `amount` as a string, `uiAmount` as a float, `uiAmountString` trimmed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UiTokenAmount {
    amount: String,
    decimals: u8,
    ui_amount: Option<f64>,
    ui_amount_string: String,
}

impl UiTokenAmount {
    pub fn new(amount: u64, decimals: u8, zero_is_null: bool) -> Self {
        let ui_amount = 10u64.checked_pow(decimals as u32).map(|d| amount as f64 / d as f64);
        UiTokenAmount {
            amount: amount.to_string(),
            decimals,
            ui_amount: if zero_is_null && amount == 0 { None } else { ui_amount },
            ui_amount_string: ui_amount_string(amount, decimals),
        }
    }
}

/// [`UiTokenAmount`] as a JSON value.
pub fn ui_token_amount(amount: u64, decimals: u8, zero_is_null: bool) -> Value {
    serde_json::to_value(UiTokenAmount::new(amount, decimals, zero_is_null)).unwrap_or(Value::Null)
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
