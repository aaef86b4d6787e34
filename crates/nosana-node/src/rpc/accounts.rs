//! Account methods, served from the head bank (processed state) whatever the commitment; the
//! context slot is the ledger's newest slot at the requested commitment.

use base64::Engine as _;
use nosana_layouts::ids::TOKEN_PROGRAM_ID;
use nosana_layouts::spl::TOKEN_ACCOUNT_LEN;
use nosana_reference::Account;
use nosana_reference::bank::rent_exempt_minimum;
use serde_json::{Value, json};
use solana_pubkey::Pubkey;

use super::RpcState;
use super::encode::ui_token_amount;
use super::error::{RpcError, RpcResult};
use super::params::{Config, Params, kind, pubkey, u64_value};

/// `getMultipleAccounts` inputs.
pub const MAX_MULTIPLE_ACCOUNTS: usize = 100;
/// `getProgramAccounts` filters.
pub const MAX_FILTERS: usize = 4;
/// Largest data base58 may carry, and the largest memcmp pattern.
pub const MAX_BASE58_BYTES: usize = 128;
/// Longest base58 memcmp string (128 bytes encode to at most 175 characters).
const MAX_BASE58_CHARS: usize = 175;
/// `getMinimumBalanceForRentExemption` data length limit (10 MiB).
const MAX_PERMITTED_DATA_LENGTH: u64 = 10 * 1024 * 1024;
/// The token account `state` byte.
const TOKEN_STATE_OFFSET: usize = 108;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AccountEncoding {
    /// Agave's default: a bare base58 string.
    Binary,
    Base58,
    Base64,
}

#[derive(Clone, Copy, Debug)]
struct DataSlice {
    offset: usize,
    length: usize,
}

#[derive(Clone, Copy, Debug)]
struct AccountOptions {
    encoding: AccountEncoding,
    slice: Option<DataSlice>,
}

impl AccountOptions {
    fn from_config(config: &Config<'_>) -> RpcResult<Self> {
        let name = config.one_of("encoding", &["binary", "base58", "base64", "base64+zstd", "jsonParsed"])?;
        let encoding = match name {
            None | Some("binary") => AccountEncoding::Binary,
            Some("base58") => AccountEncoding::Base58,
            // No parsers here: Agave falls back to base64 for accounts it cannot parse.
            Some("base64") | Some("jsonParsed") => AccountEncoding::Base64,
            Some(other) => {
                return Err(RpcError::invalid_params(format!(
                    "Invalid params: encoding `{other}` is not supported by this node; use `base64`"
                )));
            }
        };
        let slice = match config.get("dataSlice") {
            None => None,
            Some(Value::Object(s)) => {
                let field = |key: &str| -> RpcResult<usize> {
                    let v = s.get(key).ok_or_else(|| {
                        RpcError::invalid_params(format!("Invalid params: `dataSlice.{key}` is missing"))
                    })?;
                    Ok(usize::try_from(u64_value(v, &format!("dataSlice.{key}"))?).unwrap_or(usize::MAX))
                };
                Some(DataSlice { offset: field("offset")?, length: field("length")? })
            }
            Some(other) => {
                return Err(RpcError::invalid_params(format!(
                    "Invalid params: `dataSlice` must be an object, got {}",
                    kind(other)
                )));
            }
        };
        Ok(AccountOptions { encoding, slice })
    }
}

fn sliced(data: &[u8], slice: Option<DataSlice>) -> &[u8] {
    match slice {
        None => data,
        Some(s) => {
            let start = s.offset.min(data.len());
            let end = start.saturating_add(s.length).min(data.len());
            &data[start..end]
        }
    }
}

/// `UiAccount`.
fn encode_account(account: &Account, options: AccountOptions) -> RpcResult<Value> {
    let data = sliced(&account.data, options.slice);
    let data = match options.encoding {
        AccountEncoding::Binary | AccountEncoding::Base58 if data.len() > MAX_BASE58_BYTES => {
            return Err(RpcError::base58_too_large());
        }
        AccountEncoding::Binary => json!(bs58::encode(data).into_string()),
        AccountEncoding::Base58 => json!([bs58::encode(data).into_string(), "base58"]),
        AccountEncoding::Base64 => json!([base64::engine::general_purpose::STANDARD.encode(data), "base64"]),
    };
    Ok(json!({
        "lamports": account.lamports,
        "data": data,
        "owner": account.owner.to_string(),
        "executable": account.executable,
        "rentEpoch": u64::MAX,
        "space": account.data.len(),
    }))
}

