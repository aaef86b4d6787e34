//! A `SubscribeRequest` parsed and validated into the filters a subscriber runs, and the matching
//! rules of Yellowstone's server (README and protocol notes §1.3): inside one filter the fields
//! AND and the values of one list OR; an update goes out when any named filter matches and lists
//! every name that did; an empty map selects nothing of that kind; a filter with every field
//! empty selects everything of its kind.

use std::collections::{BTreeMap, HashSet};

use base64::Engine;
use nosana_chain::{AccountWrite, BlockTransaction, Commitment, SlotStatus};
use solana_pubkey::Pubkey;
use yellowstone_grpc_proto::cuckoo::CuckooFilter;
use yellowstone_grpc_proto::prelude as pb;
use yellowstone_grpc_proto::prelude::subscribe_request_filter_accounts_filter::Filter as AccountsFilterOneof;
use yellowstone_grpc_proto::prelude::subscribe_request_filter_accounts_filter_lamports::Cmp;
use yellowstone_grpc_proto::prelude::subscribe_request_filter_accounts_filter_memcmp::Data as MemcmpData;

/// Upstream's limit on a filter name.
pub const MAX_FILTER_NAME_LEN: usize = 128;
/// Upstream's limit on the bytes one memcmp compares.
pub const MAX_MEMCMP_LEN: usize = 128;
/// The size of an SPL token account.
const TOKEN_ACCOUNT_LEN: usize = 165;
/// Offset of the account state byte in an SPL token account.
const TOKEN_ACCOUNT_STATE_OFFSET: usize = 108;
/// Token-2022 writes the account type after the base layout; 2 is "account".
const TOKEN_2022_ACCOUNT_TYPE: u8 = 2;

/// Why a request could not become a filter set. The server answers
/// `INVALID_ARGUMENT "failed to create filter: {this}"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(String);

fn err<T>(message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError(message.into()))
}

impl From<FilterError> for tonic::Status {
    fn from(e: FilterError) -> Self {
        tonic::Status::invalid_argument(format!("failed to create filter: {e}"))
    }
}

/// A set of pubkeys plus an optional cuckoo filter; empty means "no constraint".
#[derive(Default)]
struct KeySet {
    keys: HashSet<Pubkey>,
    cuckoo: Option<CuckooFilter<[u8; 32]>>,
}

impl KeySet {
    fn parse(what: &str, list: &[String], cuckoo: Option<&pb::CuckooFilter>) -> Result<Self, FilterError> {
        Ok(KeySet { keys: pubkeys(what, list)?, cuckoo: cuckoo.map(CuckooFilter::from) })
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.cuckoo.is_none()
    }

    fn contains(&self, key: &Pubkey) -> bool {
        self.keys.contains(key) || self.cuckoo.as_ref().is_some_and(|c| c.contains(&key.to_bytes()))
    }
}

fn pubkeys(what: &str, list: &[String]) -> Result<HashSet<Pubkey>, FilterError> {
    list.iter().map(|s| s.parse::<Pubkey>().or_else(|_| err(format!("invalid {what} pubkey: {s:?}")))).collect()
}

enum DataFilter {
    Memcmp { offset: usize, bytes: Vec<u8> },
    DataSize(u64),
    TokenAccountState,
    Lamports(Cmp),
}

