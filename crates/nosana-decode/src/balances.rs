//! Token balances of a transaction: which accounts are NOS and who owns them, and the check
//! that the decoded flows explain every NOS balance change.

use std::collections::BTreeMap;

use nosana_layouts::Pubkey;
use nosana_layouts::ids::NOS_MINT;

use crate::model::{RawTokenBalance, RawTransaction};
use crate::output::{DecodedTransaction, FlowKind};

/// Mint and owner of every token account the transaction's token balances list.
pub(crate) struct TokenAccounts {
    accounts: BTreeMap<Pubkey, (Pubkey, Option<Pubkey>)>,
}

impl TokenAccounts {
    /// From the pre- and post-balances (a post entry completes or replaces a pre entry).
    pub fn new(tx: &RawTransaction) -> Self {
        let mut accounts: BTreeMap<Pubkey, (Pubkey, Option<Pubkey>)> = BTreeMap::new();
        for b in tx.pre_token_balances.iter().chain(&tx.post_token_balances) {
            if let Some(key) = tx.key(b.account_index) {
                let entry = accounts.entry(*key).or_insert((b.mint, b.owner));
                entry.0 = b.mint;
                entry.1 = b.owner.or(entry.1);
            }
        }
        TokenAccounts { accounts }
    }

    /// Whether the balances list `key` as a NOS token account.
    pub fn is_nos(&self, key: &Pubkey) -> bool {
        self.accounts.get(key).is_some_and(|(mint, _)| *mint == NOS_MINT)
    }

    /// The owner wallet of token account `key`, when the balances report it.
    pub fn owner(&self, key: &Pubkey) -> Option<Pubkey> {
        self.accounts.get(key).and_then(|(_, owner)| *owner)
    }
}

/// NOS post − pre of every token account whose balance changed.
fn nos_deltas(tx: &RawTransaction) -> Result<BTreeMap<Pubkey, i128>, String> {
    let mut out: BTreeMap<Pubkey, i128> = BTreeMap::new();
    let mut add = |list: &[RawTokenBalance], sign: i128, which: &str| -> Result<(), String> {
        for b in list.iter().filter(|b| b.mint == NOS_MINT) {
            let key = tx.key(b.account_index).ok_or_else(|| {
                format!("{which} token balance names account index {}, past the keys", b.account_index)
            })?;
            *out.entry(*key).or_default() += sign * i128::from(b.amount);
        }
        Ok(())
    };
    add(&tx.post_token_balances, 1, "a post")?;
    add(&tx.pre_token_balances, -1, "a pre")?;
    out.retain(|_, d| *d != 0);
    Ok(out)
}

/// Checks that the decoded NOS flows explain the transaction's NOS token balance changes: for a
/// successful transaction, the flows into and out of each token account sum to its post − pre
/// balance (a burn debits only its account, a mint credits only its account); a failed one
/// must have no flows. Holds when every NOS movement of the transaction is a Nosana flow, a
/// burn or a mint (a plain NOS transfer outside any Nosana instruction is not a flow).
pub fn check_balances(tx: &RawTransaction, decoded: &DecodedTransaction) -> Result<(), String> {
    if !tx.succeeded() {
        return match decoded.flows.len() {
            0 => Ok(()),
            n => Err(format!("failed transaction has {n} flows")),
        };
    }
    let expected = nos_deltas(tx)?;
    let mut flows: BTreeMap<Pubkey, i128> = BTreeMap::new();
    for f in &decoded.flows {
        let amount = i128::from(f.amount);
        if f.kind != FlowKind::Mint {
            *flows.entry(f.source).or_default() -= amount;
        }
        if f.kind != FlowKind::Burn {
            *flows.entry(f.destination).or_default() += amount;
        }
    }
    flows.retain(|_, d| *d != 0);
    if flows == expected {
        return Ok(());
    }
    let keys: std::collections::BTreeSet<&Pubkey> = flows.keys().chain(expected.keys()).collect();
    let diffs: Vec<String> = keys
        .into_iter()
        .filter_map(|k| {
            let (f, e) = (flows.get(k).copied().unwrap_or(0), expected.get(k).copied().unwrap_or(0));
            (f != e).then(|| format!("{k}: flows {f}, balances {e}"))
        })
        .collect();
    Err(format!("tx {}: {}", tx.signature_string(), diffs.join("; ")))
}
