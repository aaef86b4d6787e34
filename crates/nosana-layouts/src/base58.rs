//! Base58 (Bitcoin alphabet) of byte strings of any length, as Solana writes instruction data.
//!
//! The generic encoder divides the whole number by 58 once per input byte, digit by digit; this
//! one carries 32 input bits at a time into limbs of five base-58 digits (58⁵ < 2³⁰), so a
//! 52-byte instruction takes about 50 limb steps instead of about 1,800 digit steps. Fixed
//! 32- and 64-byte values (keys, signatures) have `five8`'s encoders.

const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// 58⁵: one limb holds five digits.
const LIMB: u64 = 58 * 58 * 58 * 58 * 58;

/// The base58 text of `input`: a `1` for each leading zero byte, then the digits of the rest.
pub fn encode(input: &[u8]) -> String {
    let zeros = input.iter().take_while(|b| **b == 0).count();
    let rest = &input[zeros..];
    // Limbs of the number `rest`, least significant first. log(256) / log(58⁵) < 0.28.
    let mut limbs: Vec<u64> = Vec::with_capacity(rest.len() * 7 / 25 + 2);
    // A short first chunk, so that the others are whole 32-bit words.
    let head = rest.len() % 4;
    let chunks = std::iter::once((&rest[..head], 8 * head as u32)).chain(rest[head..].chunks_exact(4).map(|c| (c, 32)));
    for (chunk, bits) in chunks {
        if bits == 0 {
            continue;
        }
        // limbs = limbs × 2^bits + chunk. A limb is below 58⁵ < 2^30, and a carry stays below
        // 2^bits ((58⁵ - 1) × 2^bits + c < 58⁵ × 2^bits when c < 2^bits), so a value fits.
        let mut carry = chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        for limb in limbs.iter_mut() {
            let value = (*limb << bits) + carry;
            *limb = value % LIMB;
            carry = value / LIMB;
        }
        while carry > 0 {
            limbs.push(carry % LIMB);
            carry /= LIMB;
        }
    }
    // Digits, least significant first, then the most significant limb's leading zeros dropped.
    let mut digits: Vec<u8> = Vec::with_capacity(zeros + limbs.len() * 5);
    for mut limb in limbs {
        for _ in 0..5 {
            digits.push(ALPHABET[(limb % 58) as usize]);
            limb /= 58;
        }
    }
    while digits.last() == Some(&ALPHABET[0]) {
        digits.pop();
    }
    digits.extend(std::iter::repeat_n(ALPHABET[0], zeros));
    digits.reverse();
    // Every byte is from the ASCII alphabet.
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic byte stream (xorshift), so failures reproduce.
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn it_writes_what_the_generic_encoder_writes_for_every_length_and_leading_zeros() {
        for len in 0..=140 {
            for seed in 0..12u64 {
                let mut input = bytes(seed * 1000 + len as u64, len);
                // Some inputs start with zero bytes, some are all zeros, some all 0xff.
                match seed {
                    0 => input.iter_mut().for_each(|b| *b = 0),
                    1 => input.iter_mut().for_each(|b| *b = 0xff),
                    2..=5 => input.iter_mut().take(seed as usize - 1).for_each(|b| *b = 0),
                    _ => {}
                }
                assert_eq!(encode(&input), bs58::encode(&input).into_string(), "{input:?}");
            }
        }
    }

    #[test]
    fn known_values_match_solana_usage() {
        assert_eq!(encode(&[]), "");
        assert_eq!(encode(&[0]), "1");
        assert_eq!(encode(&[0, 0, 1]), "112");
        // SPL Token `Transfer` of 1,000,000 base units.
        assert_eq!(encode(&[3, 64, 66, 15, 0, 0, 0, 0, 0]), "3QCwqmHZ4mdq");
        assert_eq!(encode(b"hello world"), "StV1DL6CwTryKyV");
    }
}
