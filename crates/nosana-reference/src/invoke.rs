//! The invoke context: runs a message's instructions and their CPIs over the loaded accounts,
//! enforcing the runtime's rules (signers, writability, ownership, balanced lamports) and
//! recording logs, inner instructions and compute units as a Solana node does.

use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, Instruction};
use solana_pubkey::Pubkey;

use crate::bank::{Account, Clock, DEFAULT_INSTRUCTION_COMPUTE_UNITS, MAX_TRANSACTION_COMPUTE_UNITS, ProgramConfig};
use crate::error::{InstructionError, ProgramError, ProgramResult, TransactionError};
use crate::message::{CompiledInstruction, Message};
use crate::meta::{InnerInstruction, InnerInstructions};
use crate::programs;

/// Deepest CPI stack Solana allows (top level is 1).
pub const MAX_STACK_HEIGHT: usize = 5;

struct Frame {
    program_id: Pubkey,
    accounts: Vec<AccountMeta>,
    /// The frame's accounts as they were when it started or last returned from a CPI.
    baseline: Vec<(usize, Account)>,
}

/// What one program sees while it runs.
pub struct InvokeContext<'m> {
    pub clock: Clock,
    pub config: ProgramConfig,
    message: &'m Message,
    accounts: Vec<Account>,
    stack: Vec<Frame>,
    logs: Vec<String>,
    inner: Vec<InnerInstructions>,
    cu_remaining: u64,
    cu_budget: u64,
}

impl<'m> InvokeContext<'m> {
    pub(crate) fn new(clock: Clock, config: ProgramConfig, message: &'m Message, accounts: Vec<Account>) -> Self {
        let bpf_instructions = message
            .instructions
            .iter()
            .filter(|ix| !is_builtin(&message.account_keys[ix.program_id_index as usize]))
            .count() as u64;
        let budget = (bpf_instructions * DEFAULT_INSTRUCTION_COMPUTE_UNITS).min(MAX_TRANSACTION_COMPUTE_UNITS);
        InvokeContext {
            clock,
            config,
            message,
            accounts,
            stack: Vec::new(),
            logs: Vec::new(),
            inner: Vec::new(),
            cu_remaining: budget.max(DEFAULT_INSTRUCTION_COMPUTE_UNITS),
            cu_budget: budget.max(DEFAULT_INSTRUCTION_COMPUTE_UNITS),
        }
    }

    /// Runs every top-level instruction in order; stops at the first failure.
    pub(crate) fn process_message(&mut self) -> Result<(), TransactionError> {
        let message = self.message;
        for (i, compiled) in message.instructions.iter().enumerate() {
            let ix = message.decompile(compiled).ok_or(TransactionError::SanitizeFailure)?;
            self.inner.push(InnerInstructions { index: i as u8, instructions: Vec::new() });
            if let Err(e) = self.run(&ix) {
                return Err(TransactionError::InstructionError(i as u8, e.instruction_error()));
            }
        }
        Ok(())
    }

    /// Hands back the accounts, logs, inner instructions and compute units consumed.
    pub(crate) fn finish(self) -> (Vec<Account>, Vec<String>, Vec<InnerInstructions>, u64) {
        let inner = self.inner.into_iter().filter(|x| !x.instructions.is_empty()).collect();
        (self.accounts, self.logs, inner, self.cu_budget - self.cu_remaining)
    }

    /// The program now running.
    pub fn program_id(&self) -> Pubkey {
        self.stack.last().map(|f| f.program_id).unwrap_or_default()
    }

    pub fn unix_timestamp(&self) -> i64 {
        self.clock.unix_timestamp
    }

    /// `Program log: <msg>`.
    pub fn log(&mut self, msg: impl AsRef<str>) {
        self.logs.push(format!("Program log: {}", msg.as_ref()));
    }

    fn frame_meta(&self, key: &Pubkey) -> Option<&AccountMeta> {
        self.stack.last()?.accounts.iter().find(|m| m.pubkey == *key)
    }

