//! The slice of SPL Token, the Associated Token Account program, the System program and
//! Metaplex token metadata that the Nosana programs touch.

use solana_pubkey::Pubkey;

use crate::error::LayoutError;
use crate::instruction::Reader;

pub const TOKEN_ACCOUNT_LEN: usize = 165;
pub const MINT_LEN: usize = 82;

/// An SPL token account (165 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenAccount {
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub delegate: Option<Pubkey>,
    /// 0 uninitialised, 1 initialised, 2 frozen.
    pub state: u8,
    pub is_native: Option<u64>,
    pub delegated_amount: u64,
    pub close_authority: Option<Pubkey>,
}

impl TokenAccount {
    pub fn new(mint: Pubkey, owner: Pubkey, amount: u64) -> Self {
        TokenAccount {
            mint,
            owner,
            amount,
            delegate: None,
            state: 1,
            is_native: None,
            delegated_amount: 0,
            close_authority: None,
        }
    }

    pub fn pack(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TOKEN_ACCOUNT_LEN);
        out.extend_from_slice(self.mint.as_ref());
        out.extend_from_slice(self.owner.as_ref());
        out.extend_from_slice(&self.amount.to_le_bytes());
        pack_option_key(&mut out, &self.delegate);
        out.push(self.state);
        match self.is_native {
            Some(v) => {
                out.extend_from_slice(&1u32.to_le_bytes());
                out.extend_from_slice(&v.to_le_bytes());
            }
            None => out.extend_from_slice(&[0u8; 12]),
        }
        out.extend_from_slice(&self.delegated_amount.to_le_bytes());
        pack_option_key(&mut out, &self.close_authority);
        out
    }

    pub fn unpack(data: &[u8]) -> Result<Self, LayoutError> {
        if data.len() != TOKEN_ACCOUNT_LEN {
            return Err(LayoutError::UnexpectedLength { what: "token account", len: data.len() });
        }
        let mut r = Reader::new("token account", data);
        let account = TokenAccount {
            mint: key(&mut r)?,
            owner: key(&mut r)?,
            amount: r.u64()?,
            delegate: option_key(&mut r)?,
            state: r.u8()?,
            is_native: {
                let tag = u32_tag(&mut r)?;
                let v = r.u64()?;
                (tag == 1).then_some(v)
            },
            delegated_amount: r.u64()?,
            close_authority: option_key(&mut r)?,
        };
        if account.state == 0 {
            return Err(LayoutError::Borsh { what: "token account", reason: "uninitialized".into() });
        }
        Ok(account)
    }
}

/// An SPL mint (82 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mint {
    pub mint_authority: Option<Pubkey>,
    pub supply: u64,
    pub decimals: u8,
    pub is_initialized: bool,
    pub freeze_authority: Option<Pubkey>,
}

impl Mint {
    pub fn pack(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MINT_LEN);
        pack_option_key(&mut out, &self.mint_authority);
        out.extend_from_slice(&self.supply.to_le_bytes());
        out.push(self.decimals);
        out.push(self.is_initialized as u8);
        pack_option_key(&mut out, &self.freeze_authority);
        out
    }

    pub fn unpack(data: &[u8]) -> Result<Self, LayoutError> {
        if data.len() != MINT_LEN {
            return Err(LayoutError::UnexpectedLength { what: "mint", len: data.len() });
        }
        let mut r = Reader::new("mint", data);
        Ok(Mint {
            mint_authority: option_key(&mut r)?,
            supply: r.u64()?,
            decimals: r.u8()?,
            is_initialized: r.bool()?,
            freeze_authority: option_key(&mut r)?,
        })
    }
}

fn pack_option_key(out: &mut Vec<u8>, k: &Option<Pubkey>) {
    match k {
        Some(k) => {
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(k.as_ref());
        }
        None => out.extend_from_slice(&[0u8; 36]),
    }
}

fn key(r: &mut Reader<'_>) -> Result<Pubkey, LayoutError> {
    Ok(Pubkey::new_from_array(r.bytes32()?))
}

fn u32_tag(r: &mut Reader<'_>) -> Result<u32, LayoutError> {
    let lo = r.u16()? as u32;
    let hi = r.u16()? as u32;
    Ok(lo | (hi << 16))
}

fn option_key(r: &mut Reader<'_>) -> Result<Option<Pubkey>, LayoutError> {
    let tag = u32_tag(r)?;
    let k = key(r)?;
    Ok((tag == 1).then_some(k))
}

/// SPL Token instructions (the first byte is the tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenInstruction {
    InitializeMint2 { decimals: u8, mint_authority: Pubkey, freeze_authority: Option<Pubkey> },
    InitializeAccount3 { owner: Pubkey },
    Transfer { amount: u64 },
    MintTo { amount: u64 },
    Burn { amount: u64 },
    CloseAccount,
    TransferChecked { amount: u64, decimals: u8 },
    MintToChecked { amount: u64, decimals: u8 },
    BurnChecked { amount: u64, decimals: u8 },
}

