//! The JSON-RPC and off-chain HTTP server against real blocks: a chain over the reference
//! genesis, signed NOS transfers (legacy and v0, one failing), a skipped slot, a dead fork and
//! slots at every commitment, served on 127.0.0.1 and queried over HTTP.

mod bench;
mod blocks;
mod errors;
mod offchain;
mod state;
mod world;
