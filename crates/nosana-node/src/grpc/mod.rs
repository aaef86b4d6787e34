//! The Yellowstone ("Dragon's Mouth") Geyser gRPC server.

pub mod convert;
pub mod filter;
