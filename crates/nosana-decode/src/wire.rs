//! Solana's wire format, read: a signed transaction (legacy or v0 message) as JSON-RPC's
//! `base64` encoding and the ledger carry it. Only what the indexer needs is kept: the
//! signatures, the header's signer count, the static account keys, the top-level instructions
//! and how many addresses the v0 lookup tables load (to check them against the meta's
//! `loadedAddresses`). Malformed bytes are a typed error, never a panic.

use nosana_layouts::Pubkey;

use crate::model::RawInstruction;

/// The top bit of a message's first byte marks a versioned message.
const VERSION_PREFIX: u8 = 0x80;

/// Why transaction bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("transaction bytes end early, reading {0}")]
    Truncated(&'static str),
    #[error("invalid compact length, reading {0}")]
    Length(&'static str),
    #[error("message version {0} is not supported")]
    Version(u8),
    #[error("{0} bytes follow the message")]
    Trailing(usize),
    #[error("the transaction has no signature")]
    Unsigned,
}

/// A transaction read from its wire bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireTransaction {
    pub signatures: Vec<[u8; 64]>,
    /// `None` for a legacy message, `Some(0)` for v0.
    pub version: Option<u8>,
    pub num_required_signatures: u8,
    /// The message's own keys (v0 lookups load more; the meta lists them).
    pub static_keys: Vec<Pubkey>,
    pub recent_blockhash: [u8; 32],
    /// Top-level instructions (stack height 1).
    pub instructions: Vec<RawInstruction>,
    /// Addresses the v0 lookup tables load: (writable, readonly).
    pub loaded: (usize, usize),
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or(WireError::Truncated(what))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }

    /// Solana's `short_vec` length: 7 bits a byte, at most three bytes, canonical.
    fn compact_u16(&mut self, what: &'static str) -> Result<usize, WireError> {
        let mut value: u32 = 0;
        for i in 0..3 {
            let byte = self.byte(what)?;
            value |= u32::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                // A zero continuation byte is a non-canonical encoding, which Solana rejects.
                if i > 0 && byte == 0 {
                    return Err(WireError::Length(what));
                }
                return u16::try_from(value).map(usize::from).map_err(|_| WireError::Length(what));
            }
        }
        Err(WireError::Length(what))
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], WireError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn short_vec(&mut self, what: &'static str) -> Result<Vec<u8>, WireError> {
        let n = self.compact_u16(what)?;
        Ok(self.take(n, what)?.to_vec())
    }
}

/// Reads a signed transaction.
pub fn parse_transaction(bytes: &[u8]) -> Result<WireTransaction, WireError> {
    let mut r = Reader { bytes, at: 0 };
    let n = r.compact_u16("signature count")?;
    if n == 0 {
        return Err(WireError::Unsigned);
    }
    // Bounded by the bytes there are, so a huge count cannot allocate before failing.
    let mut signatures = Vec::with_capacity(n.min(bytes.len() / 64));
    for _ in 0..n {
        signatures.push(r.array::<64>("signature")?);
    }
    let first = r.byte("message header")?;
    let (version, num_required_signatures) = if first & VERSION_PREFIX != 0 {
        match first & !VERSION_PREFIX {
            0 => (Some(0), r.byte("message header")?),
            v => return Err(WireError::Version(v)),
        }
    } else {
        (None, first)
    };
    r.take(2, "message header")?;
    let keys = r.compact_u16("account key count")?;
    let mut static_keys = Vec::with_capacity(keys.min(bytes.len() / 32));
    for _ in 0..keys {
        static_keys.push(Pubkey::new_from_array(r.array::<32>("account key")?));
    }
    let recent_blockhash = r.array::<32>("recent blockhash")?;
    let count = r.compact_u16("instruction count")?;
    let mut instructions = Vec::with_capacity(count.min(bytes.len()));
    for _ in 0..count {
        let program_id_index = r.byte("program id index")?;
        let accounts = r.short_vec("instruction accounts")?;
        let data = r.short_vec("instruction data")?;
        instructions.push(RawInstruction { program_id_index, accounts, data, stack_height: Some(1) });
    }
    let mut loaded = (0, 0);
    if version.is_some() {
        for _ in 0..r.compact_u16("address table lookup count")? {
            r.take(32, "address table key")?;
            loaded.0 += r.short_vec("writable lookup indexes")?.len();
            loaded.1 += r.short_vec("readonly lookup indexes")?.len();
        }
    }
    if r.at != bytes.len() {
        return Err(WireError::Trailing(bytes.len() - r.at));
    }
    Ok(WireTransaction {
        signatures,
        version,
        num_required_signatures,
        static_keys,
        recent_blockhash,
        instructions,
        loaded,
    })
}