    fn index(&self, key: &Pubkey) -> ProgramResult<usize> {
        if self.frame_meta(key).is_none() {
            return Err(InstructionError::MissingAccount.into());
        }
        self.message.account_keys.iter().position(|k| k == key).ok_or(InstructionError::MissingAccount.into())
    }

    /// Reads an account passed to the running instruction.
    pub fn account(&self, key: &Pubkey) -> ProgramResult<&Account> {
        Ok(&self.accounts[self.index(key)?])
    }

    /// Changes an account passed to the running instruction. The runtime checks afterwards
    /// that only writable accounts changed, and only as their owner allows.
    pub fn account_mut(&mut self, key: &Pubkey) -> ProgramResult<&mut Account> {
        let i = self.index(key)?;
        Ok(&mut self.accounts[i])
    }

    pub fn is_signer(&self, key: &Pubkey) -> bool {
        self.frame_meta(key).is_some_and(|m| m.is_signer)
    }

    pub fn is_writable(&self, key: &Pubkey) -> bool {
        self.frame_meta(key).is_some_and(|m| m.is_writable)
    }

    /// A cross-program invocation. `pda_signers` are addresses the caller signs for with its
    /// seeds (`invoke_signed`).
    pub fn invoke(&mut self, ix: Instruction, pda_signers: &[Pubkey]) -> ProgramResult {
        let caller = self.stack.last().ok_or(InstructionError::MissingAccount)?;
        if !caller.accounts.iter().any(|m| m.pubkey == ix.program_id) {
            return Err(InstructionError::MissingAccount.into());
        }
        for meta in &ix.accounts {
            let granted =
                caller.accounts.iter().find(|m| m.pubkey == meta.pubkey).ok_or(InstructionError::MissingAccount)?;
            let signs = granted.is_signer || pda_signers.contains(&meta.pubkey);
            if (meta.is_signer && !signs) || (meta.is_writable && !granted.is_writable) {
                return Err(InstructionError::PrivilegeEscalation.into());
            }
        }
        if self.stack.len() >= MAX_STACK_HEIGHT {
            return Err(InstructionError::ReentrancyNotAllowed.into());
        }
        let keys = &self.message.account_keys;
        let position = |k: &Pubkey| keys.iter().position(|x| x == k).map(|i| i as u8);
        let compiled = CompiledInstruction {
            program_id_index: position(&ix.program_id).ok_or(InstructionError::MissingAccount)?,
            accounts: ix
                .accounts
                .iter()
                .map(|m| position(&m.pubkey))
                .collect::<Option<_>>()
                .ok_or(InstructionError::MissingAccount)?,
            data: ix.data.clone(),
        };
        let stack_height = self.stack.len() as u32 + 1;
        if let Some(current) = self.inner.last_mut() {
            current.instructions.push(InnerInstruction { instruction: compiled, stack_height });
        }
        // The caller's own changes are checked before the callee sees them; what the callee
        // changes is its own to answer for, so the caller's baseline moves past it.
        self.verify_top()?;
        self.run(&ix)?;
        let baseline = self.snapshot(&self.stack.last().map(|f| f.accounts.clone()).unwrap_or_default());
        if let Some(frame) = self.stack.last_mut() {
            frame.baseline = baseline;
        }
        Ok(())
    }

    /// Charges compute units to the running program.
    pub fn consume(&mut self, units: u64) -> ProgramResult {
        if units > self.cu_remaining {
            self.cu_remaining = 0;
            return Err(InstructionError::ComputationalBudgetExceeded.into());
        }
        self.cu_remaining -= units;
        Ok(())
    }

