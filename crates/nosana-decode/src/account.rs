//! `decode_account`: one account write as the state of a Nosana account, a NOS token account or
//! the NOS mint.

use nosana_layouts::Pubkey;
use nosana_layouts::accounts::{JobLayout, NosanaAccount};
use nosana_layouts::discriminator::CLOSED_ACCOUNT_DISCRIMINATOR;
use nosana_layouts::ids::{NOS_MINT, TOKEN_PROGRAM_ID};
use nosana_layouts::spl::{Mint, TOKEN_ACCOUNT_LEN, TokenAccount};
use serde_json::{Value, json};

use crate::model::RawAccount;
use crate::output::{AccountDecode, AccountKind, AccountState, Program, Quarantined};

/// Decodes one account write. Accounts of the five Nosana programs decode with their layouts
/// (an account we cannot read is quarantined with its data); NOS token accounts and the NOS
/// mint become token states; other token accounts and wallets are ignored. A write with zero
/// lamports, no data or Anchor's closed discriminator is a close (`closed`, `json` null): its
/// kind comes from what data is left, or is [`AccountKind::Unknown`] for a system-owned empty
/// write. Never panics.
pub fn decode_account(acc: &RawAccount) -> AccountDecode {
    if Program::of(&acc.owner).is_some() {
        return nosana_account(acc);
    }
    if acc.owner == TOKEN_PROGRAM_ID {
        return token_account(acc);
    }
    if acc.lamports == 0 && acc.data.is_empty() {
        return AccountDecode::State(closed(acc, AccountKind::Unknown));
    }
    AccountDecode::Ignored
}

fn state(
    acc: &RawAccount,
    kind: AccountKind,
    json: Value,
    authority: Pubkey,
    market: Pubkey,
    amount: u128,
) -> AccountState {
    AccountState {
        pubkey: acc.pubkey,
        kind,
        program: acc.owner,
        slot: acc.slot,
        write_version: acc.write_version,
        closed: false,
        json,
        authority,
        market,
        amount,
    }
}

fn closed(acc: &RawAccount, kind: AccountKind) -> AccountState {
    AccountState { closed: true, ..state(acc, kind, Value::Null, Pubkey::default(), Pubkey::default(), 0) }
}

fn quarantine(acc: &RawAccount, reason: String) -> AccountDecode {
    AccountDecode::Quarantine(Quarantined {
        at: None,
        program: acc.owner,
        account: acc.pubkey,
        reason,
        data: acc.data.clone(),
    })
}

fn nosana_account(acc: &RawAccount) -> AccountDecode {
    let is_closed = acc.lamports == 0 || acc.data.is_empty() || acc.data.starts_with(&CLOSED_ACCOUNT_DISCRIMINATOR);
    let decoded = NosanaAccount::decode(&acc.owner, &acc.data);
    if is_closed {
        let kind = decoded.as_ref().map_or(AccountKind::Unknown, kind_of);
        return AccountDecode::State(closed(acc, kind));
    }
    match decoded {
        Ok(account) => match serde_json::to_value(JsonOf(&account)) {
            Ok(json) => {
                let (authority, market, amount) = key_fields(&acc.pubkey, &account);
                AccountDecode::State(state(acc, kind_of(&account), json, authority, market, amount))
            }
            Err(e) => quarantine(acc, format!("{} does not serialise: {e}", account.kind())),
        },
        Err(e) => quarantine(acc, e.to_string()),
    }
}

fn kind_of(account: &NosanaAccount) -> AccountKind {
    match account {
        NosanaAccount::Market(_) => AccountKind::Market,
        NosanaAccount::Job(..) => AccountKind::Job,
        NosanaAccount::Run(_) => AccountKind::Run,
        NosanaAccount::Settings(_) => AccountKind::Settings,
        NosanaAccount::Stake(_) => AccountKind::Stake,
        NosanaAccount::Reflection(_) => AccountKind::Reflection,
        NosanaAccount::Reward(_) => AccountKind::Reward,
        NosanaAccount::Pool(_) => AccountKind::Pool,
        NosanaAccount::Node(_) => AccountKind::Node,
    }
}

