//! Instructions as a Solana runtime sees them, and the static account lists of the programs.

use solana_pubkey::Pubkey;

use crate::discriminator::Discriminator;
use crate::error::{LayoutError, hex8};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccountMeta {
    pub pubkey: Pubkey,
    pub is_signer: bool,
    pub is_writable: bool,
}

impl AccountMeta {
    pub fn writable(pubkey: Pubkey, is_signer: bool) -> Self {
        AccountMeta { pubkey, is_signer, is_writable: true }
    }

    pub fn readonly(pubkey: Pubkey, is_signer: bool) -> Self {
        AccountMeta { pubkey, is_signer, is_writable: false }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub program_id: Pubkey,
    pub accounts: Vec<AccountMeta>,
    pub data: Vec<u8>,
}

/// One account slot of an instruction: its IDL name and flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountSpec {
    pub name: &'static str,
    pub writable: bool,
    pub signer: bool,
}

pub(crate) const fn acc(name: &'static str, writable: bool, signer: bool) -> AccountSpec {
    AccountSpec { name, writable, signer }
}

/// An instruction's name, discriminator and account list, as the program declares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstructionSpec {
    pub name: &'static str,
    pub discriminator: Discriminator,
    pub accounts: &'static [AccountSpec],
}

impl InstructionSpec {
    /// Builds the instruction with the declared flags on `keys` (one per account slot).
    pub fn instruction(&self, program_id: Pubkey, keys: &[Pubkey], data: Vec<u8>) -> Instruction {
        assert_eq!(keys.len(), self.accounts.len(), "{}: wrong number of accounts", self.name);
        let accounts = keys
            .iter()
            .zip(self.accounts)
            .map(|(k, s)| AccountMeta { pubkey: *k, is_signer: s.signer, is_writable: s.writable })
            .collect();
        Instruction { program_id, accounts, data }
    }

    /// `Instruction: <PascalCase>`, as Anchor logs it.
    pub fn log_name(&self) -> String {
        self.name
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
            })
            .collect()
    }

    /// Position of a named account slot.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.name == name)
    }
}

/// Finds the spec whose discriminator starts `data`.
pub fn find_spec<'a>(
    table: &'a [InstructionSpec],
    program: &'static str,
    data: &[u8],
) -> Result<&'a InstructionSpec, LayoutError> {
    if data.len() < 8 {
        return Err(LayoutError::TooShort { what: "instruction data", len: data.len() });
    }
    table
        .iter()
        .find(|s| s.discriminator[..] == data[..8])
        .ok_or_else(|| LayoutError::UnknownInstruction(hex8(data), program))
}

/// Little-endian Borsh reader over instruction arguments.
pub(crate) struct Reader<'a> {
    what: &'static str,
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(what: &'static str, args: &'a [u8]) -> Self {
        Reader { what, rest: args }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.rest.len()
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], LayoutError> {
        if self.rest.len() < N {
            return Err(LayoutError::TooShort { what: self.what, len: self.rest.len() });
        }
        let (head, tail) = self.rest.split_at(N);
        self.rest = tail;
        Ok(head.try_into().expect("length checked"))
    }

    pub(crate) fn u8(&mut self) -> Result<u8, LayoutError> {
        Ok(self.take::<1>()?[0])
    }
    pub(crate) fn bool(&mut self) -> Result<bool, LayoutError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(LayoutError::Borsh { what: self.what, reason: format!("invalid bool {b}") }),
        }
    }
    pub(crate) fn u16(&mut self) -> Result<u16, LayoutError> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, LayoutError> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    pub(crate) fn i64(&mut self) -> Result<i64, LayoutError> {
        Ok(i64::from_le_bytes(self.take()?))
    }
    pub(crate) fn u128(&mut self) -> Result<u128, LayoutError> {
        Ok(u128::from_le_bytes(self.take()?))
    }
    pub(crate) fn bytes32(&mut self) -> Result<[u8; 32], LayoutError> {
        self.take()
    }
    pub(crate) fn string(&mut self) -> Result<String, LayoutError> {
        let len = u32::from_le_bytes(self.take()?) as usize;
        if self.rest.len() < len {
            return Err(LayoutError::TooShort { what: self.what, len: self.rest.len() });
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
        String::from_utf8(head.to_vec()).map_err(|e| LayoutError::Borsh { what: self.what, reason: e.to_string() })
    }
}

/// Appends Borsh arguments after a discriminator.
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn new(discriminator: Discriminator) -> Self {
        Writer(discriminator.to_vec())
    }
    pub(crate) fn bytes(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }
    pub(crate) fn string(self, s: &str) -> Self {
        let len = (s.len() as u32).to_le_bytes();
        self.bytes(&len).bytes(s.as_bytes())
    }
}
