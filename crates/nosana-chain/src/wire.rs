//! Solana's wire format: compact-u16 lengths, legacy and v0 messages, signed transactions.

use nosana_reference::Message;

use crate::request::MessageVersion;

/// Marks a versioned message: the top bit of the first byte, version in the low bits.
pub const MESSAGE_VERSION_PREFIX: u8 = 0x80;

/// Solana's `short_vec` length: 7 bits per byte, high bit = more bytes follow.
pub fn write_compact_u16(out: &mut Vec<u8>, mut n: u16) {
    loop {
        let mut byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        byte |= 0x80;
        out.push(byte);
    }
}

/// The bytes signers sign: the serialised message.
pub fn message_bytes(message: &Message, version: MessageVersion) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + message.account_keys.len() * 32 + 64 * message.instructions.len());
    if version == MessageVersion::V0 {
        out.push(MESSAGE_VERSION_PREFIX);
    }
    let h = &message.header;
    out.extend_from_slice(&[
        h.num_required_signatures,
        h.num_readonly_signed_accounts,
        h.num_readonly_unsigned_accounts,
    ]);
    write_compact_u16(&mut out, message.account_keys.len() as u16);
    for key in &message.account_keys {
        out.extend_from_slice(key.as_ref());
    }
    out.extend_from_slice(&message.recent_blockhash);
    write_compact_u16(&mut out, message.instructions.len() as u16);
    for ix in &message.instructions {
        out.push(ix.program_id_index);
        write_compact_u16(&mut out, ix.accounts.len() as u16);
        out.extend_from_slice(&ix.accounts);
        write_compact_u16(&mut out, ix.data.len() as u16);
        out.extend_from_slice(&ix.data);
    }
    if version == MessageVersion::V0 {
        // No address table lookups.
        write_compact_u16(&mut out, 0);
    }
    out
}

/// A signed transaction: compact-u16 signature count, the signatures, the message.
pub fn transaction_bytes(signatures: &[[u8; 64]], message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 + signatures.len() * 64 + message.len());
    write_compact_u16(&mut out, signatures.len() as u16);
    for s in signatures {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read back at every width by the indexer's reader: `nosana_decode::wire`'s tests.
    #[test]
    fn a_compact_u16_is_written_seven_bits_a_byte_low_bits_first() {
        let mut out = Vec::new();
        write_compact_u16(&mut out, 0x3fff);
        assert_eq!(out, vec![0xff, 0x7f]);
    }
}
