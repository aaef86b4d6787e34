//! Reading positional parameters and config objects, with errors that name the parameter.

use std::str::FromStr;

use nosana_chain::{Commitment, Signature};
use serde_json::{Map, Value};
use solana_pubkey::Pubkey;

use super::error::{RpcError, RpcResult};

/// A request's positional parameters.
#[derive(Clone, Copy)]
pub struct Params<'a> {
    items: &'a [Value],
}

impl<'a> Params<'a> {
    /// `params` as sent: absent or null means none; anything but an array is invalid.
    pub fn new(params: Option<&'a Value>, max: usize) -> RpcResult<Self> {
        let items: &[Value] = match params {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(_) => return Err(RpcError::invalid_params("Invalid params: `params` must be an array")),
        };
        if items.len() > max {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: expected at most {max} parameter(s), got {}",
                items.len()
            )));
        }
        Ok(Params { items })
    }

    /// The parameter at `index`; null counts as absent.
    pub fn get(&self, index: usize) -> Option<&'a Value> {
        self.items.get(index).filter(|v| !v.is_null())
    }

    pub fn required(&self, index: usize, name: &str) -> RpcResult<&'a Value> {
        self.get(index)
            .ok_or_else(|| RpcError::invalid_params(format!("Invalid params: missing `{name}` (parameter {index})")))
    }

    /// The config object at `index` (empty when absent).
    pub fn config(&self, index: usize) -> RpcResult<Config<'a>> {
        match self.get(index) {
            None => Ok(Config(None)),
            Some(Value::Object(map)) => Ok(Config(Some(map))),
            Some(other) => Err(RpcError::invalid_params(format!(
                "Invalid params: the config (parameter {index}) must be an object, got {}",
                kind(other)
            ))),
        }
    }
}

/// A config object (`{"commitment": …, "encoding": …}`).
#[derive(Clone, Copy, Default)]
pub struct Config<'a>(pub Option<&'a Map<String, Value>>);

impl<'a> Config<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0?.get(key).filter(|v| !v.is_null())
    }

    pub fn u64(&self, key: &str) -> RpcResult<Option<u64>> {
        self.get(key).map(|v| u64_value(v, key)).transpose()
    }

    pub fn bool(&self, key: &str) -> RpcResult<Option<bool>> {
        self.get(key)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    RpcError::invalid_params(format!("Invalid params: `{key}` must be a boolean, got {}", kind(v)))
                })
            })
            .transpose()
    }

    pub fn str(&self, key: &str) -> RpcResult<Option<&'a str>> {
        self.get(key).map(|v| str_value(v, key)).transpose()
    }

    /// A string that must be one of `allowed`.
    pub fn one_of(&self, key: &str, allowed: &[&'static str]) -> RpcResult<Option<&'static str>> {
        let Some(s) = self.str(key)? else { return Ok(None) };
        allowed.iter().find(|a| **a == s).copied().map(Some).ok_or_else(|| {
            RpcError::invalid_params(format!(
                "Invalid params: unknown {key} `{s}`, expected one of {}",
                allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// `commitment`, defaulting to finalized as Agave does.
    pub fn commitment(&self) -> RpcResult<Commitment> {
        Ok(match self.one_of("commitment", &["processed", "confirmed", "finalized"])? {
            Some("processed") => Commitment::Processed,
            Some("confirmed") => Commitment::Confirmed,
            _ => Commitment::Finalized,
        })
    }

    pub fn min_context_slot(&self) -> RpcResult<Option<u64>> {
        self.u64("minContextSlot")
    }
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub fn u64_value(v: &Value, name: &str) -> RpcResult<u64> {
    v.as_u64().ok_or_else(|| {
        RpcError::invalid_params(format!("Invalid params: `{name}` must be an unsigned integer, got {}", short(v)))
    })
}

pub fn str_value<'a>(v: &'a Value, name: &str) -> RpcResult<&'a str> {
    v.as_str()
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid params: `{name}` must be a string, got {}", kind(v))))
}

pub fn pubkey(v: &Value, name: &str) -> RpcResult<Pubkey> {
    let s = str_value(v, name)?;
    Pubkey::from_str(s).map_err(|e| {
        RpcError::invalid_params(format!("Invalid param: `{name}` {:?} is not a base58 public key ({e:?})", clip(s)))
    })
}

pub fn signature(v: &Value, name: &str) -> RpcResult<Signature> {
    let s = str_value(v, name)?;
    Signature::from_str(s).map_err(|e| {
        RpcError::invalid_params(format!("Invalid param: `{name}` {:?} is not a base58 signature ({e:?})", clip(s)))
    })
}

/// A value as it appears in a message, cut short.
fn short(v: &Value) -> String {
    clip(&v.to_string()).to_string()
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(100) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
