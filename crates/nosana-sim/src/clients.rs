//! Outdated clients: transactions that call a Nosana program with an instruction it does not
//! know (8 random discriminator bytes, the fee payer as the only account). The program fails
//! them with `InstructionFallbackNotFound`; an indexer must record the failed transaction and
//! quarantine the instruction. Off by default (`chain.unknown_instructions_per_day = 0`).

use nosana_layouts::ids::NOSANA_PROGRAM_IDS;
use nosana_reference::{AccountMeta, Instruction};

use crate::sim::{Action, Simulation, Stage};

impl Simulation {
    /// Plans the unknown-instruction transactions arriving in `(from, t]`.
    pub(crate) fn plan_unknown_instructions(&mut self, from: i64, t: i64) {
        let per_day = self.s.chain.unknown_instructions_per_day;
        if per_day <= 0.0 || t <= from {
            return;
        }
        let count = self.clients_rng.poisson(per_day * (t - from) as f64 / 86_400.0);
        let payer = self.w.treasury.clone();
        for _ in 0..count {
            let program = NOSANA_PROGRAM_IDS[self.clients_rng.below(NOSANA_PROGRAM_IDS.len() as u64) as usize];
            let data: Vec<u8> = (0..8).map(|_| self.clients_rng.below(256) as u8).collect();
            let ix =
                Instruction { program_id: program, accounts: vec![AccountMeta::writable(payer.key(), true)], data };
            self.push(Stage::Treasury, &payer.kp, vec![], vec![ix], Action::UnknownInstruction);
        }
    }
}
