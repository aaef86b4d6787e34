//! Instruction builders, as a client SDK would write them: the right accounts, in the right
//! order, with the declared flags.

pub mod jobs;
pub mod nodes;
pub mod pools;
pub mod rewards;
pub mod spl;
pub mod staking;
