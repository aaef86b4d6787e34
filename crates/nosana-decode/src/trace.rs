//! The instruction trace of a transaction: every top-level instruction followed by its CPIs,
//! each resolved against the account keys and linked to the instruction that invoked it.

use std::collections::BTreeMap;

use nosana_layouts::Pubkey;

use crate::error::DecodeError;
use crate::model::{RawInstruction, RawTransaction};
use crate::output::Position;

/// One instruction of the trace.
pub(crate) struct Step<'a> {
    pub at: Position,
    pub raw: &'a RawInstruction,
    /// Program id and account keys, or why they could not be resolved.
    pub resolved: Result<(Pubkey, Vec<Pubkey>), DecodeError>,
    /// Index (in the trace) of the instruction that invoked this one; `None` at top level.
    pub parent: Option<usize>,
}

impl Step<'_> {
    /// The program id when its index is in range, even if an account index is not.
    pub fn program(&self, tx: &RawTransaction) -> Option<Pubkey> {
        tx.key(self.raw.program_id_index).copied()
    }
}

fn clamp16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// The stack height an inner instruction is reported at: its own, at least 2; 2 when unknown.
pub(crate) fn height_of(ix: &RawInstruction) -> u8 {
    u8::try_from(ix.stack_height.map_or(2, |h| h.max(2))).unwrap_or(u8::MAX)
}

fn resolve(tx: &RawTransaction, ix: &RawInstruction) -> Result<(Pubkey, Vec<Pubkey>), DecodeError> {
    let keys = tx.account_keys.len();
    let program =
        *tx.key(ix.program_id_index).ok_or(DecodeError::ProgramIndexOutOfRange { index: ix.program_id_index, keys })?;
    let accounts = ix
        .accounts
        .iter()
        .map(|&index| tx.key(index).copied().ok_or(DecodeError::AccountIndexOutOfRange { index, keys }))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((program, accounts))
}

/// The trace in execution order. An inner instruction's parent is the closest earlier
/// instruction of the same top-level group one stack level up (inner instructions without a
/// stack height count as level 2). Inner instructions filed under a top-level index the message
/// lacks come last, unresolved, numbered per missing index.
pub(crate) fn trace(tx: &RawTransaction) -> Vec<Step<'_>> {
    let mut steps = Vec::with_capacity(tx.instructions.len() * 4);
    for (i, ix) in tx.instructions.iter().enumerate() {
        let top = steps.len();
        let at = Position { ix: clamp16(i), inner: 0, stack_height: 1 };
        steps.push(Step { at, raw: ix, resolved: resolve(tx, ix), parent: None });
        // (stack height, trace index) of the open frames.
        let mut frames: Vec<(u32, usize)> = vec![(1, top)];
        let inner = tx.inner_instructions.iter().filter(|g| g.index as usize == i).flat_map(|g| &g.instructions);
        for (n, ix) in inner.enumerate() {
            let height = ix.stack_height.map_or(2, |h| h.max(2));
            while frames.len() > 1 && frames.last().is_some_and(|&(h, _)| h >= height) {
                frames.pop();
            }
            let parent = frames.last().map(|&(_, p)| p);
            let at = Position { ix: clamp16(i), inner: clamp16(n + 1), stack_height: height_of(ix) };
            frames.push((height, steps.len()));
            steps.push(Step { at, raw: ix, resolved: resolve(tx, ix), parent });
        }
    }
    let mut orphans: BTreeMap<u8, Vec<&RawInstruction>> = BTreeMap::new();
    for group in tx.inner_instructions.iter().filter(|g| g.index as usize >= tx.instructions.len()) {
        orphans.entry(group.index).or_default().extend(&group.instructions);
    }
    for (index, instructions) in orphans {
        for (n, ix) in instructions.into_iter().enumerate() {
            let at = Position { ix: u16::from(index), inner: clamp16(n + 1), stack_height: height_of(ix) };
            steps.push(Step { at, raw: ix, resolved: Err(DecodeError::OrphanInnerInstruction(index)), parent: None });
        }
    }
    steps
}

/// The closest ancestor of `index` (not itself) for which `pick` holds.
pub(crate) fn ancestor(steps: &[Step<'_>], index: usize, pick: impl Fn(usize) -> bool) -> Option<usize> {
    let mut at = steps.get(index)?.parent;
    // A trace is a forest built front to back, so parents always come earlier: the walk ends.
    while let Some(i) = at {
        if pick(i) {
            return Some(i);
        }
        at = steps.get(i)?.parent;
    }
    None
}