/// `(authority, market, amount)` of each kind:
///
/// | kind | authority | market | amount |
/// |---|---|---|---|
/// | Market | authority | itself | job_price |
/// | Job | project | market | price |
/// | Run | node | – | – |
/// | Settings | authority | – | – |
/// | Stake | authority | – | amount (NOS) |
/// | Reflection | – | – | total_xnos |
/// | Reward | authority | – | xnos |
/// | Pool | authority | – | claimed_tokens |
/// | Node | authority | – | – |
fn key_fields(pubkey: &Pubkey, account: &NosanaAccount) -> (Pubkey, Pubkey, u128) {
    let zero = Pubkey::default();
    match account {
        NosanaAccount::Market(m) => (m.authority, *pubkey, u128::from(m.job_price)),
        NosanaAccount::Job(j, _) => (j.project, j.market, u128::from(j.price)),
        NosanaAccount::Run(r) => (r.node, zero, 0),
        NosanaAccount::Settings(s) => (s.authority, zero, 0),
        NosanaAccount::Stake(s) => (s.authority, zero, u128::from(s.amount)),
        NosanaAccount::Reflection(r) => (zero, zero, r.total_xnos),
        NosanaAccount::Reward(r) => (r.authority, zero, r.xnos),
        NosanaAccount::Pool(p) => (p.authority, zero, u128::from(p.claimed_tokens)),
        NosanaAccount::Node(n) => (n.authority, zero, 0),
    }
}

/// The layout struct's serde form; a job also says which generation it is (`"layout"`).
struct JsonOf<'a>(&'a NosanaAccount);

impl serde::Serialize for JsonOf<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            NosanaAccount::Market(a) => a.serialize(s),
            NosanaAccount::Job(a, layout) => {
                #[derive(serde::Serialize)]
                struct Job<'a> {
                    #[serde(flatten)]
                    job: &'a nosana_layouts::accounts::JobAccount,
                    layout: JobLayout,
                }
                Job { job: a, layout: *layout }.serialize(s)
            }
            NosanaAccount::Run(a) => a.serialize(s),
            NosanaAccount::Settings(a) => a.serialize(s),
            NosanaAccount::Stake(a) => a.serialize(s),
            NosanaAccount::Reflection(a) => a.serialize(s),
            NosanaAccount::Reward(a) => a.serialize(s),
            NosanaAccount::Pool(a) => a.serialize(s),
            NosanaAccount::Node(a) => a.serialize(s),
        }
    }
}

fn key_string(k: &Option<Pubkey>) -> Value {
    k.map_or(Value::Null, |k| Value::String(k.to_string()))
}

fn token_account(acc: &RawAccount) -> AccountDecode {
    let is_nos_account = acc.data.len() == TOKEN_ACCOUNT_LEN && acc.data[..32] == NOS_MINT.to_bytes();
    if acc.lamports == 0 || acc.data.is_empty() {
        return match () {
            _ if acc.pubkey == NOS_MINT => AccountDecode::State(closed(acc, AccountKind::Mint)),
            _ if is_nos_account => AccountDecode::State(closed(acc, AccountKind::TokenAccount)),
            _ if acc.data.is_empty() => AccountDecode::State(closed(acc, AccountKind::Unknown)),
            _ => AccountDecode::Ignored,
        };
    }
    if acc.pubkey == NOS_MINT {
        return match Mint::unpack(&acc.data) {
            Ok(m) => {
                let json = json!({
                    "mint_authority": key_string(&m.mint_authority),
                    "supply": m.supply,
                    "decimals": m.decimals,
                    "is_initialized": m.is_initialized,
                    "freeze_authority": key_string(&m.freeze_authority),
                });
                let authority = m.mint_authority.unwrap_or_default();
                AccountDecode::State(state(acc, AccountKind::Mint, json, authority, Pubkey::default(), m.supply.into()))
            }
            Err(e) => quarantine(acc, format!("NOS mint: {e}")),
        };
    }
    if !is_nos_account {
        return AccountDecode::Ignored;
    }
    match TokenAccount::unpack(&acc.data) {
        Ok(t) => {
            let json = json!({
                "mint": t.mint.to_string(),
                "owner": t.owner.to_string(),
                "amount": t.amount,
                "delegate": key_string(&t.delegate),
                "state": t.state,
                "is_native": t.is_native,
                "delegated_amount": t.delegated_amount,
                "close_authority": key_string(&t.close_authority),
            });
            AccountDecode::State(state(
                acc,
                AccountKind::TokenAccount,
                json,
                t.owner,
                Pubkey::default(),
                t.amount.into(),
            ))
        }
        Err(e) => quarantine(acc, format!("NOS token account: {e}")),
    }
}
