//! Legacy Solana messages: the account key table and compiled instructions, ordered as
//! `solana-message` compiles them.

use std::collections::BTreeMap;

use nosana_layouts::instruction::{AccountMeta, Instruction};
use serde::{Deserialize, Serialize};
use solana_pubkey::Pubkey;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageHeader {
    pub num_required_signatures: u8,
    pub num_readonly_signed_accounts: u8,
    pub num_readonly_unsigned_accounts: u8,
}

/// An instruction with its program and accounts as indices into the message's key table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledInstruction {
    pub program_id_index: u8,
    #[serde(with = "crate::compact::bytes")]
    pub accounts: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub header: MessageHeader,
    #[serde(with = "crate::compact::keys")]
    pub account_keys: Vec<Pubkey>,
    #[serde(with = "crate::compact::hash")]
    pub recent_blockhash: [u8; 32],
    pub instructions: Vec<CompiledInstruction>,
}

#[derive(Default, Clone, Copy)]
struct KeyFlags {
    signer: bool,
    writable: bool,
}

/// Why instructions could not be compiled into a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("a message holds at most 256 account keys, got {0}")]
    TooManyKeys(usize),
}

impl Message {
    /// Compiles like `solana_message::legacy::Message::new_with_blockhash`: the fee payer first,
    /// then writable signers, readonly signers, writable non-signers, readonly non-signers,
    /// each group sorted by key. Program ids are readonly non-signers.
    pub fn compile(
        fee_payer: &Pubkey,
        instructions: &[Instruction],
        recent_blockhash: [u8; 32],
    ) -> Result<Message, CompileError> {
        let mut flags: BTreeMap<Pubkey, KeyFlags> = BTreeMap::new();
        flags.insert(*fee_payer, KeyFlags { signer: true, writable: true });
        for ix in instructions {
            flags.entry(ix.program_id).or_default();
            for meta in &ix.accounts {
                let f = flags.entry(meta.pubkey).or_default();
                f.signer |= meta.is_signer;
                f.writable |= meta.is_writable;
            }
        }
        let group = |signer: bool, writable: bool| -> Vec<Pubkey> {
            flags
                .iter()
                .filter(|(k, f)| *k != fee_payer && f.signer == signer && f.writable == writable)
                .map(|(k, _)| *k)
                .collect()
        };
        let (ws, rs, wn, rn) = (group(true, true), group(true, false), group(false, true), group(false, false));
        let mut account_keys = vec![*fee_payer];
        account_keys.extend(ws.iter().chain(&rs).chain(&wn).chain(&rn));
        if account_keys.len() > 256 {
            return Err(CompileError::TooManyKeys(account_keys.len()));
        }
        let header = MessageHeader {
            num_required_signatures: (1 + ws.len() + rs.len()) as u8,
            num_readonly_signed_accounts: rs.len() as u8,
            num_readonly_unsigned_accounts: rn.len() as u8,
        };
        let index: BTreeMap<Pubkey, u8> = account_keys.iter().enumerate().map(|(i, k)| (*k, i as u8)).collect();
        let instructions = instructions
            .iter()
            .map(|ix| CompiledInstruction {
                program_id_index: index[&ix.program_id],
                accounts: ix.accounts.iter().map(|m| index[&m.pubkey]).collect(),
                data: ix.data.clone(),
            })
            .collect();
        Ok(Message { header, account_keys, recent_blockhash, instructions })
    }

    pub fn fee_payer(&self) -> Option<&Pubkey> {
        self.account_keys.first()
    }

    pub fn is_signer(&self, index: usize) -> bool {
        index < self.header.num_required_signatures as usize
    }

    pub fn is_writable(&self, index: usize) -> bool {
        let h = &self.header;
        let signed = h.num_required_signatures as usize;
        if index < signed {
            index < signed - h.num_readonly_signed_accounts as usize
        } else {
            index < self.account_keys.len() - h.num_readonly_unsigned_accounts as usize
        }
    }

    /// The signers, in order (the keys whose signatures the transaction carries).
    pub fn signers(&self) -> &[Pubkey] {
        &self.account_keys[..(self.header.num_required_signatures as usize).min(self.account_keys.len())]
    }

    pub fn index_of(&self, key: &Pubkey) -> Option<u8> {
        self.account_keys.iter().position(|k| k == key).map(|i| i as u8)
    }

    /// Rebuilds a top-level instruction with the message's flags, or `None` when an index is out
    /// of range (a malformed message).
    pub fn decompile(&self, ix: &CompiledInstruction) -> Option<Instruction> {
        let key = |i: u8| self.account_keys.get(i as usize).copied();
        let accounts = ix
            .accounts
            .iter()
            .map(|&i| {
                Some(AccountMeta {
                    pubkey: key(i)?,
                    is_signer: self.is_signer(i as usize),
                    is_writable: self.is_writable(i as usize),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Instruction { program_id: key(ix.program_id_index)?, accounts, data: ix.data.clone() })
    }
}

/// Instruction data as hex for people (JSON), as plain bytes for binary formats.
pub(crate) mod hex_bytes {
    use serde::Deserialize;
    use serde::de::Error;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if !s.is_human_readable() {
            return s.serialize_bytes(bytes);
        }
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&hex)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if !d.is_human_readable() {
            return crate::compact::bytes::deserialize(d);
        }
        let hex = String::deserialize(d)?;
        if hex.len() % 2 != 0 {
            return Err(D::Error::custom("hex instruction data has an odd length"));
        }
        (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(|| D::Error::custom(format!("bad hex instruction data at offset {i}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruction_data_is_hex_in_json_and_round_trips() {
        let ix = CompiledInstruction { program_id_index: 3, accounts: vec![0, 1], data: vec![0x0a, 0xff, 0x00] };
        let json = serde_json::to_value(&ix).unwrap();
        assert_eq!(json["data"], "0aff00");
        assert_eq!(serde_json::from_value::<CompiledInstruction>(json).unwrap(), ix);
        let odd = serde_json::json!({ "program_id_index": 3, "accounts": [], "data": "abc" });
        let err = serde_json::from_value::<CompiledInstruction>(odd).unwrap_err().to_string();
        assert!(err.contains("odd length"), "{err}");
        let bad = serde_json::json!({ "program_id_index": 3, "accounts": [], "data": "zz" });
        assert!(serde_json::from_value::<CompiledInstruction>(bad).is_err());
    }

    #[test]
    fn the_fee_payer_comes_first_and_groups_follow_solana_order() {
        let payer = Pubkey::new_unique();
        let (ws, rs, wn, rn, program) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let ix = Instruction {
            program_id: program,
            accounts: vec![
                AccountMeta::readonly(rn, false),
                AccountMeta::writable(wn, false),
                AccountMeta::readonly(rs, true),
                AccountMeta::writable(ws, true),
            ],
            data: vec![1],
        };
        let m = Message::compile(&payer, &[ix], [0; 32]).unwrap();
        assert_eq!(m.account_keys[..4], [payer, ws, rs, wn]);
        assert_eq!(
            m.header,
            MessageHeader {
                num_required_signatures: 3,
                num_readonly_signed_accounts: 1,
                num_readonly_unsigned_accounts: 2
            }
        );
        assert!(m.is_writable(1) && !m.is_writable(2) && m.is_writable(3) && !m.is_writable(4));
        let back = m.decompile(&m.instructions[0]).unwrap();
        assert_eq!(back.accounts[3], AccountMeta::writable(ws, true));
    }
}
