//! `nosana_rewards` instructions.

use crate::error::LayoutError;
use crate::instruction::{InstructionSpec, Reader, Writer, acc, find_spec};

pub const INIT: InstructionSpec = InstructionSpec {
    name: "init",
    discriminator: [220, 59, 207, 236, 108, 250, 47, 100],
    accounts: &[
        acc("mint", false, false),
        acc("reflection", true, false),
        acc("vault", true, false),
        acc("authority", true, true),
        acc("system_program", false, false),
        acc("token_program", false, false),
        acc("rent", false, false),
    ],
};
pub const ENTER: InstructionSpec = InstructionSpec {
    name: "enter",
    discriminator: [139, 49, 209, 114, 88, 91, 77, 134],
    accounts: &[
        acc("reflection", true, false),
        acc("stake", false, false),
        acc("reward", true, false),
        acc("authority", true, true),
        acc("system_program", false, false),
    ],
};
pub const ADD_FEE: InstructionSpec = InstructionSpec {
    name: "add_fee",
    discriminator: [67, 225, 189, 212, 253, 123, 76, 112],
    accounts: &[
        acc("user", true, false),
        acc("reflection", true, false),
        acc("vault", true, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
pub const CLAIM: InstructionSpec = InstructionSpec {
    name: "claim",
    discriminator: [62, 198, 214, 193, 213, 159, 108, 210],
    accounts: &[
        acc("user", true, false),
        acc("vault", true, false),
        acc("reflection", true, false),
        acc("reward", true, false),
        acc("stake", false, false),
        acc("authority", true, true),
        acc("token_program", false, false),
    ],
};
pub const SYNC: InstructionSpec = InstructionSpec {
    name: "sync",
    discriminator: [4, 219, 40, 164, 21, 157, 189, 88],
    accounts: &[acc("reward", true, false), acc("stake", false, false), acc("reflection", true, false)],
};
pub const CLOSE: InstructionSpec = InstructionSpec {
    name: "close",
    discriminator: [98, 165, 201, 177, 108, 65, 206, 96],
    accounts: &[acc("reflection", true, false), acc("reward", true, false), acc("authority", true, true)],
};
pub const ALL: &[InstructionSpec] = &[INIT, ENTER, ADD_FEE, CLAIM, SYNC, CLOSE];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RewardsInstruction {
    Init,
    Enter,
    AddFee { amount: u64 },
    Claim,
    Sync,
    Close,
}

impl RewardsInstruction {
    pub fn spec(&self) -> &'static InstructionSpec {
        use RewardsInstruction::*;
        match self {
            Init => &INIT,
            Enter => &ENTER,
            AddFee { .. } => &ADD_FEE,
            Claim => &CLAIM,
            Sync => &SYNC,
            Close => &CLOSE,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        use RewardsInstruction::*;
        let w = Writer::new(self.spec().discriminator);
        match self {
            AddFee { amount } => w.bytes(&amount.to_le_bytes()),
            Init | Enter | Claim | Sync | Close => w,
        }
        .0
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        use RewardsInstruction::*;
        let spec = find_spec(ALL, "nosana_rewards", data)?;
        let mut r = Reader::new(spec.name, &data[8..]);
        Ok(match spec.name {
            "init" => Init,
            "enter" => Enter,
            "add_fee" => AddFee { amount: r.u64()? },
            "claim" => Claim,
            "sync" => Sync,
            _ => Close,
        })
    }
}