    /// Pushes a frame, runs the program, verifies what it changed and logs the outcome.
    fn run(&mut self, ix: &Instruction) -> ProgramResult {
        let merged = Instruction { accounts: merge_privileges(&ix.accounts), ..ix.clone() };
        let ix = &merged;
        let depth = self.stack.len() + 1;
        let program = ix.program_id;
        self.logs.push(format!("Program {program} invoke [{depth}]"));
        let available = self.cu_remaining;
        let baseline = self.snapshot(&ix.accounts);
        self.stack.push(Frame { program_id: program, accounts: ix.accounts.clone(), baseline });
        let result = self.dispatch(ix).and_then(|()| self.verify_top());
        self.stack.pop();
        if !is_builtin(&program) {
            let used = available - self.cu_remaining;
            self.logs.push(format!("Program {program} consumed {used} of {available} compute units"));
        }
        match &result {
            Ok(()) => self.logs.push(format!("Program {program} success")),
            Err(e) => self.logs.push(format!("Program {program} failed: {}", e.instruction_error())),
        }
        result
    }

    fn dispatch(&mut self, ix: &Instruction) -> ProgramResult {
        let program =
            &self.accounts[self.message.index_of(&ix.program_id).ok_or(InstructionError::MissingAccount)? as usize];
        if !program.executable {
            return Err(InstructionError::AccountNotExecutable.into());
        }
        let result = programs::process(self, &ix.program_id, &ix.accounts, &ix.data);
        if let Err(e) = &result {
            for line in e.log_lines() {
                self.logs.push(line);
            }
        }
        result
    }

    fn snapshot(&self, metas: &[AccountMeta]) -> Vec<(usize, Account)> {
        let mut seen: Vec<(usize, Account)> = Vec::with_capacity(metas.len());
        for meta in metas {
            if let Some(i) = self.message.index_of(&meta.pubkey) {
                let i = i as usize;
                if !seen.iter().any(|(j, _)| *j == i) {
                    seen.push((i, self.accounts[i].clone()));
                }
            }
        }
        seen
    }

    /// The runtime's checks on the running frame: only writable accounts changed, data and
    /// owners only by the owning program, lamports only debited by the owner, sum unchanged.
    fn verify_top(&self) -> ProgramResult {
        let Some(frame) = self.stack.last() else { return Ok(()) };
        let (mut sum_before, mut sum_after) = (0u128, 0u128);
        for (i, pre) in &frame.baseline {
            let post = &self.accounts[*i];
            sum_before += pre.lamports as u128;
            sum_after += post.lamports as u128;
            let key = self.message.account_keys[*i];
            let writable = frame.accounts.iter().any(|m| m.pubkey == key && m.is_writable);
            let owned = pre.owner == frame.program_id;
            if post.owner != pre.owner && !(owned && writable && post.data.iter().all(|b| *b == 0)) {
                return Err(InstructionError::ModifiedProgramId.into());
            }
            if post.lamports != pre.lamports {
                if !writable {
                    return Err(InstructionError::ReadonlyLamportChange.into());
                }
                if post.lamports < pre.lamports && !owned {
                    return Err(InstructionError::ExternalAccountLamportSpend.into());
                }
            }
            if post.data != pre.data {
                if !writable {
                    return Err(InstructionError::ReadonlyDataModified.into());
                }
                if !owned {
                    return Err(InstructionError::ExternalAccountDataModified.into());
                }
            }
        }
        if sum_before != sum_after {
            return Err(InstructionError::UnbalancedInstruction.into());
        }
        Ok(())
    }
}

/// An account listed twice in one instruction has the union of its flags in every slot, as
/// the runtime gives duplicate accounts one shared privilege set.
fn merge_privileges(metas: &[AccountMeta]) -> Vec<AccountMeta> {
    metas
        .iter()
        .map(|m| {
            let same = metas.iter().filter(|o| o.pubkey == m.pubkey);
            let (mut is_signer, mut is_writable) = (false, false);
            for o in same {
                is_signer |= o.is_signer;
                is_writable |= o.is_writable;
            }
            AccountMeta { pubkey: m.pubkey, is_signer, is_writable }
        })
        .collect()
}

/// Builtins are charged but log no `consumed` line and give no budget.
pub fn is_builtin(program: &Pubkey) -> bool {
    *program == ids::SYSTEM_PROGRAM_ID
}

/// Helper for programs: the error a failed instruction data parse gives.
pub fn bad_data() -> ProgramError {
    ProgramError::Runtime(InstructionError::InvalidInstructionData)
}
