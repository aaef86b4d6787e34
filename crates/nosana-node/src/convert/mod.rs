//! Conversions from the reference chain's types to the shapes Solana clients expect.

pub mod error;
