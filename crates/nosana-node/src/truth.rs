//! The ground truth a run leaves behind: the simulation's truth plus the faults the node
//! injected into what it served, as `depinscore node --truth` writes it and
//! `depinscore verify --truth` reads it.

use nosana_sim::truth::Truth;
use serde_json::{Value, json};

use crate::driver::DriverSummary;

/// The simulation's truth with `faults.corrupted_accounts` (each `(slot, pubkey)` whose last
/// write in a canonical block was served corrupted) and `faults.dead_slots`.
pub fn with_faults(truth: &Truth, summary: &DriverSummary) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(truth)?;
    let corrupted: Vec<Value> = summary
        .corrupted_accounts
        .iter()
        .map(|(slot, pubkey)| json!({ "slot": slot, "pubkey": pubkey.to_string() }))
        .collect();
    value["faults"] = json!({ "corrupted_accounts": corrupted, "dead_slots": summary.dead_slots });
    Ok(value)
}