impl DataFilter {
    fn parse(f: &pb::SubscribeRequestFilterAccountsFilter) -> Result<Self, FilterError> {
        Ok(match &f.filter {
            None => return err("accounts filter is empty"),
            Some(AccountsFilterOneof::Memcmp(m)) => {
                let bytes = match &m.data {
                    None => return err("memcmp filter has no data"),
                    Some(MemcmpData::Bytes(b)) => b.clone(),
                    Some(MemcmpData::Base58(s)) => {
                        if s.len() > MAX_MEMCMP_LEN * 2 {
                            return err("memcmp data is too long");
                        }
                        bs58::decode(s).into_vec().or_else(|e| err(format!("invalid memcmp base58: {e}")))?
                    }
                    Some(MemcmpData::Base64(s)) => {
                        if s.len() > MAX_MEMCMP_LEN * 2 {
                            return err("memcmp data is too long");
                        }
                        base64::engine::general_purpose::STANDARD
                            .decode(s)
                            .or_else(|e| err(format!("invalid memcmp base64: {e}")))?
                    }
                };
                if bytes.len() > MAX_MEMCMP_LEN {
                    return err(format!("memcmp data is longer than {MAX_MEMCMP_LEN} bytes"));
                }
                let offset = usize::try_from(m.offset).or_else(|_| err("memcmp offset is too large"))?;
                DataFilter::Memcmp { offset, bytes }
            }
            Some(AccountsFilterOneof::Datasize(size)) => DataFilter::DataSize(*size),
            Some(AccountsFilterOneof::TokenAccountState(true)) => DataFilter::TokenAccountState,
            Some(AccountsFilterOneof::TokenAccountState(false)) => {
                return err("token_account_state only allowed to be true");
            }
            Some(AccountsFilterOneof::Lamports(l)) => match l.cmp {
                None => return err("lamports filter has no comparison"),
                Some(cmp) => DataFilter::Lamports(cmp),
            },
        })
    }

    fn matches(&self, write: &AccountWrite) -> bool {
        let data = &write.account.data;
        match self {
            DataFilter::Memcmp { offset, bytes } => {
                offset.checked_add(bytes.len()).is_some_and(|end| data.get(*offset..end) == Some(&bytes[..]))
            }
            DataFilter::DataSize(size) => data.len() as u64 == *size,
            DataFilter::TokenAccountState => is_token_account(data),
            DataFilter::Lamports(cmp) => {
                let lamports = write.account.lamports;
                match *cmp {
                    Cmp::Eq(v) => lamports == v,
                    Cmp::Ne(v) => lamports != v,
                    Cmp::Lt(v) => lamports < v,
                    Cmp::Gt(v) => lamports > v,
                }
            }
        }
    }
}

/// An initialised (or frozen) SPL token account, classic or Token-2022.
fn is_token_account(data: &[u8]) -> bool {
    let initialised = data.get(TOKEN_ACCOUNT_STATE_OFFSET).is_some_and(|s| *s != 0);
    match data.len() {
        TOKEN_ACCOUNT_LEN => initialised,
        n if n > TOKEN_ACCOUNT_LEN => initialised && data[TOKEN_ACCOUNT_LEN] == TOKEN_2022_ACCOUNT_TYPE,
        _ => false,
    }
}

struct AccountsFilter {
    accounts: KeySet,
    owners: HashSet<Pubkey>,
    filters: Vec<DataFilter>,
    nonempty_txn_signature: Option<bool>,
}

impl AccountsFilter {
    fn parse(f: &pb::SubscribeRequestFilterAccounts) -> Result<Self, FilterError> {
        Ok(AccountsFilter {
            accounts: KeySet::parse("account", &f.account, f.cuckoo_accounts_filter.as_ref())?,
            owners: pubkeys("owner", &f.owner)?,
            filters: f.filters.iter().map(DataFilter::parse).collect::<Result<_, _>>()?,
            nonempty_txn_signature: f.nonempty_txn_signature,
        })
    }

