//! Methods about the node itself: version, genesis hash, health.

use serde_json::{Value, json};

use super::RpcState;
use super::error::RpcResult;
use super::params::Params;

/// The Agave release this node answers as (`getVersion`, `context.apiVersion`).
pub const SOLANA_CORE_VERSION: &str = "2.2.7";
/// The feature-set id `getVersion` reports alongside it.
pub const FEATURE_SET: u32 = 3_294_202_862;

pub fn get_version(_: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    Params::new(params, 0)?;
    Ok(json!({ "solana-core": SOLANA_CORE_VERSION, "feature-set": FEATURE_SET }))
}

pub fn get_genesis_hash(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    Params::new(params, 0)?;
    Ok(json!(bs58::encode(state.genesis_hash).into_string()))
}

pub fn get_health(_: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    Params::new(params, 0)?;
    Ok(json!("ok"))
}