#[cfg(test)]
mod tests {
    use nosana_chain::MessageVersion;
    use nosana_chain::wire::{message_bytes, transaction_bytes, write_compact_u16};
    use nosana_reference::{CompiledInstruction, Message, MessageHeader};

    use super::*;

    fn message() -> Message {
        let key = |b: u8| Pubkey::new_from_array([b; 32]);
        Message {
            header: MessageHeader {
                num_required_signatures: 2,
                num_readonly_signed_accounts: 0,
                num_readonly_unsigned_accounts: 1,
            },
            account_keys: vec![key(1), key(2), key(3), key(4)],
            recent_blockhash: [9; 32],
            instructions: vec![
                CompiledInstruction { program_id_index: 3, accounts: vec![0, 1, 2], data: vec![7; 200] },
                CompiledInstruction { program_id_index: 3, accounts: vec![], data: vec![] },
            ],
        }
    }

    fn signed(version: MessageVersion) -> Vec<u8> {
        transaction_bytes(&[[5; 64], [6; 64]], &message_bytes(&message(), version))
    }

    #[test]
    fn legacy_and_v0_transactions_read_back_as_the_chain_wrote_them() {
        for (version, expected) in [(MessageVersion::Legacy, None), (MessageVersion::V0, Some(0))] {
            let tx = parse_transaction(&signed(version)).unwrap();
            let m = message();
            assert_eq!(tx.version, expected);
            assert_eq!(tx.signatures, vec![[5; 64], [6; 64]]);
            assert_eq!(tx.num_required_signatures, 2);
            assert_eq!(tx.static_keys, m.account_keys);
            assert_eq!(tx.recent_blockhash, [9; 32]);
            assert_eq!(tx.loaded, (0, 0));
            let ixs: Vec<_> = tx.instructions.iter().map(|i| (i.program_id_index, &i.accounts, &i.data)).collect();
            let want: Vec<_> = m.instructions.iter().map(|i| (i.program_id_index, &i.accounts, &i.data)).collect();
            assert_eq!(ixs, want);
            assert!(tx.instructions.iter().all(|i| i.stack_height == Some(1)));
        }
    }

    #[test]
    fn compact_u16_the_chain_writes_reads_back_at_every_width_and_a_cut_one_is_an_error() {
        for n in [0u16, 1, 127, 128, 255, 16_383, 16_384, u16::MAX] {
            let mut out = Vec::new();
            write_compact_u16(&mut out, n);
            let mut r = Reader { bytes: &out, at: 0 };
            assert_eq!(r.compact_u16("n"), Ok(usize::from(n)), "{n}");
            assert_eq!(r.at, out.len(), "{n}");
        }
        assert_eq!(Reader { bytes: &[0x80], at: 0 }.compact_u16("n"), Err(WireError::Truncated("n")));
        assert_eq!(Reader { bytes: &[0xff, 0xff, 0xff], at: 0 }.compact_u16("n"), Err(WireError::Length("n")));
    }

    #[test]
    fn v0_lookup_tables_count_the_addresses_they_load() {
        let mut bytes = signed(MessageVersion::V0);
        // Replace the empty lookup list with two tables: 2 + 1 writable, 3 + 0 readonly.
        bytes.pop();
        write_compact_u16(&mut bytes, 2);
        for (w, r) in [(vec![0u8, 1], vec![2u8, 3, 4]), (vec![5], vec![])] {
            bytes.extend_from_slice(&[8; 32]);
            write_compact_u16(&mut bytes, w.len() as u16);
            bytes.extend_from_slice(&w);
            write_compact_u16(&mut bytes, r.len() as u16);
            bytes.extend_from_slice(&r);
        }
        assert_eq!(parse_transaction(&bytes).unwrap().loaded, (3, 3));
    }

    #[test]
    fn every_truncation_and_bad_byte_is_an_error_not_a_panic() {
        for version in [MessageVersion::Legacy, MessageVersion::V0] {
            let bytes = signed(version);
            for len in 0..bytes.len() {
                assert!(parse_transaction(&bytes[..len]).is_err(), "{version:?} cut at {len}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(parse_transaction(&longer), Err(WireError::Trailing(1)));
        }
        let mut v1 = signed(MessageVersion::V0);
        v1[1 + 128] = 0x81;
        assert_eq!(parse_transaction(&v1), Err(WireError::Version(1)));
        assert_eq!(parse_transaction(&[0]), Err(WireError::Unsigned));
        // A huge count over few bytes fails without allocating for it.
        assert_eq!(parse_transaction(&[0xff, 0xff, 0x03]), Err(WireError::Truncated("signature")));
        // Non-canonical and over-long compact lengths.
        assert_eq!(parse_transaction(&[0x81, 0x00]), Err(WireError::Length("signature count")));
        assert_eq!(parse_transaction(&[0xff, 0xff, 0xff]), Err(WireError::Length("signature count")));
    }
}
