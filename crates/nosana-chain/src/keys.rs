//! Ed25519 keypairs derived deterministically from a seed and a name, so the same scenario and
//! seed give the same addresses and signatures.

use sha2::{Digest, Sha256};
pub use solana_keypair::Keypair;
pub use solana_signature::Signature;
pub use solana_signer::Signer;

/// The keypair of participant `name` in a world seeded with `seed`.
pub fn derive_keypair(seed: u64, name: &str) -> Keypair {
    let secret: [u8; 32] = Sha256::digest(format!("depinscore/{seed}/{name}").as_bytes()).into();
    Keypair::new_from_array(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_name_give_the_same_keypair() {
        assert_eq!(derive_keypair(7, "node-1").pubkey(), derive_keypair(7, "node-1").pubkey());
        assert_ne!(derive_keypair(7, "node-1").pubkey(), derive_keypair(8, "node-1").pubkey());
    }

    #[test]
    fn a_signature_verifies_against_the_public_key() {
        let k = derive_keypair(1, "a");
        let sig = k.sign_message(b"hello");
        assert!(sig.verify(k.pubkey().as_ref(), b"hello"));
        assert!(!sig.verify(k.pubkey().as_ref(), b"hullo"));
    }
}
