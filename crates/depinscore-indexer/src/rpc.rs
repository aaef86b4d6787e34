//! A Solana JSON-RPC client for what the indexer needs: gaps and backfill (`getBlocks`,
//! `getBlock` in `base64` encoding: each transaction's wire bytes, read without a base58 key or
//! signature to decode, and its meta), snapshots (`getProgramAccounts`) and reconciliation.

use std::time::Duration;

use base64::Engine;
use nosana_decode::{RawAccount, RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction};
use nosana_layouts::Pubkey;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::convert::{ConvertError, key_str};

/// What went wrong talking to the node.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// Without its URL: a provider's key in the endpoint must not reach the logs.
    #[error("http: {0}")]
    Http(reqwest::Error),
    #[error("{method}: JSON-RPC error {code}: {message}")]
    Node { method: &'static str, code: i64, message: String },
    #[error("{method}: unexpected response: {detail}")]
    Shape { method: &'static str, detail: String },
    /// The answer was not JSON at all (cut short, or a proxy's page): worth retrying.
    #[error("{method}: the answer is not JSON: {detail}")]
    NotJson { method: &'static str, detail: String },
    #[error("slot {slot}: {source}")]
    Convert { slot: u64, source: ConvertError },
}

impl RpcError {
    /// Worth retrying: the node was unreachable or slow, or had not reached the asked-for
    /// context slot yet (-32016).
    pub fn is_transient(&self) -> bool {
        matches!(self, RpcError::Http(_) | RpcError::NotJson { .. } | RpcError::Node { code: -32016, .. })
    }
}

impl From<reqwest::Error> for RpcError {
    fn from(e: reqwest::Error) -> Self {
        RpcError::Http(e.without_url())
    }
}

/// JSON-RPC client.
#[derive(Clone)]
pub struct RpcClient {
    http: reqwest::Client,
    url: String,
}

/// A block as `getBlock` returns it, converted.
#[derive(Clone, Debug)]
pub struct RpcBlock {
    pub slot: u64,
    pub parent_slot: u64,
    pub block_time: i64,
    pub block_height: u64,
    pub blockhash: String,
    pub transactions: Vec<RawTransaction>,
}

/// A JSON-RPC answer, its result read straight into the caller's type (a tree of
/// `serde_json::Value`s first, then the type, made a backfill spend its time allocating).
#[derive(Deserialize)]
struct Envelope<T> {
    result: Option<T>,
    error: Option<NodeError>,
}

#[derive(Deserialize)]
struct NodeError {
    code: i64,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UiBlock {
    parent_slot: u64,
    block_time: Option<i64>,
    block_height: Option<u64>,
    blockhash: String,
    #[serde(default)]
    transactions: Vec<UiTransactionWithMeta>,
}

#[derive(Deserialize)]
struct UiTransactionWithMeta {
    /// `[bytes, "base64"]`.
    transaction: (String, String),
    meta: Option<UiMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UiInstruction {
    program_id_index: u8,
    accounts: Vec<u8>,
    data: String,
    stack_height: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UiMeta {
    err: Option<Value>,
    fee: u64,
    #[serde(default)]
    inner_instructions: Option<Vec<UiInner>>,
    #[serde(default)]
    pre_token_balances: Option<Vec<UiTokenBalance>>,
    #[serde(default)]
    post_token_balances: Option<Vec<UiTokenBalance>>,
    #[serde(default)]
    loaded_addresses: Option<UiLoaded>,
    compute_units_consumed: Option<u64>,
}

#[derive(Deserialize)]
struct UiInner {
    index: u8,
    instructions: Vec<UiInstruction>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UiTokenBalance {
    account_index: u8,
    mint: String,
    owner: Option<String>,
    ui_token_amount: UiAmount,
}

#[derive(Deserialize)]
struct UiAmount {
    amount: String,
}

#[derive(Deserialize)]
struct UiLoaded {
    writable: Vec<String>,
    readonly: Vec<String>,
}

#[derive(Deserialize)]
struct KeyedAccount {
    pubkey: String,
    account: UiAccount,
}

#[derive(Deserialize)]
struct UiAccount {
    lamports: u64,
    owner: String,
    data: (String, String),
}

#[derive(Deserialize)]
struct WithContext<T> {
    context: Context,
    value: T,
}

#[derive(Deserialize)]
struct Context {
    slot: u64,
}

/// A `getProgramAccounts` filter.
#[derive(Clone, Debug)]
pub enum AccountFilter {
    DataSize(u64),
    /// Bytes at an offset.
    Memcmp(usize, Vec<u8>),
}

impl RpcClient {
    pub fn new(url: &str, timeout: Duration) -> Result<Self, RpcError> {
        let http = reqwest::Client::builder().timeout(timeout).build()?;
        Ok(Self { http, url: url.to_string() })
    }

    async fn call<T: DeserializeOwned>(&self, method: &'static str, params: Value) -> Result<T, RpcError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let bytes = self.http.post(&self.url).json(&body).send().await?.error_for_status()?.bytes().await?;
        let response = match serde_json::from_slice::<Envelope<T>>(&bytes) {
            Ok(r) => r,
            // Not the expected shape: an error answer whose result is something else, another
            // result, or no JSON at all.
            Err(typed) => match serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(&bytes) {
                Ok(Envelope { error: Some(e), .. }) => {
                    return Err(RpcError::Node { method, code: e.code, message: e.message });
                }
                Ok(_) => return Err(RpcError::Shape { method, detail: typed.to_string() }),
                Err(e) => return Err(RpcError::NotJson { method, detail: e.to_string() }),
            },
        };
        if let Some(e) = response.error {
            return Err(RpcError::Node { method, code: e.code, message: e.message });
        }
        match response.result {
            Some(result) => Ok(result),
            // A null (or missing) result is what a type that allows it makes of null.
            None => serde_json::from_value(Value::Null).map_err(|e| RpcError::Shape { method, detail: e.to_string() }),
        }
    }

    /// The newest slot at a commitment (`processed`, `confirmed`, `finalized`).
    pub async fn slot(&self, commitment: &str) -> Result<u64, RpcError> {
        self.call("getSlot", json!([{"commitment": commitment}])).await
    }

    /// Slots that have a block in `start..=end`, at `confirmed`.
    pub async fn blocks(&self, start: u64, end: u64) -> Result<Vec<u64>, RpcError> {
        self.call("getBlocks", json!([start, end, {"commitment": "confirmed"}])).await
    }

    /// One block; `None` when the slot was skipped or is not (yet) available.
    pub async fn block(&self, slot: u64) -> Result<Option<RpcBlock>, RpcError> {
        let params = json!([slot, {
            "encoding": "base64",
            "transactionDetails": "full",
            "rewards": false,
            "maxSupportedTransactionVersion": 0,
            "commitment": "confirmed",
        }]);
        let block: Option<UiBlock> = match self.call("getBlock", params).await {
            Ok(b) => b,
            Err(RpcError::Node { code: -32004 | -32007 | -32009, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(block) = block else { return Ok(None) };
        let block_time = block.block_time.unwrap_or(0);
        let transactions = block
            .transactions
            .into_iter()
            .enumerate()
            .map(|(i, t)| ui_transaction(slot, i as u32, block_time, t))
            .collect::<Result<Vec<_>, ConvertError>>()
            .map_err(|source| RpcError::Convert { slot, source })?;
        Ok(Some(RpcBlock {
            slot,
            parent_slot: block.parent_slot,
            block_time,
            block_height: block.block_height.unwrap_or(0),
            blockhash: block.blockhash,
            transactions,
        }))
    }

    /// Every account a program owns (with filters), and the slot the node read them at.
    pub async fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<(u64, Vec<RawAccount>), RpcError> {
        let filters: Vec<Value> = filters
            .iter()
            .map(|f| match f {
                AccountFilter::DataSize(n) => json!({"dataSize": n}),
                AccountFilter::Memcmp(offset, bytes) => {
                    json!({"memcmp": {"offset": offset, "bytes": bs58::encode(bytes).into_string()}})
                }
            })
            .collect();
        let params = json!([program.to_string(), {
            "encoding": "base64", "commitment": "confirmed", "withContext": true, "filters": filters,
        }]);
        let result: WithContext<Vec<KeyedAccount>> = self.call("getProgramAccounts", params).await?;
        let slot = result.context.slot;
        let accounts = result
            .value
            .into_iter()
            .map(|k| {
                let data = base64::engine::general_purpose::STANDARD.decode(&k.account.data.0).map_err(|e| {
                    RpcError::Shape { method: "getProgramAccounts", detail: format!("{}: {e}", k.pubkey) }
                })?;
                let pubkey = key_str(&k.pubkey).map_err(|source| RpcError::Convert { slot, source })?;
                let owner = key_str(&k.account.owner).map_err(|source| RpcError::Convert { slot, source })?;
                Ok(RawAccount {
                    pubkey,
                    owner,
                    lamports: k.account.lamports,
                    data,
                    slot,
                    write_version: 0,
                    txn_signature: None,
                })
            })
            .collect::<Result<Vec<_>, RpcError>>()?;
        Ok((slot, accounts))
    }
}

impl RpcClient {
    /// The accounts at `keys` (at most 100 per request; more are split), each with the slot
    /// the node read it at and `None` where none exists. The node must have reached
    /// `min_context_slot` (else a JSON-RPC error -32016 the caller may retry).
    pub async fn multiple_accounts(
        &self,
        keys: &[Pubkey],
        min_context_slot: u64,
    ) -> Result<Vec<(u64, Option<RawAccount>)>, RpcError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let list: Vec<String> = chunk.iter().map(|k| k.to_string()).collect();
            let params =
                json!([list, {"encoding": "base64", "commitment": "confirmed", "minContextSlot": min_context_slot}]);
            let result: WithContext<Vec<Option<UiAccount>>> = self.call("getMultipleAccounts", params).await?;
            let slot = result.context.slot;
            one_per_key(chunk.len(), result.value.len())?;
            for (key, account) in chunk.iter().zip(result.value) {
                let Some(a) = account else {
                    out.push((slot, None));
                    continue;
                };
                let shape = |detail: String| RpcError::Shape { method: "getMultipleAccounts", detail };
                let data = base64::engine::general_purpose::STANDARD
                    .decode(&a.data.0)
                    .map_err(|e| shape(format!("{key}: {e}")))?;
                let owner = key_str(&a.owner).map_err(|e| shape(format!("{key}: owner {e}")))?;
                let raw = RawAccount {
                    pubkey: *key,
                    owner,
                    lamports: a.lamports,
                    data,
                    slot,
                    write_version: 0,
                    txn_signature: None,
                };
                out.push((slot, Some(raw)));
            }
        }
        Ok(out)
    }
}

/// A node must answer one entry per requested key.
fn one_per_key(asked: usize, got: usize) -> Result<(), RpcError> {
    if asked == got {
        Ok(())
    } else {
        Err(RpcError::Shape { method: "getMultipleAccounts", detail: format!("{got} accounts for {asked} keys") })
    }
}

/// A CPI as the meta lists it (a node too old to give its stack height made it at height 2).
fn inner_instruction(ix: UiInstruction) -> Result<RawInstruction, ConvertError> {
    let data = bs58::decode(&ix.data).into_vec().map_err(|_| ConvertError::Key(ix.data.clone()))?;
    Ok(RawInstruction {
        program_id_index: ix.program_id_index,
        accounts: ix.accounts,
        data,
        stack_height: ix.stack_height.or(Some(2)),
    })
}

fn balances(list: Option<Vec<UiTokenBalance>>) -> Result<Vec<RawTokenBalance>, ConvertError> {
    list.unwrap_or_default()
        .into_iter()
        .map(|b| {
            Ok(RawTokenBalance {
                account_index: b.account_index,
                mint: key_str(&b.mint)?,
                owner: b.owner.as_deref().map(key_str).transpose()?,
                amount: b.ui_token_amount.amount.parse().map_err(|_| ConvertError::Amount(b.ui_token_amount.amount))?,
            })
        })
        .collect()
}

fn error_text(err: Value) -> String {
    match serde_json::from_value::<solana_transaction_error::TransactionError>(err.clone()) {
        Ok(e) => format!("{e:?}"),
        Err(_) => err.to_string(),
    }
}

fn ui_transaction(
    slot: u64,
    index: u32,
    block_time: i64,
    t: UiTransactionWithMeta,
) -> Result<RawTransaction, ConvertError> {
    let meta = t.meta.ok_or(ConvertError::Missing("meta"))?;
    let (data, encoding) = t.transaction;
    if encoding != "base64" {
        return Err(ConvertError::Encoding(encoding));
    }
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(&data).map_err(|e| ConvertError::Wire(e.to_string()))?;
    let wire = nosana_decode::wire::parse_transaction(&bytes).map_err(|e| ConvertError::Wire(e.to_string()))?;
    let loaded = meta.loaded_addresses.unwrap_or(UiLoaded { writable: vec![], readonly: vec![] });
    // The lookup tables' indexes and the addresses the node says they loaded must agree, or the
    // instructions' account indexes would name the wrong keys.
    if wire.loaded != (loaded.writable.len(), loaded.readonly.len()) {
        return Err(ConvertError::Wire(format!(
            "the lookup tables load {:?} (writable, readonly) addresses, the meta lists {:?}",
            wire.loaded,
            (loaded.writable.len(), loaded.readonly.len())
        )));
    }
    let mut account_keys = wire.static_keys;
    account_keys.reserve(loaded.writable.len() + loaded.readonly.len());
    for k in loaded.writable.iter().chain(&loaded.readonly) {
        account_keys.push(key_str(k)?);
    }
    Ok(RawTransaction {
        slot,
        index,
        block_time,
        signature: wire.signatures[0],
        account_keys,
        num_required_signatures: wire.num_required_signatures,
        instructions: wire.instructions,
        inner_instructions: meta
            .inner_instructions
            .unwrap_or_default()
            .into_iter()
            .map(|inner| {
                Ok(RawInnerInstructions {
                    index: inner.index,
                    instructions: inner.instructions.into_iter().map(inner_instruction).collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, ConvertError>>()?,
        pre_token_balances: balances(meta.pre_token_balances)?,
        post_token_balances: balances(meta.post_token_balances)?,
        fee: meta.fee,
        compute_units: meta.compute_units_consumed,
        err: meta.err.map(error_text),
    })
}

#[cfg(test)]
mod retry_tests {
    use super::RpcError;

    #[test]
    fn a_node_behind_is_worth_retrying_and_a_refusal_or_nonsense_is_not() {
        let node = |code| RpcError::Node { method: "getMultipleAccounts", code, message: String::new() };
        assert!(node(-32016).is_transient(), "minimum context slot not reached");
        assert!(!node(-32601).is_transient(), "method not found");
        assert!(!RpcError::Shape { method: "getMultipleAccounts", detail: String::new() }.is_transient());
        assert!(RpcError::NotJson { method: "getBlock", detail: String::new() }.is_transient());
    }

    /// Serves each body once, as an HTTP answer, on a loopback port.
    async fn answering(bodies: Vec<&'static str>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            for body in bodies {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = vec![0u8; 65_536];
                let _ = socket.read(&mut request).await;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(answer.as_bytes()).await.unwrap();
            }
        });
        url
    }

    #[tokio::test]
    async fn answers_are_read_into_their_type_and_bad_ones_are_told_apart() {
        let url = answering(vec![
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":42}"#,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32016,"message":"behind"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":"forty-two"}"#,
            "<html>bad gateway</html>",
        ])
        .await;
        let rpc = super::RpcClient::new(&url, std::time::Duration::from_secs(5)).unwrap();
        assert!(rpc.block(7).await.unwrap().is_none(), "a null block is a skipped slot");
        assert_eq!(rpc.slot("confirmed").await.unwrap(), 42);
        let behind = rpc.slot("confirmed").await.unwrap_err();
        assert!(matches!(behind, RpcError::Node { code: -32016, .. }) && behind.is_transient(), "{behind}");
        let shape = rpc.slot("confirmed").await.unwrap_err();
        assert!(matches!(shape, RpcError::Shape { method: "getSlot", .. }) && !shape.is_transient(), "{shape}");
        let page = rpc.slot("confirmed").await.unwrap_err();
        assert!(matches!(page, RpcError::NotJson { .. }) && page.is_transient(), "{page}");
    }
}

#[cfg(test)]
mod base64_tests {
    use base64::Engine;
    use nosana_chain::MessageVersion;
    use nosana_chain::wire::{message_bytes, transaction_bytes, write_compact_u16};
    use nosana_layouts::Pubkey;
    use nosana_reference::{CompiledInstruction, Message, MessageHeader};

    use super::{ConvertError, UiTransactionWithMeta, ui_transaction};

    /// A v0 transaction over two static keys whose one lookup table loads one writable and one
    /// readonly address; its instruction names the loaded ones (indexes 2 and 3).
    fn v0_with_lookups() -> Vec<u8> {
        let message = Message {
            header: MessageHeader {
                num_required_signatures: 1,
                num_readonly_signed_accounts: 0,
                num_readonly_unsigned_accounts: 1,
            },
            account_keys: vec![Pubkey::new_from_array([1; 32]), Pubkey::new_from_array([2; 32])],
            recent_blockhash: [3; 32],
            instructions: vec![CompiledInstruction { program_id_index: 1, accounts: vec![0, 2, 3], data: vec![9, 9] }],
        };
        let mut bytes = message_bytes(&message, MessageVersion::V0);
        bytes.pop();
        write_compact_u16(&mut bytes, 1);
        bytes.extend_from_slice(&[4; 32]);
        for indexes in [[0u8], [1u8]] {
            write_compact_u16(&mut bytes, 1);
            bytes.extend_from_slice(&indexes);
        }
        transaction_bytes(&[[7; 64]], &bytes)
    }

    fn answer(encoding: &str, writable: &[Pubkey], readonly: &[Pubkey]) -> UiTransactionWithMeta {
        let data = base64::engine::general_purpose::STANDARD.encode(v0_with_lookups());
        let keys = |ks: &[Pubkey]| ks.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        serde_json::from_value(serde_json::json!({
            "transaction": [data, encoding],
            "meta": {
                "err": null, "fee": 5000, "innerInstructions": [], "preTokenBalances": [],
                "postTokenBalances": [], "computeUnitsConsumed": 1200,
                "loadedAddresses": { "writable": keys(writable), "readonly": keys(readonly) },
            },
        }))
        .unwrap()
    }

    #[test]
    fn a_base64_v0_transaction_reads_its_loaded_addresses_after_its_static_keys() {
        let (w, r) = (Pubkey::new_from_array([5; 32]), Pubkey::new_from_array([6; 32]));
        let tx = ui_transaction(10, 3, 1_700_000_000, answer("base64", &[w], &[r])).unwrap();
        assert_eq!(tx.signature, [7; 64]);
        assert_eq!(tx.account_keys, vec![Pubkey::new_from_array([1; 32]), Pubkey::new_from_array([2; 32]), w, r]);
        assert_eq!((tx.slot, tx.index, tx.fee, tx.compute_units), (10, 3, 5000, Some(1200)));
        assert_eq!(tx.instructions[0].accounts, vec![0, 2, 3]);
        assert_eq!(tx.instructions[0].data, vec![9, 9]);
        assert_eq!(tx.instructions[0].stack_height, Some(1));
    }

    #[test]
    fn lookups_the_meta_does_not_match_or_another_encoding_are_errors() {
        let w = Pubkey::new_from_array([5; 32]);
        let missing = ui_transaction(10, 0, 0, answer("base64", &[w], &[])).unwrap_err();
        assert!(matches!(missing, ConvertError::Wire(ref m) if m.contains("lookup tables")), "{missing}");
        let json = ui_transaction(10, 0, 0, answer("base58", &[w], &[w])).unwrap_err();
        assert_eq!(json, ConvertError::Encoding("base58".into()));
        let mut cut = answer("base64", &[w], &[w]);
        cut.transaction.0.truncate(40);
        assert!(matches!(ui_transaction(10, 0, 0, cut), Err(ConvertError::Wire(_))));
    }
}
