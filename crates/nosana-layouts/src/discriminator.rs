//! Anchor discriminators: `sha256("account:<Struct>")[..8]` and `sha256("global:<ix>")[..8]`.
//!
//! The layouts carry them as constants; these functions recompute them so tests (and tools)
//! can check a constant against its name.

use sha2::{Digest, Sha256};

pub type Discriminator = [u8; 8];

/// Bytes Anchor (≤ 0.30) wrote into closed accounts.
pub const CLOSED_ACCOUNT_DISCRIMINATOR: Discriminator = [0xff; 8];

pub fn account_discriminator(struct_name: &str) -> Discriminator {
    prefix_hash(&format!("account:{struct_name}"))
}

pub fn instruction_discriminator(snake_case_name: &str) -> Discriminator {
    prefix_hash(&format!("global:{snake_case_name}"))
}

fn prefix_hash(preimage: &str) -> Discriminator {
    let digest = Sha256::digest(preimage.as_bytes());
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_discriminator_matches_the_spec() {
        assert_eq!(instruction_discriminator("list"), [0x36, 0xae, 0xc1, 0x43, 0x11, 0x29, 0x84, 0x26]);
    }

    #[test]
    fn the_job_account_discriminator_matches_the_spec() {
        assert_eq!(account_discriminator("JobAccount"), [91, 16, 162, 5, 45, 210, 125, 65]);
    }
}
