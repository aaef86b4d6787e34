//! What the decoders produce: rows the store writes as they are.

use nosana_layouts::Pubkey;
use serde::Serialize;

/// Where in a transaction something happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// Top-level instruction index.
    pub ix: u16,
    /// 0 for the top-level instruction itself, n for its n-th inner instruction (1-based).
    pub inner: u16,
    /// 1 top level, 2 a CPI of it, …
    pub stack_height: u8,
}

/// The five Nosana programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Program {
    Jobs,
    Staking,
    Rewards,
    Pools,
    Nodes,
}

/// One decoded instruction of a Nosana program, top level or CPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecodedInstruction {
    pub at: Position,
    pub program: Program,
    /// IDL name, e.g. `list`, `finish`, `claim_fee`.
    pub name: &'static str,
    /// Named accounts in IDL order.
    pub accounts: Vec<(&'static str, Pubkey)>,
    /// Arguments as JSON (u64/i64 as numbers, keys base58).
    pub args: serde_json::Value,
}

/// What happened to a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobEventKind {
    List,
    Assign,
    Work,
    Finish,
    Complete,
    Quit,
    Stop,
    Claim,
    Extend,
    End,
    Delist,
    Recover,
    Clean,
}

/// A job lifecycle event from a successful instruction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobEvent {
    pub at: Position,
    pub kind: JobEventKind,
    /// The job account (zero when the instruction names none, e.g. `work` on an empty queue).
    pub job: Pubkey,
    pub market: Pubkey,
    /// The run account, when the instruction names one.
    pub run: Pubkey,
    /// The node wallet, when known from the instruction.
    pub node: Pubkey,
    /// The project wallet (job authority), when known.
    pub project: Pubkey,
    /// The payer, when known.
    pub payer: Pubkey,
    /// Timeout argument (list, extend), seconds.
    pub timeout: Option<i64>,
}

/// Typed token movements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Payer → market vault for a job (list, extend).
    Deposit,
    /// Market vault → node for a job (finish, end, …).
    Payout,
    /// Market vault → payer (delist, recover, finish remainder, …).
    Refund,
    /// Payer → rewards vault (`add_fee` CPI from jobs).
    Fee,
    /// Wallet → stake vault (stake).
    Stake,
    /// Wallet → stake vault (topup).
    Topup,
    /// Stake vault → wallet.
    Withdraw,
    /// Stake vault → settings token account.
    Slash,
    /// Rewards vault → staker.
    Claim,
    /// Pool vault → rewards vault or beneficiary.
    Emission,
    /// Treasury → pool vault when a pool opens.
    PoolFund,
    /// Pool vault → authority when a pool closes.
    PoolReturn,
    /// Direct `add_fee` by anyone other than the jobs program.
    Donation,
    /// SPL Burn/BurnChecked of the NOS mint by anyone.
    Burn,
    /// SPL MintTo/MintToChecked of the NOS mint by anyone.
    Mint,
    /// Any other NOS transfer made by a Nosana instruction.
    Other,
}

/// One token movement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TokenFlow {
    /// Position of the token instruction that moved the tokens.
    pub at: Position,
    pub kind: FlowKind,
    pub mint: Pubkey,
    /// Token account debited (for a mint: the mint).
    pub source: Pubkey,
    /// Token account credited (for a burn: the mint).
    pub destination: Pubkey,
    /// The wallet on the user side (payer, node, staker, treasury), when known.
    pub wallet: Pubkey,
    /// What the flow belongs to: job, stake, pool account (zero when none).
    pub subject: Pubkey,
    /// The market of a job flow (zero otherwise).
    pub market: Pubkey,
    /// Base units.
    pub amount: u64,
}

/// Something that did not decode; kept with its raw bytes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quarantined {
    /// Position of the instruction (None for an account).
    pub at: Option<Position>,
    /// Program that owns the instruction or account.
    pub program: Pubkey,
    /// The account address (zero for an instruction).
    pub account: Pubkey,
    pub reason: String,
    pub data: Vec<u8>,
}

/// Everything one transaction yields.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DecodedTransaction {
    pub instructions: Vec<DecodedInstruction>,
    pub job_events: Vec<JobEvent>,
    pub flows: Vec<TokenFlow>,
    pub quarantine: Vec<Quarantined>,
}

/// Kinds of Nosana accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Job,
    Run,
    Market,
    Stake,
    Settings,
    Reward,
    Reflection,
    Pool,
    Node,
    /// A NOS token account (vaults, ATAs).
    TokenAccount,
    /// The NOS mint.
    Mint,
    /// A closed account whose write no longer tells what it held: zero lamports, no data and
    /// (after Anchor's `close` or SPL `CloseAccount`) owned by the System program. The store
    /// resolves its kind from the address's earlier writes.
    Unknown,
}

/// A decoded account write.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountState {
    pub pubkey: Pubkey,
    pub kind: AccountKind,
    pub program: Pubkey,
    pub slot: u64,
    pub write_version: u64,
    /// Closed: zero lamports or emptied data. `json` then is `null`.
    pub closed: bool,
    /// The decoded fields (the layout's serde form).
    pub json: serde_json::Value,
    /// Key fields for filtering: authority/owner/node/project, market, mint (zero when n/a).
    pub authority: Pubkey,
    pub market: Pubkey,
    /// Token amount, stake amount, xNOS or pool claimed tokens, as the kind defines.
    pub amount: u128,
}

/// The result of decoding one account write.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum AccountDecode {
    State(AccountState),
    /// Owned by a program we follow but not a layout we know.
    Quarantine(Quarantined),
    /// Not ours (e.g. a non-NOS token account); nothing to store.
    Ignored,
}
