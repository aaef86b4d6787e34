//! One transaction by signature: its row, its decoded Nosana instructions, job events and
//! token flows.

use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::json_or_text;
use crate::{ChError, ChStore};

/// A decoded Nosana instruction (top level or CPI).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct InstructionItem {
    pub ix: u16,
    /// 0 top level, n the n-th inner instruction.
    pub inner: u16,
    pub stack_height: u8,
    pub program: String,
    pub name: String,
    /// `(IDL account name, address)` in IDL order.
    pub accounts: Vec<(String, String)>,
    /// Decoded arguments.
    pub args: serde_json::Value,
}

/// A job event of the transaction.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransactionJobEvent {
    pub ix: u16,
    pub inner: u16,
    pub kind: String,
    pub job: String,
    pub market: String,
    pub run: String,
    pub node: String,
    pub project: String,
    pub payer: String,
    pub timeout: Option<i64>,
}

/// A NOS flow of the transaction.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransactionFlowItem {
    pub ix: u16,
    pub inner: u16,
    pub kind: String,
    pub amount: u64,
    pub source: String,
    pub destination: String,
    pub wallet: String,
    pub subject: String,
    pub market: String,
}

/// A transaction with everything decoded from it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TransactionDetail {
    pub signature: String,
    pub slot: u64,
    pub tx_index: u32,
    pub block_time: u32,
    pub fee_payer: String,
    pub success: bool,
    /// Error text of a failed transaction.
    pub err: String,
    /// Lamports.
    pub fee: u64,
    pub compute_units: u64,
    /// Nosana programs invoked.
    pub programs: Vec<String>,
    /// Top-level instructions (all programs).
    pub instruction_count: u16,
    pub instructions: Vec<InstructionItem>,
    pub job_events: Vec<TransactionJobEvent>,
    pub flows: Vec<TransactionFlowItem>,
}

#[derive(Row, Deserialize)]
struct Key {
    slot: u64,
    tx_index: u32,
    block_time: u32,
}

#[derive(Row, Deserialize)]
struct TxRow {
    fee_payer: String,
    success: u8,
    err: String,
    fee: u64,
    compute_units: u64,
    programs: Vec<String>,
    instructions: u16,
}

#[derive(Row, Deserialize)]
struct IxRow {
    ix: u16,
    inner: u16,
    stack_height: u8,
    program: String,
    name: String,
    account_names: Vec<String>,
    accounts: Vec<String>,
    args: String,
}

impl ChStore {
    /// The transaction with this signature; `None` when it is not indexed.
    pub async fn transaction(&self, signature: &str) -> Result<Option<TransactionDetail>, ChError> {
        let sql = format!(
            "SELECT slot, tx_index, toUInt32(block_time) FROM {} FINAL WHERE signature = ? ORDER BY slot LIMIT 1",
            self.table("tx_by_signature")
        );
        let Some(key) = self.client().query(&sql).bind(signature).fetch_optional::<Key>().await? else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT fee_payer, success, err, fee, compute_units, programs, instructions FROM {} FINAL \
             WHERE slot = ? AND tx_index = ? AND signature = ?",
            self.table("transactions")
        );
        let Some(tx) = self
            .client()
            .query(&sql)
            .bind(key.slot)
            .bind(key.tx_index)
            .bind(signature)
            .fetch_optional::<TxRow>()
            .await?
        else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT ix, inner, stack_height, program, name, account_names, accounts, args FROM {} FINAL \
             WHERE slot = ? AND tx_index = ? ORDER BY ix, inner",
            self.table("instructions")
        );
        let instructions = self
            .client()
            .query(&sql)
            .bind(key.slot)
            .bind(key.tx_index)
            .fetch_all::<IxRow>()
            .await?
            .into_iter()
            .map(|r| InstructionItem {
                ix: r.ix,
                inner: r.inner,
                stack_height: r.stack_height,
                program: r.program,
                name: r.name,
                accounts: r.account_names.into_iter().zip(r.accounts).collect(),
                args: json_or_text(&r.args),
            })
            .collect();
        // job_events is keyed by job: the block time prunes its partitions to one month.
        let sql = format!(
            "SELECT ix, inner, kind, job, market, run, node, project, payer, timeout FROM {} FINAL \
             WHERE block_time = toDateTime(?) AND slot = ? AND tx_index = ? ORDER BY ix, inner, kind != 'list', kind",
            self.table("job_events")
        );
        let job_events = self
            .client()
            .query(&sql)
            .bind(key.block_time)
            .bind(key.slot)
            .bind(key.tx_index)
            .fetch_all::<TransactionJobEvent>()
            .await?;
        let sql = format!(
            "SELECT ix, inner, kind, amount, source, destination, wallet, subject, market FROM {} FINAL \
             WHERE slot = ? AND tx_index = ? ORDER BY ix, inner",
            self.table("token_flows")
        );
        let flows =
            self.client().query(&sql).bind(key.slot).bind(key.tx_index).fetch_all::<TransactionFlowItem>().await?;
        Ok(Some(TransactionDetail {
            signature: signature.to_string(),
            slot: key.slot,
            tx_index: key.tx_index,
            block_time: key.block_time,
            fee_payer: tx.fee_payer,
            success: tx.success != 0,
            err: tx.err,
            fee: tx.fee,
            compute_units: tx.compute_units,
            programs: tx.programs,
            instruction_count: tx.instructions,
            instructions,
            job_events,
            flows,
        }))
    }
}
