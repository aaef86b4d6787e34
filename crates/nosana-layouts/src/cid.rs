//! IPFS CIDv0 <-> the 32-byte sha256 digest stored in `ipfs_job` / `ipfs_result`.

use crate::error::LayoutError;

/// The CID of 32 zero bytes, which clients show as "no result".
pub const NULL_CID: &str = "QmNLei78zWmzUdbeRB3CiUfAizWUrbeeZh5K1rhAQKCh51";

/// base58(`0x12 0x20` ‖ digest).
pub fn cid_from_bytes(digest: &[u8; 32]) -> String {
    let mut buf = Vec::with_capacity(34);
    buf.extend_from_slice(&[0x12, 0x20]);
    buf.extend_from_slice(digest);
    bs58::encode(buf).into_string()
}

/// The digest inside a CIDv0 (`Qm…`).
pub fn cid_to_bytes(cid: &str) -> Result<[u8; 32], LayoutError> {
    let raw = bs58::decode(cid).into_vec().map_err(|e| LayoutError::InvalidCid(format!("{cid}: {e}")))?;
    if raw.len() != 34 || raw[0] != 0x12 || raw[1] != 0x20 {
        return Err(LayoutError::InvalidCid(format!("{cid}: not a sha2-256 CIDv0")));
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&raw[2..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_bytes_are_the_null_cid() {
        assert_eq!(cid_from_bytes(&[0u8; 32]), NULL_CID);
    }

    #[test]
    fn a_cid_round_trips_through_its_digest() {
        let cid = "QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p";
        assert_eq!(cid_from_bytes(&cid_to_bytes(cid).unwrap()), cid);
    }

    #[test]
    fn a_cidv1_is_rejected_with_a_reason() {
        let err = cid_to_bytes("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi").unwrap_err();
        assert!(matches!(err, LayoutError::InvalidCid(_)));
    }
}
