//! Hand-built raw transactions, for layouts and histories the reference program does not run.

use nosana_decode::{RawInnerInstructions, RawInstruction, RawTokenBalance, RawTransaction};
use nosana_layouts::Pubkey;
use nosana_layouts::ids::NOS_MINT;

#[derive(Default)]
pub struct TxBuilder {
    keys: Vec<Pubkey>,
    instructions: Vec<RawInstruction>,
    inner: Vec<RawInnerInstructions>,
    pre: Vec<RawTokenBalance>,
    post: Vec<RawTokenBalance>,
    pub block_time: i64,
    pub err: Option<String>,
}

impl TxBuilder {
    pub fn new(block_time: i64) -> Self {
        TxBuilder { block_time, ..Default::default() }
    }

    /// The index of `key`, added if new.
    pub fn key(&mut self, key: Pubkey) -> u8 {
        match self.keys.iter().position(|k| *k == key) {
            Some(i) => i as u8,
            None => {
                self.keys.push(key);
                (self.keys.len() - 1) as u8
            }
        }
    }

    fn compile(&mut self, program: Pubkey, accounts: &[Pubkey], data: Vec<u8>, stack_height: u32) -> RawInstruction {
        let program_id_index = self.key(program);
        let accounts = accounts.iter().map(|k| self.key(*k)).collect();
        RawInstruction { program_id_index, accounts, data, stack_height: Some(stack_height) }
    }

    /// Adds a top-level instruction; returns its index.
    pub fn top(&mut self, program: Pubkey, accounts: &[Pubkey], data: Vec<u8>) -> u8 {
        let ix = self.compile(program, accounts, data, 1);
        self.instructions.push(ix);
        (self.instructions.len() - 1) as u8
    }

    /// Adds a CPI at `stack_height` under top-level instruction `top`.
    pub fn inner(&mut self, top: u8, stack_height: u32, program: Pubkey, accounts: &[Pubkey], data: Vec<u8>) {
        let ix = self.compile(program, accounts, data, stack_height);
        match self.inner.iter_mut().find(|g| g.index == top) {
            Some(g) => g.instructions.push(ix),
            None => self.inner.push(RawInnerInstructions { index: top, instructions: vec![ix] }),
        }
    }

    /// A NOS token account of `owner` holding `pre` before and `post` after.
    pub fn nos_balance(&mut self, account: Pubkey, owner: Pubkey, pre: u64, post: u64) {
        let account_index = self.key(account);
        self.pre.push(RawTokenBalance { account_index, mint: NOS_MINT, owner: Some(owner), amount: pre });
        self.post.push(RawTokenBalance { account_index, mint: NOS_MINT, owner: Some(owner), amount: post });
    }

    pub fn build(self) -> RawTransaction {
        RawTransaction {
            slot: 1,
            index: 0,
            block_time: self.block_time,
            signature: [1; 64],
            account_keys: self.keys,
            num_required_signatures: 1,
            instructions: self.instructions,
            inner_instructions: self.inner,
            pre_token_balances: self.pre,
            post_token_balances: self.post,
            fee: 5_000,
            compute_units: None,
            err: self.err,
        }
    }
}