pub fn get_account_info(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let key = pubkey(p.required(0, "pubkey")?, "pubkey")?;
    let config = p.config(1)?;
    let options = AccountOptions::from_config(&config)?;
    let (_, context) = state.context(config.commitment()?, config.min_context_slot()?)?;
    let account = state.chain().bank().get(&key).cloned();
    let value = account.map(|a| encode_account(&a, options)).transpose()?;
    Ok(json!({ "context": context, "value": value }))
}

pub fn get_multiple_accounts(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let list = p.required(0, "pubkeys")?;
    let Value::Array(list) = list else {
        return Err(RpcError::invalid_params(format!(
            "Invalid params: `pubkeys` must be an array, got {}",
            kind(list)
        )));
    };
    if list.len() > MAX_MULTIPLE_ACCOUNTS {
        return Err(RpcError::invalid_params(format!("Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")));
    }
    let keys = list
        .iter()
        .enumerate()
        .map(|(i, v)| pubkey(v, &format!("pubkeys[{i}]")))
        .collect::<RpcResult<Vec<Pubkey>>>()?;
    let config = p.config(1)?;
    let options = AccountOptions::from_config(&config)?;
    let (_, context) = state.context(config.commitment()?, config.min_context_slot()?)?;
    let accounts: Vec<Option<Account>> = {
        let chain = state.chain();
        keys.iter().map(|k| chain.bank().get(k).cloned()).collect()
    };
    let value = accounts
        .iter()
        .map(|a| a.as_ref().map(|a| encode_account(a, options)).transpose().map(|v| v.unwrap_or(Value::Null)))
        .collect::<RpcResult<Vec<_>>>()?;
    Ok(json!({ "context": context, "value": value }))
}

/// A `getProgramAccounts` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Filter {
    DataSize(u64),
    Memcmp { offset: usize, bytes: Vec<u8> },
    TokenAccountState,
}

impl Filter {
    fn matches(&self, account: &Account) -> bool {
        match self {
            Filter::DataSize(n) => account.data.len() as u64 == *n,
            Filter::Memcmp { offset, bytes } => {
                offset.checked_add(bytes.len()).and_then(|end| account.data.get(*offset..end)) == Some(&bytes[..])
            }
            Filter::TokenAccountState => {
                account.owner == TOKEN_PROGRAM_ID
                    && account.data.len() == TOKEN_ACCOUNT_LEN
                    && account.data[TOKEN_STATE_OFFSET] != 0
            }
        }
    }

    fn parse(v: &Value, index: usize) -> RpcResult<Filter> {
        let name = format!("filters[{index}]");
        let invalid = |why: String| RpcError::invalid_params(format!("Invalid params: `{name}` {why}"));
        if v.as_str() == Some("tokenAccountState") {
            return Ok(Filter::TokenAccountState);
        }
        let Value::Object(map) = v else { return Err(invalid(format!("must be an object, got {}", kind(v)))) };
        if map.len() != 1 {
            return Err(invalid("must have exactly one of `dataSize`, `memcmp`, `tokenAccountState`".into()));
        }
        let (key, body) = map.iter().next().ok_or_else(|| invalid("is empty".into()))?;
        match key.as_str() {
            "dataSize" => Ok(Filter::DataSize(u64_value(body, &format!("{name}.dataSize"))?)),
            "tokenAccountState" => Ok(Filter::TokenAccountState),
            "memcmp" => {
                let Value::Object(m) = body else {
                    return Err(invalid(format!("`memcmp` must be an object, got {}", kind(body))));
                };
                let offset = m
                    .get("offset")
                    .ok_or_else(|| invalid("`memcmp.offset` is missing".into()))
                    .and_then(|v| u64_value(v, &format!("{name}.memcmp.offset")))?;
                let bytes = m
                    .get("bytes")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("`memcmp.bytes` must be a string".into()))?;
                let encoding = m.get("encoding").and_then(Value::as_str).unwrap_or("base58");
                let bytes = match encoding {
                    "base58" => {
                        if bytes.len() > MAX_BASE58_CHARS {
                            return Err(RpcError::invalid_params("Invalid param: Base58DataTooLarge"));
                        }
                        bs58::decode(bytes).into_vec().map_err(|e| {
                            RpcError::invalid_params(format!(
                                "Invalid param: `{name}.memcmp.bytes` is not base58 ({e})"
                            ))
                        })?
                    }
                    "base64" => base64::engine::general_purpose::STANDARD.decode(bytes).map_err(|e| {
                        RpcError::invalid_params(format!("Invalid param: `{name}.memcmp.bytes` is not base64 ({e})"))
                    })?,
                    other => return Err(invalid(format!("`memcmp.encoding` `{other}` is not base58 or base64"))),
                };
                if bytes.len() > MAX_BASE58_BYTES {
                    return Err(RpcError::invalid_params("Invalid param: DataTooLarge"));
                }
                Ok(Filter::Memcmp { offset: usize::try_from(offset).unwrap_or(usize::MAX), bytes })
            }
            other => Err(invalid(format!("has unknown filter `{other}`"))),
        }
    }
}