impl TokenInstruction {
    pub fn name(&self) -> &'static str {
        match self {
            TokenInstruction::InitializeMint2 { .. } => "InitializeMint2",
            TokenInstruction::InitializeAccount3 { .. } => "InitializeAccount3",
            TokenInstruction::Transfer { .. } => "Transfer",
            TokenInstruction::MintTo { .. } => "MintTo",
            TokenInstruction::Burn { .. } => "Burn",
            TokenInstruction::CloseAccount => "CloseAccount",
            TokenInstruction::TransferChecked { .. } => "TransferChecked",
            TokenInstruction::MintToChecked { .. } => "MintToChecked",
            TokenInstruction::BurnChecked { .. } => "BurnChecked",
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(10);
        match self {
            TokenInstruction::InitializeMint2 { decimals, mint_authority, freeze_authority } => {
                out.extend_from_slice(&[20, *decimals]);
                out.extend_from_slice(mint_authority.as_ref());
                match freeze_authority {
                    Some(k) => {
                        out.push(1);
                        out.extend_from_slice(k.as_ref());
                    }
                    None => out.push(0),
                }
            }
            TokenInstruction::InitializeAccount3 { owner } => {
                out.push(18);
                out.extend_from_slice(owner.as_ref());
            }
            TokenInstruction::Transfer { amount } => tagged(&mut out, 3, *amount),
            TokenInstruction::MintTo { amount } => tagged(&mut out, 7, *amount),
            TokenInstruction::Burn { amount } => tagged(&mut out, 8, *amount),
            TokenInstruction::CloseAccount => out.push(9),
            TokenInstruction::TransferChecked { amount, decimals } => {
                tagged(&mut out, 12, *amount);
                out.push(*decimals);
            }
            TokenInstruction::MintToChecked { amount, decimals } => {
                tagged(&mut out, 14, *amount);
                out.push(*decimals);
            }
            TokenInstruction::BurnChecked { amount, decimals } => {
                tagged(&mut out, 15, *amount);
                out.push(*decimals);
            }
        }
        out
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        let (&tag, rest) = data.split_first().ok_or(LayoutError::TooShort { what: "token instruction", len: 0 })?;
        let mut r = Reader::new("token instruction", rest);
        Ok(match tag {
            20 => TokenInstruction::InitializeMint2 {
                decimals: r.u8()?,
                mint_authority: key(&mut r)?,
                freeze_authority: if r.u8()? == 1 { Some(key(&mut r)?) } else { None },
            },
            18 => TokenInstruction::InitializeAccount3 { owner: key(&mut r)? },
            3 => TokenInstruction::Transfer { amount: r.u64()? },
            7 => TokenInstruction::MintTo { amount: r.u64()? },
            8 => TokenInstruction::Burn { amount: r.u64()? },
            9 => TokenInstruction::CloseAccount,
            12 => TokenInstruction::TransferChecked { amount: r.u64()?, decimals: r.u8()? },
            14 => TokenInstruction::MintToChecked { amount: r.u64()?, decimals: r.u8()? },
            15 => TokenInstruction::BurnChecked { amount: r.u64()?, decimals: r.u8()? },
            other => return Err(LayoutError::UnknownInstruction(format!("{other:02x}"), "spl_token")),
        })
    }
}

fn tagged(out: &mut Vec<u8>, tag: u8, amount: u64) {
    out.push(tag);
    out.extend_from_slice(&amount.to_le_bytes());
}

/// System program instructions (u32 LE tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SystemInstruction {
    CreateAccount { lamports: u64, space: u64, owner: Pubkey },
    Transfer { lamports: u64 },
}

impl SystemInstruction {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(52);
        match self {
            SystemInstruction::CreateAccount { lamports, space, owner } => {
                out.extend_from_slice(&0u32.to_le_bytes());
                out.extend_from_slice(&lamports.to_le_bytes());
                out.extend_from_slice(&space.to_le_bytes());
                out.extend_from_slice(owner.as_ref());
            }
            SystemInstruction::Transfer { lamports } => {
                out.extend_from_slice(&2u32.to_le_bytes());
                out.extend_from_slice(&lamports.to_le_bytes());
            }
        }
        out
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        let mut r = Reader::new("system instruction", data);
        Ok(match u32_tag(&mut r)? {
            0 => SystemInstruction::CreateAccount { lamports: r.u64()?, space: r.u64()?, owner: key(&mut r)? },
            2 => SystemInstruction::Transfer { lamports: r.u64()? },
            other => return Err(LayoutError::UnknownInstruction(other.to_string(), "system")),
        })
    }
}

