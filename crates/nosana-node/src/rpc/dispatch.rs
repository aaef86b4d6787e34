//! JSON-RPC 2.0 framing: parsing, batches, notifications, and routing methods.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Map, Value, json};

use super::error::{RpcError, RpcResult};
use super::{Answer, RpcState, accounts, blocks, cluster};

/// Answers a request body with the JSON to send back: `None` when there is nothing to send
/// (only notifications).
pub fn handle_body(state: &RpcState, body: &[u8]) -> Option<Vec<u8>> {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return Some(to_json(&error_response(Value::Null, RpcError::parse_error())));
    };
    match request {
        Value::Array(items) if items.is_empty() => {
            Some(to_json(&error_response(Value::Null, RpcError::invalid_request("empty batch"))))
        }
        Value::Array(items) => {
            let out: Vec<Vec<u8>> = items.iter().filter_map(|item| handle_one(state, item)).collect();
            (!out.is_empty()).then(|| {
                let mut body = b"[".to_vec();
                body.extend_from_slice(&out.join(&b","[..]));
                body.push(b']');
                body
            })
        }
        other => handle_one(state, &other),
    }
}

fn to_json(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

fn handle_one(state: &RpcState, request: &Value) -> Option<Vec<u8>> {
    answer_one(state, request).map(|reply| match reply {
        Ok((id, Answer::Value(result))) => to_json(&json!({ "jsonrpc": "2.0", "result": result, "id": id })),
        Ok((id, Answer::Json(result))) => {
            let mut body = br#"{"jsonrpc":"2.0","result":"#.to_vec();
            body.extend_from_slice(&result);
            body.extend_from_slice(br#","id":"#);
            body.extend_from_slice(&to_json(&id));
            body.push(b'}');
            body
        }
        Err(error) => to_json(&error),
    })
}

/// One request's reply: `(id, result)` or the error response; `None` for a notification.
fn answer_one(state: &RpcState, request: &Value) -> Option<Result<(Value, Answer), Value>> {
    let Value::Object(request) = request else {
        return Some(Err(error_response(Value::Null, RpcError::invalid_request("a request must be a JSON object"))));
    };
    // No `id` at all makes a notification: executed, never answered.
    let id = match request.get("id") {
        None => None,
        Some(id @ (Value::Null | Value::Number(_) | Value::String(_))) => Some(id.clone()),
        Some(_) => {
            return Some(Err(error_response(
                Value::Null,
                RpcError::invalid_request("`id` must be a number, a string or null"),
            )));
        }
    };
    let respond_id = id.clone().unwrap_or(Value::Null);
    if request.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(Err(error_response(respond_id, RpcError::invalid_request("`jsonrpc` must be \"2.0\""))));
    }
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return Some(Err(error_response(respond_id, RpcError::invalid_request("`method` must be a string"))));
    };
    let result = guarded(|| call(state, method, request.get("params")));
    let id = id?;
    Some(match result {
        Ok(result) => Ok((id, result)),
        Err(e) => Err(error_response(id, e)),
    })
}

/// A handler that panics answers -32603 instead of taking the connection down.
fn guarded(f: impl FnOnce() -> RpcResult<Answer>) -> RpcResult<Answer> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(RpcError::internal("Internal error")))
}

fn error_response(id: Value, e: RpcError) -> Value {
    let mut out = Map::new();
    out.insert("jsonrpc".into(), json!("2.0"));
    out.insert("error".into(), e.to_json());
    out.insert("id".into(), id);
    Value::Object(out)
}

/// Every method this node answers.
pub const METHODS: &[&str] = &[
    "getAccountInfo",
    "getBalance",
    "getBlock",
    "getBlockHeight",
    "getBlockTime",
    "getBlocks",
    "getBlocksWithLimit",
    "getFirstAvailableBlock",
    "getGenesisHash",
    "getHealth",
    "getLatestBlockhash",
    "getMinimumBalanceForRentExemption",
    "getMultipleAccounts",
    "getProgramAccounts",
    "getSignatureStatuses",
    "getSignaturesForAddress",
    "getSlot",
    "getTokenSupply",
    "getTransaction",
    "getVersion",
];

fn call(state: &RpcState, method: &str, params: Option<&Value>) -> RpcResult<Answer> {
    if method == "getBlock" {
        return blocks::get_block(state, params);
    }
    call_value(state, method, params).map(Answer::Value)
}

fn call_value(state: &RpcState, method: &str, params: Option<&Value>) -> RpcResult<Value> {
    match method {
        "getAccountInfo" => accounts::get_account_info(state, params),
        "getBalance" => accounts::get_balance(state, params),
        "getMultipleAccounts" => accounts::get_multiple_accounts(state, params),
        "getProgramAccounts" => accounts::get_program_accounts(state, params),
        "getTokenSupply" => accounts::get_token_supply(state, params),
        "getMinimumBalanceForRentExemption" => accounts::get_minimum_balance_for_rent_exemption(state, params),
        "getBlockHeight" => blocks::get_block_height(state, params),
        "getBlockTime" => blocks::get_block_time(state, params),
        "getBlocks" => blocks::get_blocks(state, params),
        "getBlocksWithLimit" => blocks::get_blocks_with_limit(state, params),
        "getFirstAvailableBlock" => blocks::get_first_available_block(state, params),
        "getLatestBlockhash" => blocks::get_latest_blockhash(state, params),
        "getSignatureStatuses" => blocks::get_signature_statuses(state, params),
        "getSignaturesForAddress" => blocks::get_signatures_for_address(state, params),
        "getSlot" => blocks::get_slot(state, params),
        "getTransaction" => blocks::get_transaction(state, params),
        "getGenesisHash" => cluster::get_genesis_hash(state, params),
        "getHealth" => cluster::get_health(state, params),
        "getVersion" => cluster::get_version(state, params),
        _ => Err(RpcError::method_not_found(method)),
    }
}
