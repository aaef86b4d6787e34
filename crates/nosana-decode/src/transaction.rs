//! `decode_transaction`: the trace, every Nosana instruction decoded, and for successful
//! transactions the job events and NOS flows.

use std::collections::BTreeMap;

use nosana_layouts::Pubkey;
use nosana_layouts::ids::{SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
use nosana_layouts::spl::SystemInstruction;

use crate::balances::TokenAccounts;
use crate::error::DecodeError;
use crate::flows::{FlowInputs, flow};
use crate::jobs::job_events;
use crate::model::RawTransaction;
use crate::nosana::{NosanaIx, decode};
use crate::output::{DecodedTransaction, Program, Quarantined};
use crate::token::token_move;
use crate::trace::{Step, trace};

/// Decodes one transaction. Every instruction of the five Nosana programs, top level or CPI,
/// becomes a [`crate::DecodedInstruction`]. A successful transaction also yields its job events
/// and NOS flows (a failed one changed no state, so it yields neither). An instruction that
/// cannot be read (index out of range, unknown discriminator, truncated data, too few accounts,
/// a malformed SPL token movement) is quarantined with its raw data. Never panics.
pub fn decode_transaction(tx: &RawTransaction) -> DecodedTransaction {
    let steps = trace(tx);
    let mut out = DecodedTransaction::default();
    let mut nosana: Vec<Option<NosanaIx>> = Vec::with_capacity(steps.len());
    for step in &steps {
        nosana.push(decode_step(tx, step, &mut out.quarantine));
    }
    for (step, ix) in steps.iter().zip(&nosana) {
        if let Some(ix) = ix {
            out.instructions.push(ix.row(step.at));
        }
    }
    let mut moves = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let Ok((program, keys)) = &step.resolved else { continue };
        if *program != TOKEN_PROGRAM_ID {
            continue;
        }
        match token_move(keys, &step.raw.data) {
            Ok(Some(mv)) => moves.push((i, mv)),
            Ok(None) => {}
            Err(e) => out.quarantine.push(quarantined(step, TOKEN_PROGRAM_ID, &e)),
        }
    }
    out.quarantine.sort_by_key(|q| q.at);
    if !tx.succeeded() {
        return out;
    }
    let accounts = TokenAccounts::new(tx);
    for (i, ix) in nosana.iter().enumerate() {
        if let Some(ix) = ix.as_ref().filter(|ix| ix.program == Program::Jobs) {
            out.job_events.extend(job_events(steps[i].at, ix, creates_run(&steps, i, ix), &accounts));
        }
    }
    let inputs = FlowInputs { steps: &steps, nosana: &nosana, accounts: &accounts, pool_vaults: pool_vaults(&nosana) };
    out.flows.extend(moves.iter().filter_map(|(i, mv)| flow(&inputs, *i, mv)));
    out
}

/// The decoded Nosana instruction of `step`, quarantining what cannot be read: unresolvable
/// indices of any instruction, and Nosana instructions that do not decode.
fn decode_step(tx: &RawTransaction, step: &Step<'_>, quarantine: &mut Vec<Quarantined>) -> Option<NosanaIx> {
    let (program_id, keys) = match &step.resolved {
        Ok(resolved) => resolved,
        Err(e) => {
            quarantine.push(quarantined(step, step.program(tx).unwrap_or_default(), e));
            return None;
        }
    };
    let program = Program::of(program_id)?;
    match decode(program, keys, &step.raw.data, tx.block_time) {
        Ok(ix) => Some(ix),
        Err(e) => {
            quarantine.push(quarantined(step, *program_id, &e));
            None
        }
    }
}

fn quarantined(step: &Step<'_>, program: Pubkey, e: &DecodeError) -> Quarantined {
    Quarantined {
        at: Some(step.at),
        program,
        account: Pubkey::default(),
        reason: e.to_string(),
        data: step.raw.data.clone(),
    }
}

/// Whether instruction `index` created its `run` account through a System `create_account` CPI.
fn creates_run(steps: &[Step<'_>], index: usize, ix: &NosanaIx) -> bool {
    let Some(run) = ix.key("run") else { return false };
    steps.iter().filter(|s| s.parent == Some(index)).any(|s| {
        let Ok((program, keys)) = &s.resolved else { return false };
        *program == SYSTEM_PROGRAM_ID
            && keys.get(1) == Some(&run)
            && matches!(SystemInstruction::decode(&s.raw.data), Ok(SystemInstruction::CreateAccount { .. }))
    })
}

/// Pool vault → pool for every pools instruction naming both.
fn pool_vaults(nosana: &[Option<NosanaIx>]) -> BTreeMap<Pubkey, Pubkey> {
    nosana
        .iter()
        .flatten()
        .filter(|ix| ix.program == Program::Pools)
        .filter_map(|ix| Some((ix.key("vault")?, ix.key("pool")?)))
        .collect()
}
