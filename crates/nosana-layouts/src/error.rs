use thiserror::Error;

/// Why bytes could not be read as a Nosana layout.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LayoutError {
    #[error("{what}: {len} bytes is too short")]
    TooShort { what: &'static str, len: usize },
    #[error("{what}: discriminator {found} is not {expected}")]
    WrongDiscriminator { what: &'static str, expected: String, found: String },
    #[error("unknown discriminator {0} for program {1}")]
    UnknownInstruction(String, &'static str),
    #[error("{what}: borsh decoding failed: {reason}")]
    Borsh { what: &'static str, reason: String },
    #[error("{what}: unexpected data length {len}")]
    UnexpectedLength { what: &'static str, len: usize },
    #[error("invalid CID: {0}")]
    InvalidCid(String),
}

pub(crate) fn hex8(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
