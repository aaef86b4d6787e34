//! JSON-RPC errors with the codes and messages Agave's RPC uses.

use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

pub type RpcResult<T> = Result<T, RpcError>;

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError { code, message: message.into(), data: None }
    }

    pub fn parse_error() -> Self {
        RpcError::new(-32700, "Parse error")
    }

    pub fn invalid_request(why: &str) -> Self {
        RpcError::new(-32600, format!("Invalid request: {why}"))
    }

    pub fn method_not_found(method: &str) -> Self {
        RpcError { data: Some(json!(method)), ..RpcError::new(-32601, "Method not found") }
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        RpcError::new(-32602, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        RpcError::new(-32603, message)
    }

    /// `getAccountInfo` and friends with base58 and more than 128 bytes (Agave answers -32600).
    pub fn base58_too_large() -> Self {
        RpcError::new(
            -32600,
            "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
        )
    }

    pub fn block_cleaned_up(slot: u64, first_available: u64) -> Self {
        RpcError::new(
            -32001,
            format!("Block {slot} cleaned up, does not exist on node. First available block: {first_available}"),
        )
    }

    pub fn block_not_available(slot: u64) -> Self {
        RpcError::new(-32004, format!("Block not available for slot {slot}"))
    }

    pub fn slot_skipped(slot: u64) -> Self {
        RpcError::new(-32007, format!("Slot {slot} was skipped, or missing due to ledger jump to recent snapshot"))
    }

    pub fn long_term_storage_slot_skipped(slot: u64) -> Self {
        RpcError::new(-32009, format!("Slot {slot} was skipped, or missing in long-term storage"))
    }

    pub fn unsupported_transaction_version(version: u8) -> Self {
        RpcError::new(
            -32015,
            format!(
                "Transaction version ({version}) is not supported by the requesting client. Please try the request \
                 again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}"
            ),
        )
    }

    pub fn min_context_slot_not_reached(context_slot: u64) -> Self {
        RpcError {
            data: Some(json!({ "contextSlot": context_slot })),
            ..RpcError::new(-32016, "Minimum context slot has not been reached")
        }
    }

    pub fn to_json(&self) -> Value {
        let mut e = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            e["data"] = data.clone();
        }
        e
    }
}