/// Associated Token Account program: `Create` (empty data or 0) and `CreateIdempotent` (1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtaInstruction {
    Create,
    CreateIdempotent,
}

impl AtaInstruction {
    pub fn encode(&self) -> Vec<u8> {
        vec![*self as u8]
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        match data.first() {
            None | Some(0) => Ok(AtaInstruction::Create),
            Some(1) => Ok(AtaInstruction::CreateIdempotent),
            Some(b) => Err(LayoutError::UnknownInstruction(format!("{b:02x}"), "spl_associated_token_account")),
        }
    }
}

/// The parts of a Metaplex `Metadata` account the jobs program checks for node access keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NftMetadata {
    pub update_authority: Pubkey,
    pub mint: Pubkey,
    pub name: String,
    pub symbol: String,
    pub uri: String,
    /// `(verified, collection key)`.
    pub collection: Option<(bool, Pubkey)>,
}

impl NftMetadata {
    /// Borsh of `Metadata` V1 (key 4), with no creators, edition nonce or token standard.
    pub fn pack(&self) -> Vec<u8> {
        let mut out = vec![4u8];
        out.extend_from_slice(self.update_authority.as_ref());
        out.extend_from_slice(self.mint.as_ref());
        for s in [&self.name, &self.symbol, &self.uri] {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&0u16.to_le_bytes()); // seller_fee_basis_points
        out.push(0); // creators: None
        out.extend_from_slice(&[0, 1]); // primary_sale_happened, is_mutable
        out.extend_from_slice(&[0, 0]); // edition_nonce, token_standard: None
        match &self.collection {
            Some((verified, key)) => {
                out.extend_from_slice(&[1, *verified as u8]);
                out.extend_from_slice(key.as_ref());
            }
            None => out.push(0),
        }
        out
    }

    pub fn unpack(data: &[u8]) -> Result<Self, LayoutError> {
        let mut r = Reader::new("metadata", data);
        if r.u8()? != 4 {
            return Err(LayoutError::Borsh { what: "metadata", reason: "not a MetadataV1 account".into() });
        }
        let update_authority = key(&mut r)?;
        let mint = key(&mut r)?;
        let (name, symbol, uri) = (r.string()?, r.string()?, r.string()?);
        let _seller_fee = r.u16()?;
        if r.u8()? == 1 {
            let n = u32_tag(&mut r)?;
            for _ in 0..n {
                key(&mut r)?;
                r.bool()?;
                r.u8()?;
            }
        }
        let _primary_sale = r.bool()?;
        let _mutable = r.bool()?;
        if r.u8()? == 1 {
            r.u8()?;
        }
        if r.u8()? == 1 {
            r.u8()?;
        }
        let collection = if r.u8()? == 1 { Some((r.bool()?, key(&mut r)?)) } else { None };
        Ok(NftMetadata { update_authority, mint, name, symbol, uri, collection })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_account_packs_to_165_bytes_and_back() {
        let a = TokenAccount::new(Pubkey::new_unique(), Pubkey::new_unique(), 42);
        let bytes = a.pack();
        assert_eq!(bytes.len(), TOKEN_ACCOUNT_LEN);
        assert_eq!(TokenAccount::unpack(&bytes).unwrap(), a);
    }

    #[test]
    fn a_mint_packs_to_82_bytes_and_back() {
        let m = Mint {
            mint_authority: Some(Pubkey::new_unique()),
            supply: 7,
            decimals: 6,
            is_initialized: true,
            freeze_authority: None,
        };
        let bytes = m.pack();
        assert_eq!(bytes.len(), MINT_LEN);
        assert_eq!(Mint::unpack(&bytes).unwrap(), m);
    }

    #[test]
    fn token_instructions_round_trip() {
        for ix in [
            TokenInstruction::Transfer { amount: 5 },
            TokenInstruction::BurnChecked { amount: 9, decimals: 6 },
            TokenInstruction::InitializeAccount3 { owner: Pubkey::new_unique() },
            TokenInstruction::InitializeMint2 {
                decimals: 6,
                mint_authority: Pubkey::new_unique(),
                freeze_authority: None,
            },
        ] {
            assert_eq!(TokenInstruction::decode(&ix.encode()).unwrap(), ix);
        }
    }

    #[test]
    fn metadata_with_a_verified_collection_round_trips() {
        let m = NftMetadata {
            update_authority: Pubkey::new_unique(),
            mint: Pubkey::new_unique(),
            name: "Nosana 4090".into(),
            symbol: "NOS".into(),
            uri: String::new(),
            collection: Some((true, Pubkey::new_unique())),
        };
        assert_eq!(NftMetadata::unpack(&m.pack()).unwrap(), m);
    }
}
