//! What a driver (the simulation) asks the chain to include.

use std::sync::Arc;

use nosana_reference::Instruction;

use crate::keys::Keypair;

/// The wire format of a transaction's message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageVersion {
    #[default]
    Legacy,
    /// Versioned message v0 (no address lookup tables).
    V0,
}

/// A transaction to sign and execute: `payer` pays the fee and signs first; every other key the
/// instructions mark as signer must have its keypair in `signers`.
#[derive(Clone)]
pub struct TxRequest {
    pub payer: Arc<Keypair>,
    pub signers: Vec<Arc<Keypair>>,
    pub instructions: Vec<Instruction>,
    pub version: MessageVersion,
}

impl std::fmt::Debug for TxRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use solana_signer::Signer;
        f.debug_struct("TxRequest")
            .field("payer", &self.payer.pubkey())
            .field("signers", &self.signers.iter().map(|k| k.pubkey()).collect::<Vec<_>>())
            .field("instructions", &self.instructions.len())
            .field("version", &self.version)
            .finish()
    }
}