    fn matches(&self, write: &AccountWrite) -> bool {
        self.nonempty_txn_signature.is_none_or(|want| write.txn_signature.is_some() == want)
            && (self.accounts.is_empty() || self.accounts.contains(&write.pubkey))
            && (self.owners.is_empty() || self.owners.contains(&write.account.owner))
            && self.filters.iter().all(|f| f.matches(write))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TokenAccounts {
    All,
    BalanceChanged,
}

struct TransactionsFilter {
    vote: Option<bool>,
    failed: Option<bool>,
    signature: Option<[u8; 64]>,
    include: KeySet,
    exclude: HashSet<Pubkey>,
    required: HashSet<Pubkey>,
    token_accounts: Option<TokenAccounts>,
}

impl TransactionsFilter {
    fn parse(f: &pb::SubscribeRequestFilterTransactions) -> Result<Self, FilterError> {
        let signature = match &f.signature {
            None => None,
            Some(s) => {
                let bytes = bs58::decode(s).into_vec().or_else(|_| err(format!("invalid signature: {s:?}")))?;
                Some(<[u8; 64]>::try_from(bytes).or_else(|_| err(format!("invalid signature: {s:?}")))?)
            }
        };
        let token_accounts = match f.token_accounts {
            None => None,
            Some(v) => match pb::TokenAccountExpansionControlFlag::try_from(v) {
                Ok(pb::TokenAccountExpansionControlFlag::All) => Some(TokenAccounts::All),
                Ok(pb::TokenAccountExpansionControlFlag::BalanceChanged) => Some(TokenAccounts::BalanceChanged),
                Err(_) => return err(format!("invalid token_accounts flag: {v}")),
            },
        };
        Ok(TransactionsFilter {
            vote: f.vote,
            failed: f.failed,
            signature,
            include: KeySet::parse("account_include", &f.account_include, f.cuckoo_account_include.as_ref())?,
            exclude: pubkeys("account_exclude", &f.account_exclude)?,
            required: pubkeys("account_required", &f.account_required)?,
            token_accounts,
        })
    }

    fn matches(&self, tx: &BlockTransaction) -> bool {
        // Our chain produces no vote transactions.
        if self.vote == Some(true) {
            return false;
        }
        if self.failed.is_some_and(|failed| failed == tx.succeeded()) {
            return false;
        }
        if self.signature.is_some_and(|s| s != <[u8; 64]>::from(*tx.signature())) {
            return false;
        }
        let keys = self.keys(tx);
        (self.include.is_empty() || keys.iter().any(|k| self.include.contains(k)))
            && !keys.iter().any(|k| self.exclude.contains(k))
            && self.required.iter().all(|r| keys.contains(r))
    }

    /// The transaction's key set: its static keys (we use no lookup tables), plus the owners of
    /// its token balances when token account expansion is asked for.
    fn keys(&self, tx: &BlockTransaction) -> Vec<Pubkey> {
        let mut keys = tx.message.account_keys.clone();
        if let Some(mode) = self.token_accounts {
            let meta = &tx.meta;
            for b in meta.pre_token_balances.iter().chain(&meta.post_token_balances) {
                let changed = || {
                    let amount = |list: &[nosana_reference::TokenBalance]| {
                        list.iter().find(|x| x.account_index == b.account_index).map(|x| x.amount)
                    };
                    amount(&meta.pre_token_balances) != amount(&meta.post_token_balances)
                };
                if (mode == TokenAccounts::All || changed()) && !keys.contains(&b.owner) {
                    keys.push(b.owner);
                }
            }
        }
        keys
    }
}

struct SlotsFilter {
    filter_by_commitment: bool,
    interslot_updates: bool,
}

pub struct BlocksFilter {
    include: KeySet,
    pub include_transactions: bool,
    pub include_accounts: bool,
}

impl BlocksFilter {
    fn parse(f: &pb::SubscribeRequestFilterBlocks) -> Result<Self, FilterError> {
        Ok(BlocksFilter {
            include: KeySet::parse("account_include", &f.account_include, f.cuckoo_account_include.as_ref())?,
            include_transactions: f.include_transactions.unwrap_or(true),
            include_accounts: f.include_accounts.unwrap_or(false),
        })
    }

    pub fn selects_transaction(&self, tx: &BlockTransaction) -> bool {
        self.include.is_empty() || tx.message.account_keys.iter().any(|k| self.include.contains(k))
    }

    pub fn selects_account(&self, write: &AccountWrite) -> bool {
        self.include.is_empty() || self.include.contains(&write.pubkey)
    }
}

/// A sorted, non-overlapping list of `(offset, length)` cuts applied to account data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataSlices(Vec<(usize, usize)>);

impl DataSlices {
    fn parse(slices: &[pb::SubscribeRequestAccountsDataSlice]) -> Result<Self, FilterError> {
        let mut out: Vec<(usize, usize)> = Vec::with_capacity(slices.len());
        for s in slices {
            let (Ok(offset), Ok(length)) = (usize::try_from(s.offset), usize::try_from(s.length)) else {
                return err("data slice is too large");
            };
            if offset.checked_add(length).is_none() {
                return err("data slice is too large");
            }
            if let Some((prev_offset, prev_length)) = out.last()
                && prev_offset + prev_length > offset
            {
                return err("data slices out of order/overlapped");
            }
            out.push((offset, length));
        }
        Ok(DataSlices(out))
    }

    /// The data as the subscriber asked for it: everything without slices, else the
    /// concatenated cuts (each clipped to the data's end).
    pub fn apply(&self, data: &[u8]) -> Vec<u8> {
        if self.0.is_empty() {
            return data.to_vec();
        }
        let mut out = Vec::with_capacity(self.0.iter().map(|(_, l)| l).sum::<usize>().min(data.len()));
        for &(offset, length) in &self.0 {
            let start = offset.min(data.len());
            let end = (offset + length).min(data.len());
            out.extend_from_slice(&data[start..end]);
        }
        out
    }
}

/// Everything one subscribe request asks for. A new request replaces all of it.
#[derive(Default)]
pub struct Filter {
    pub commitment: Commitment,
    accounts: Vec<(String, AccountsFilter)>,
    slots: Vec<(String, SlotsFilter)>,
    transactions: Vec<(String, TransactionsFilter)>,
    transactions_status: Vec<(String, TransactionsFilter)>,
    pub blocks: Vec<(String, BlocksFilter)>,
    blocks_meta: Vec<String>,
    pub data_slices: DataSlices,
}

/// Filters in name order, so `filters` in updates is deterministic.
fn named<F, T>(
    map: &std::collections::HashMap<String, F>,
    parse: impl Fn(&F) -> Result<T, FilterError>,
) -> Result<Vec<(String, T)>, FilterError> {
    let sorted: BTreeMap<&String, &F> = map.iter().collect();
    sorted
        .into_iter()
        .map(|(name, f)| {
            if name.len() > MAX_FILTER_NAME_LEN {
                return err(format!("the max length for a filter name is {MAX_FILTER_NAME_LEN}, got {}", name.len()));
            }
            Ok((name.clone(), parse(f).map_err(|e| FilterError(format!("filter {name:?}: {e}")))?))
        })
        .collect()
}

pub fn commitment(value: Option<i32>) -> Result<Commitment, FilterError> {
    match value.map(pb::CommitmentLevel::try_from) {
        None | Some(Ok(pb::CommitmentLevel::Processed)) => Ok(Commitment::Processed),
        Some(Ok(pb::CommitmentLevel::Confirmed)) => Ok(Commitment::Confirmed),
        Some(Ok(pb::CommitmentLevel::Finalized)) => Ok(Commitment::Finalized),
        Some(Err(_)) => err(format!("invalid commitment level: {}", value.unwrap_or_default())),
    }
}

impl Filter {
    pub fn new(req: &pb::SubscribeRequest) -> Result<Self, FilterError> {
        Ok(Filter {
            commitment: commitment(req.commitment)?,
            accounts: named(&req.accounts, AccountsFilter::parse)?,
            slots: named(&req.slots, |f: &pb::SubscribeRequestFilterSlots| {
                Ok(SlotsFilter {
                    filter_by_commitment: f.filter_by_commitment.unwrap_or(false),
                    interslot_updates: f.interslot_updates.unwrap_or(false),
                })
            })?,
            transactions: named(&req.transactions, TransactionsFilter::parse)?,
            transactions_status: named(&req.transactions_status, TransactionsFilter::parse)?,
            blocks: named(&req.blocks, BlocksFilter::parse)?,
            blocks_meta: named(&req.blocks_meta, |_| Ok(()))?.into_iter().map(|(n, _)| n).collect(),
            // Entries and block footers are accepted but never produced by our chain.
            data_slices: {
                named(&req.entry, |_| Ok(()))?;
                named(&req.block_footer, |_| Ok(()))?;
                DataSlices::parse(&req.accounts_data_slice)?
            },
        })
    }

    pub fn wants_accounts(&self) -> bool {
        !self.accounts.is_empty()
    }

    pub fn wants_transactions(&self) -> bool {
        !self.transactions.is_empty() || !self.transactions_status.is_empty()
    }

    pub fn accounts(&self, write: &AccountWrite) -> Vec<String> {
        self.accounts.iter().filter(|(_, f)| f.matches(write)).map(|(n, _)| n.clone()).collect()
    }

    pub fn transactions(&self, tx: &BlockTransaction) -> Vec<String> {
        self.transactions.iter().filter(|(_, f)| f.matches(tx)).map(|(n, _)| n.clone()).collect()
    }

    pub fn transactions_status(&self, tx: &BlockTransaction) -> Vec<String> {
        self.transactions_status.iter().filter(|(_, f)| f.matches(tx)).map(|(n, _)| n.clone()).collect()
    }

    pub fn blocks_meta(&self) -> Vec<String> {
        self.blocks_meta.clone()
    }

    /// Slots filters a status passes: `(!filter_by_commitment || status == commitment)` and
    /// `(interslot_updates || status is processed/confirmed/finalized)`.
    pub fn slots(&self, status: &SlotStatus) -> Vec<String> {
        let reached = status.commitment();
        self.slots
            .iter()
            .filter(|(_, f)| {
                (!f.filter_by_commitment || reached == Some(self.commitment))
                    && (f.interslot_updates || reached.is_some())
            })
            .map(|(n, _)| n.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use nosana_reference::Account;

    use super::*;

    fn write(owner: Pubkey, data: Vec<u8>, lamports: u64, signed: bool) -> AccountWrite {
        AccountWrite {
            pubkey: Pubkey::new_unique(),
            account: Account { lamports, data, owner, executable: false },
            write_version: 1,
            txn_signature: signed.then(nosana_chain::Signature::default),
        }
    }

    fn accounts_request(f: pb::SubscribeRequestFilterAccounts) -> pb::SubscribeRequest {
        pb::SubscribeRequest { accounts: HashMap::from([("a".to_string(), f)]), ..Default::default() }
    }

    fn memcmp(offset: u64, data: MemcmpData) -> pb::SubscribeRequestFilterAccountsFilter {
        pb::SubscribeRequestFilterAccountsFilter {
            filter: Some(AccountsFilterOneof::Memcmp(pb::SubscribeRequestFilterAccountsFilterMemcmp {
                offset,
                data: Some(data),
            })),
        }
    }

    #[test]
    fn owner_and_memcmp_and_lamports_must_all_match() {
        let owner = Pubkey::new_unique();
        let req = accounts_request(pb::SubscribeRequestFilterAccounts {
            owner: vec![owner.to_string()],
            filters: vec![
                memcmp(1, MemcmpData::Base58(bs58::encode([2, 3]).into_string())),
                memcmp(0, MemcmpData::Base64("AQ==".into())),
                pb::SubscribeRequestFilterAccountsFilter {
                    filter: Some(AccountsFilterOneof::Lamports(pb::SubscribeRequestFilterAccountsFilterLamports {
                        cmp: Some(Cmp::Gt(10)),
                    })),
                },
            ],
            ..Default::default()
        });
        let f = Filter::new(&req).unwrap();
        assert_eq!(f.accounts(&write(owner, vec![1, 2, 3, 4], 11, true)), ["a"]);
        assert!(f.accounts(&write(owner, vec![1, 2, 4], 11, true)).is_empty());
        assert!(f.accounts(&write(owner, vec![1, 2, 3], 10, true)).is_empty());
        assert!(f.accounts(&write(Pubkey::new_unique(), vec![1, 2, 3], 11, true)).is_empty());
        // A memcmp past the end of the data does not match (and does not panic).
        assert!(f.accounts(&write(owner, vec![1], 11, true)).is_empty());
    }

    #[test]
    fn nonempty_txn_signature_and_datasize_and_token_state_filter_writes() {
        let owner = Pubkey::new_unique();
        let mut token = vec![0u8; TOKEN_ACCOUNT_LEN];
        token[TOKEN_ACCOUNT_STATE_OFFSET] = 1;
        let req = accounts_request(pb::SubscribeRequestFilterAccounts {
            nonempty_txn_signature: Some(true),
            filters: vec![
                pb::SubscribeRequestFilterAccountsFilter { filter: Some(AccountsFilterOneof::Datasize(165)) },
                pb::SubscribeRequestFilterAccountsFilter { filter: Some(AccountsFilterOneof::TokenAccountState(true)) },
            ],
            ..Default::default()
        });
        let f = Filter::new(&req).unwrap();
        assert_eq!(f.accounts(&write(owner, token.clone(), 1, true)), ["a"]);
        assert!(f.accounts(&write(owner, token.clone(), 1, false)).is_empty());
        assert!(f.accounts(&write(owner, vec![0; TOKEN_ACCOUNT_LEN], 1, true)).is_empty());
    }

    #[test]
    fn bad_filters_are_rejected_with_a_reason() {
        let bad_key = accounts_request(pb::SubscribeRequestFilterAccounts {
            owner: vec!["not-a-key".into()],
            ..Default::default()
        });
        let e = tonic::Status::from(Filter::new(&bad_key).err().unwrap());
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        assert!(e.message().starts_with("failed to create filter: "), "{}", e.message());

        let overlapping = pb::SubscribeRequest {
            accounts_data_slice: vec![
                pb::SubscribeRequestAccountsDataSlice { offset: 0, length: 10 },
                pb::SubscribeRequestAccountsDataSlice { offset: 5, length: 1 },
            ],
            ..Default::default()
        };
        assert_eq!(Filter::new(&overlapping).err().unwrap().to_string(), "data slices out of order/overlapped");

        let long_name = pb::SubscribeRequest {
            blocks_meta: HashMap::from([("x".repeat(129), Default::default())]),
            ..Default::default()
        };
        assert!(Filter::new(&long_name).is_err());
        let empty = accounts_request(pb::SubscribeRequestFilterAccounts {
            filters: vec![pb::SubscribeRequestFilterAccountsFilter { filter: None }],
            ..Default::default()
        });
        assert!(Filter::new(&empty).is_err());
        let bad_commitment = pb::SubscribeRequest { commitment: Some(7), ..Default::default() };
        assert!(Filter::new(&bad_commitment).is_err());
        let bad_signature = pb::SubscribeRequest {
            transactions: HashMap::from([(
                "t".to_string(),
                pb::SubscribeRequestFilterTransactions { signature: Some("abc".into()), ..Default::default() },
            )]),
            ..Default::default()
        };
        assert!(Filter::new(&bad_signature).is_err());
    }

    #[test]
    fn data_slices_concatenate_their_cuts_clipped_to_the_data() {
        let s = DataSlices::parse(&[
            pb::SubscribeRequestAccountsDataSlice { offset: 1, length: 2 },
            pb::SubscribeRequestAccountsDataSlice { offset: 4, length: 10 },
        ])
        .unwrap();
        assert_eq!(s.apply(&[0, 1, 2, 3, 4, 5]), vec![1, 2, 4, 5]);
        assert_eq!(s.apply(&[0]), Vec::<u8>::new());
        assert_eq!(DataSlices::default().apply(&[7, 8]), vec![7, 8]);
    }

    #[test]
    fn slot_filters_follow_commitment_and_interslot_flags() {
        let req = pb::SubscribeRequest {
            slots: HashMap::from([
                ("all".to_string(), Default::default()),
                (
                    "mine".to_string(),
                    pb::SubscribeRequestFilterSlots { filter_by_commitment: Some(true), interslot_updates: None },
                ),
                (
                    "life".to_string(),
                    pb::SubscribeRequestFilterSlots { filter_by_commitment: None, interslot_updates: Some(true) },
                ),
            ]),
            commitment: Some(pb::CommitmentLevel::Confirmed as i32),
            ..Default::default()
        };
        let f = Filter::new(&req).unwrap();
        assert_eq!(f.slots(&SlotStatus::Processed), ["all", "life"]);
        assert_eq!(f.slots(&SlotStatus::Confirmed), ["all", "life", "mine"]);
        assert_eq!(f.slots(&SlotStatus::Dead("x".into())), ["life"]);
        assert_eq!(f.slots(&SlotStatus::CreatedBank), ["life"]);
    }
}
