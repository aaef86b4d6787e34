//! Prometheus metrics of the indexer (through the `metrics` facade; the binary installs the
//! exporter and serves `/metrics`).

use metrics::{counter, gauge};

fn unix_now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

pub(crate) fn committed(slot: u64, block_time: i64, transactions: u64, rows: usize) {
    gauge!("depinscore_indexer_last_committed_slot").set(slot as f64);
    gauge!("depinscore_indexer_lag_seconds").set((unix_now() - block_time as f64).max(0.0));
    counter!("depinscore_indexer_transactions_total").increment(transactions);
    counter!("depinscore_indexer_rows_total").increment(rows as u64);
}

pub(crate) fn head_slot(slot: u64, last_committed: Option<u64>) {
    gauge!("depinscore_indexer_head_slot").set(slot as f64);
    if let Some(c) = last_committed {
        gauge!("depinscore_indexer_lag_slots").set(slot.saturating_sub(c) as f64);
    }
}

pub(crate) fn quarantined(n: usize) {
    if n > 0 {
        counter!("depinscore_indexer_quarantined_total").increment(n as u64);
    }
}

pub(crate) fn repaired(n: u64) {
    if n > 0 {
        counter!("depinscore_indexer_accounts_repaired_total").increment(n);
    }
}

pub(crate) fn repair_failed() {
    counter!("depinscore_indexer_account_repairs_failed_total").increment(1);
}

pub(crate) fn reconnect(reason: &'static str) {
    counter!("depinscore_indexer_reconnects_total", "reason" => reason).increment(1);
}

pub(crate) fn write_error() {
    counter!("depinscore_indexer_write_errors_total").increment(1);
}

pub(crate) fn rpc_slots(n: usize) {
    counter!("depinscore_indexer_rpc_slots_total").increment(n as u64);
}
