//! `nosana_staking` instructions.

use crate::error::LayoutError;
use crate::instruction::{InstructionSpec, Reader, Writer, acc, find_spec};

pub const INIT: InstructionSpec = InstructionSpec {
    name: "init",
    discriminator: [220, 59, 207, 236, 108, 250, 47, 100],
    accounts: &[
        acc("settings", true, false),
        acc("authority", true, true),
        acc("system_program", false, false),
        acc("rent", false, false),
    ],
};
pub const STAKE: InstructionSpec = InstructionSpec {
    name: "stake",
    discriminator: [206, 176, 202, 18, 200, 209, 179, 108],
    accounts: &[
        acc("mint", false, false),
        acc("user", true, false),
        acc("vault", true, false),
        acc("stake", true, false),
        acc("authority", true, true),
        acc("system_program", false, false),
        acc("token_program", false, false),
        acc("rent", false, false),
    ],
};
pub const UNSTAKE: InstructionSpec = InstructionSpec {
    name: "unstake",
    discriminator: [90, 95, 107, 42, 205, 124, 50, 225],
    accounts: &[acc("stake", true, false), acc("reward", false, false), acc("authority", false, true)],
};
pub const RESTAKE: InstructionSpec = InstructionSpec {
    name: "restake",
    discriminator: [97, 161, 241, 167, 6, 32, 213, 53],
    accounts: &[acc("vault", true, false), acc("stake", true, false), acc("authority", false, true)],
};
pub const TOPUP: InstructionSpec = InstructionSpec {
    name: "topup",
    discriminator: [126, 42, 49, 78, 225, 151, 99, 77],
    accounts: &[
        acc("user", true, false),
        acc("vault", true, false),
        acc("stake", true, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
pub const EXTEND: InstructionSpec = InstructionSpec {
    name: "extend",
    discriminator: [228, 127, 0, 1, 227, 154, 54, 168],
    accounts: &[acc("stake", true, false), acc("authority", false, true)],
};
pub const CLOSE: InstructionSpec = InstructionSpec {
    name: "close",
    discriminator: [98, 165, 201, 177, 108, 65, 206, 96],
    accounts: &[
        acc("user", true, false),
        acc("stake", true, false),
        acc("vault", true, false),
        acc("authority", true, true),
        acc("token_program", false, false),
    ],
};
pub const WITHDRAW: InstructionSpec = InstructionSpec {
    name: "withdraw",
    discriminator: [183, 18, 70, 156, 148, 109, 161, 34],
    accounts: &[
        acc("user", true, false),
        acc("vault", true, false),
        acc("stake", true, false),
        acc("authority", true, true),
        acc("token_program", false, false),
    ],
};
pub const SLASH: InstructionSpec = InstructionSpec {
    name: "slash",
    discriminator: [204, 141, 18, 161, 8, 177, 92, 142],
    accounts: &[
        acc("vault", true, false),
        acc("stake", true, false),
        acc("token_account", true, false),
        acc("settings", false, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
pub const UPDATE_SETTINGS: InstructionSpec = InstructionSpec {
    name: "update_settings",
    discriminator: [81, 166, 51, 213, 158, 84, 157, 108],
    accounts: &[
        acc("new_authority", false, false),
        acc("token_account", false, false),
        acc("settings", true, false),
        acc("authority", false, true),
    ],
};
pub const ALL: &[InstructionSpec] =
    &[INIT, STAKE, UNSTAKE, RESTAKE, TOPUP, EXTEND, CLOSE, WITHDRAW, SLASH, UPDATE_SETTINGS];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StakingInstruction {
    Init,
    /// `duration` is a u128 argument, stored as u64.
    Stake {
        amount: u64,
        duration: u128,
    },
    Unstake,
    Restake,
    Topup {
        amount: u64,
    },
    Extend {
        duration: u64,
    },
    Close,
    Withdraw,
    Slash {
        amount: u64,
    },
    UpdateSettings,
}

impl StakingInstruction {
    pub fn spec(&self) -> &'static InstructionSpec {
        use StakingInstruction::*;
        match self {
            Init => &INIT,
            Stake { .. } => &STAKE,
            Unstake => &UNSTAKE,
            Restake => &RESTAKE,
            Topup { .. } => &TOPUP,
            Extend { .. } => &EXTEND,
            Close => &CLOSE,
            Withdraw => &WITHDRAW,
            Slash { .. } => &SLASH,
            UpdateSettings => &UPDATE_SETTINGS,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        use StakingInstruction::*;
        let w = Writer::new(self.spec().discriminator);
        match self {
            Stake { amount, duration } => w.bytes(&amount.to_le_bytes()).bytes(&duration.to_le_bytes()),
            Topup { amount } | Slash { amount } => w.bytes(&amount.to_le_bytes()),
            Extend { duration } => w.bytes(&duration.to_le_bytes()),
            Init | Unstake | Restake | Close | Withdraw | UpdateSettings => w,
        }
        .0
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        use StakingInstruction::*;
        let spec = find_spec(ALL, "nosana_staking", data)?;
        let mut r = Reader::new(spec.name, &data[8..]);
        Ok(match spec.name {
            "init" => Init,
            "stake" => Stake { amount: r.u64()?, duration: r.u128()? },
            "unstake" => Unstake,
            "restake" => Restake,
            "topup" => Topup { amount: r.u64()? },
            "extend" => Extend { duration: r.u64()? },
            "close" => Close,
            "withdraw" => Withdraw,
            "slash" => Slash { amount: r.u64()? },
            _ => UpdateSettings,
        })
    }
}