pub fn get_program_accounts(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let program = pubkey(p.required(0, "program_id")?, "program_id")?;
    let config = p.config(1)?;
    let options = AccountOptions::from_config(&config)?;
    let filters = match config.get("filters") {
        None => vec![],
        Some(Value::Array(list)) => {
            if list.len() > MAX_FILTERS {
                return Err(RpcError::invalid_params(format!("Too many filters provided; max {MAX_FILTERS}")));
            }
            list.iter().enumerate().map(|(i, f)| Filter::parse(f, i)).collect::<RpcResult<Vec<_>>>()?
        }
        Some(other) => {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: `filters` must be an array, got {}",
                kind(other)
            )));
        }
    };
    let with_context = config.bool("withContext")?.unwrap_or(false);
    let (_, context) = state.context(config.commitment()?, config.min_context_slot()?)?;
    // Copy the matches under the lock; encode after releasing it.
    let matches: Vec<(Pubkey, Account)> = {
        let chain = state.chain();
        chain
            .bank()
            .accounts()
            .iter()
            .filter(|(_, a)| a.owner == program && filters.iter().all(|f| f.matches(a)))
            .map(|(k, a)| (*k, a.clone()))
            .collect()
    };
    let value = matches
        .iter()
        .map(|(k, a)| Ok(json!({ "pubkey": k.to_string(), "account": encode_account(a, options)? })))
        .collect::<RpcResult<Vec<_>>>()?;
    Ok(if with_context { json!({ "context": context, "value": value }) } else { Value::Array(value) })
}

pub fn get_balance(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let key = pubkey(p.required(0, "pubkey")?, "pubkey")?;
    let config = p.config(1)?;
    let (_, context) = state.context(config.commitment()?, config.min_context_slot()?)?;
    let lamports = state.chain().bank().lamports(&key);
    Ok(json!({ "context": context, "value": lamports }))
}

pub fn get_token_supply(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let key = pubkey(p.required(0, "mint")?, "mint")?;
    let config = p.config(1)?;
    let (_, context) = state.context(config.commitment()?, config.min_context_slot()?)?;
    let mint = {
        let chain = state.chain();
        if chain.bank().get(&key).is_none() {
            return Err(RpcError::invalid_params("Invalid param: could not find account"));
        }
        chain.bank().mint(&key)
    };
    let mint = mint.ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token mint"))?;
    Ok(json!({ "context": context, "value": ui_token_amount(mint.supply, mint.decimals, false) }))
}

pub fn get_minimum_balance_for_rent_exemption(_: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let len = u64_value(p.required(0, "data_len")?, "data_len")?;
    p.config(1)?.commitment()?;
    if len > MAX_PERMITTED_DATA_LENGTH {
        return Err(RpcError::invalid_params(format!(
            "Invalid param: data length {len} exceeds the limit of {MAX_PERMITTED_DATA_LENGTH}"
        )));
    }
    Ok(json!(rent_exempt_minimum(len as usize)))
}
