//! Serde forms for byte data: binary formats (the node's frozen blocks, bincode) get each value
//! as one byte string; human-readable ones (JSON) get exactly what the derived forms give. A
//! derived `[u8; 32]` or `Vec<u8>` is read back one element call at a time: thawing frozen
//! blocks spent about a fifth of the node's CPU there while serving a backfill.

use std::fmt;

use serde::de::{Error, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use solana_pubkey::Pubkey;

/// Reads one byte string, borrowed or owned.
struct ByteString;

impl<'de> Visitor<'de> for ByteString {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a byte string")
    }

    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }
}

fn read_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    d.deserialize_byte_buf(ByteString)
}

fn array32<E: Error>(bytes: &[u8]) -> Result<[u8; 32], E> {
    <[u8; 32]>::try_from(bytes).map_err(|_| E::invalid_length(bytes.len(), &"32 bytes"))
}

/// `Vec<u8>`.
pub(crate) mod bytes {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { v.serialize(s) } else { s.serialize_bytes(v) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() { Vec::<u8>::deserialize(d) } else { read_bytes(d) }
    }
}

/// `[u8; 32]` (a hash).
pub(crate) mod hash {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { v.serialize(s) } else { s.serialize_bytes(v) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        if d.is_human_readable() { <[u8; 32]>::deserialize(d) } else { array32(&read_bytes(d)?) }
    }
}

/// One key.
pub(crate) mod key {
    use super::*;

    pub fn serialize<S: Serializer>(k: &Pubkey, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { k.serialize(s) } else { s.serialize_bytes(&k.to_bytes()) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pubkey, D::Error> {
        if d.is_human_readable() {
            Pubkey::deserialize(d)
        } else {
            Ok(Pubkey::new_from_array(array32(&read_bytes(d)?)?))
        }
    }
}

/// A list of keys, as their bytes end to end.
pub(crate) mod keys {
    use super::*;

    pub fn serialize<S: Serializer>(keys: &[Pubkey], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return keys.serialize(s);
        }
        let flat: Vec<u8> = keys.iter().flat_map(|k| k.to_bytes()).collect();
        s.serialize_bytes(&flat)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Pubkey>, D::Error> {
        if d.is_human_readable() {
            return Vec::<Pubkey>::deserialize(d);
        }
        let flat = read_bytes(d)?;
        if flat.len() % 32 != 0 {
            return Err(D::Error::invalid_length(flat.len(), &"a multiple of 32 bytes"));
        }
        flat.chunks_exact(32).map(|c| array32(c).map(Pubkey::new_from_array)).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use solana_pubkey::Pubkey;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Compact {
        #[serde(with = "super::bytes")]
        bytes: Vec<u8>,
        #[serde(with = "super::hash")]
        hash: [u8; 32],
        #[serde(with = "super::key")]
        key: Pubkey,
        #[serde(with = "super::keys")]
        keys: Vec<Pubkey>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Derived {
        bytes: Vec<u8>,
        hash: [u8; 32],
        key: Pubkey,
        keys: Vec<Pubkey>,
    }

    fn sample() -> (Compact, Derived) {
        let keys: Vec<Pubkey> = (0..5u8).map(|i| Pubkey::new_from_array([i.wrapping_mul(37); 32])).collect();
        let key = Pubkey::new_from_array(std::array::from_fn(|i| i as u8));
        let compact = Compact { bytes: vec![3, 0, 255, 7], hash: [9; 32], key, keys: keys.clone() };
        let derived = Derived { bytes: vec![3, 0, 255, 7], hash: [9; 32], key, keys };
        (compact, derived)
    }

    #[test]
    fn binary_forms_round_trip_and_json_is_what_the_derived_forms_write() {
        let (compact, derived) = sample();
        let binary = bincode::serialize(&compact).unwrap();
        assert_eq!(bincode::deserialize::<Compact>(&binary).unwrap(), compact);
        assert!(binary.len() < bincode::serialize(&derived).unwrap().len() + 4 * 8);
        let json = serde_json::to_string(&compact).unwrap();
        assert_eq!(json, serde_json::to_string(&derived).unwrap());
        assert_eq!(serde_json::from_str::<Compact>(&json).unwrap(), compact);
    }

    #[test]
    fn cut_or_misaligned_key_bytes_are_errors_not_panics() {
        let (compact, _) = sample();
        let binary = bincode::serialize(&compact).unwrap();
        for cut in 0..binary.len() {
            assert!(bincode::deserialize::<Compact>(&binary[..cut]).is_err(), "cut at {cut}");
        }
        // The key list's length prefix is its byte count: 33 bytes are not whole keys.
        #[derive(Serialize)]
        struct Keys(#[serde(with = "super::bytes")] Vec<u8>);
        #[derive(Debug, Deserialize)]
        struct OnlyKeys(#[serde(with = "super::keys")] Vec<Pubkey>);
        let bad = bincode::serialize(&Keys(vec![1; 33])).unwrap();
        assert!(bincode::deserialize::<OnlyKeys>(&bad).is_err());
        let good = bincode::serialize(&Keys(vec![1; 64])).unwrap();
        assert_eq!(bincode::deserialize::<OnlyKeys>(&good).unwrap().0.len(), 2);
    }
}
