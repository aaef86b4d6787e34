//! `nosana_pools` instructions.

use crate::error::LayoutError;
use crate::instruction::{InstructionSpec, Reader, Writer, acc, find_spec};

pub const OPEN: InstructionSpec = InstructionSpec {
    name: "open",
    discriminator: [228, 220, 155, 71, 199, 189, 60, 45],
    accounts: &[
        acc("pool", true, true),
        acc("vault", true, false),
        acc("beneficiary", false, false),
        acc("authority", true, true),
        acc("mint", false, false),
        acc("system_program", false, false),
        acc("token_program", false, false),
        acc("rent", false, false),
    ],
};
pub const CLAIM_FEE: InstructionSpec = InstructionSpec {
    name: "claim_fee",
    discriminator: [169, 32, 79, 137, 136, 232, 70, 137],
    accounts: &[
        acc("vault", true, false),
        acc("rewards_reflection", true, false),
        acc("rewards_vault", true, false),
        acc("pool", true, false),
        acc("authority", true, true),
        acc("token_program", false, false),
        acc("rewards_program", false, false),
    ],
};
pub const CLAIM_TRANSFER: InstructionSpec = InstructionSpec {
    name: "claim_transfer",
    discriminator: [202, 178, 58, 190, 230, 234, 229, 17],
    accounts: &[
        acc("vault", true, false),
        acc("beneficiary", true, false),
        acc("pool", true, false),
        acc("authority", true, true),
        acc("token_program", false, false),
    ],
};
pub const CLOSE: InstructionSpec = InstructionSpec {
    name: "close",
    discriminator: [98, 165, 201, 177, 108, 65, 206, 96],
    accounts: &[
        acc("vault", true, false),
        acc("user", true, false),
        acc("pool", true, false),
        acc("authority", true, true),
        acc("token_program", false, false),
    ],
};
pub const UPDATE_BENEFICIARY: InstructionSpec = InstructionSpec {
    name: "update_beneficiary",
    discriminator: [126, 122, 219, 70, 188, 126, 243, 126],
    accounts: &[
        acc("beneficiary", false, false),
        acc("new_beneficiary", false, false),
        acc("pool", true, false),
        acc("authority", true, true),
        acc("token_program", false, false),
    ],
};
pub const ALL: &[InstructionSpec] = &[OPEN, CLAIM_FEE, CLAIM_TRANSFER, CLOSE, UPDATE_BENEFICIARY];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolsInstruction {
    Open { emission: u64, start_time: i64, claim_type: u8, closeable: bool },
    ClaimFee,
    ClaimTransfer,
    Close,
    UpdateBeneficiary,
}

impl PoolsInstruction {
    pub fn spec(&self) -> &'static InstructionSpec {
        use PoolsInstruction::*;
        match self {
            Open { .. } => &OPEN,
            ClaimFee => &CLAIM_FEE,
            ClaimTransfer => &CLAIM_TRANSFER,
            Close => &CLOSE,
            UpdateBeneficiary => &UPDATE_BENEFICIARY,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        use PoolsInstruction::*;
        let w = Writer::new(self.spec().discriminator);
        match self {
            Open { emission, start_time, claim_type, closeable } => w
                .bytes(&emission.to_le_bytes())
                .bytes(&start_time.to_le_bytes())
                .bytes(&[*claim_type, *closeable as u8]),
            ClaimFee | ClaimTransfer | Close | UpdateBeneficiary => w,
        }
        .0
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        use PoolsInstruction::*;
        let spec = find_spec(ALL, "nosana_pools", data)?;
        let mut r = Reader::new(spec.name, &data[8..]);
        Ok(match spec.name {
            "open" => Open { emission: r.u64()?, start_time: r.i64()?, claim_type: r.u8()?, closeable: r.bool()? },
            "claim_fee" => ClaimFee,
            "claim_transfer" => ClaimTransfer,
            "close" => Close,
            _ => UpdateBeneficiary,
        })
    }
}
