//! `nosana_jobs` instructions.

use crate::error::LayoutError;
use crate::instruction::{InstructionSpec, Reader, Writer, acc, find_spec};

pub const OPEN: InstructionSpec = InstructionSpec {
    name: "open",
    discriminator: [228, 220, 155, 71, 199, 189, 60, 45],
    accounts: &[
        acc("mint", false, false),
        acc("market", true, true),
        acc("vault", true, false),
        acc("authority", true, true),
        acc("access_key", false, false),
        acc("rent", false, false),
        acc("system_program", false, false),
        acc("token_program", false, false),
    ],
};
pub const UPDATE: InstructionSpec = InstructionSpec {
    name: "update",
    discriminator: [219, 200, 88, 176, 158, 63, 253, 127],
    accounts: &[acc("market", true, false), acc("access_key", false, false), acc("authority", false, true)],
};
pub const CLOSE: InstructionSpec = InstructionSpec {
    name: "close",
    discriminator: [98, 165, 201, 177, 108, 65, 206, 96],
    accounts: &[
        acc("market", true, false),
        acc("vault", true, false),
        acc("user", true, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
pub const CLOSE_ADMIN: InstructionSpec = InstructionSpec {
    name: "close_admin",
    discriminator: [202, 182, 185, 142, 208, 161, 145, 189],
    accounts: &[
        acc("market", true, false),
        acc("vault", true, false),
        acc("user", true, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
pub const ASSIGN: InstructionSpec = InstructionSpec {
    name: "assign",
    discriminator: [73, 66, 125, 203, 81, 41, 64, 135],
    accounts: &[
        acc("job", true, true),
        acc("market", true, false),
        acc("run", true, true),
        acc("node", false, false),
        acc("user", true, false),
        acc("vault", true, false),
        acc("payer", true, true),
        acc("rewards_reflection", true, false),
        acc("rewards_vault", true, false),
        acc("authority", false, true),
        acc("rewards_program", false, false),
        acc("token_program", false, false),
        acc("system_program", false, false),
    ],
};
pub const LIST: InstructionSpec = InstructionSpec {
    name: "list",
    discriminator: [54, 174, 193, 67, 17, 41, 132, 38],
    accounts: &[
        acc("job", true, true),
        acc("market", true, false),
        acc("run", true, true),
        acc("user", true, false),
        acc("vault", true, false),
        acc("payer", true, true),
        acc("rewards_reflection", true, false),
        acc("rewards_vault", true, false),
        acc("authority", false, true),
        acc("rewards_program", false, false),
        acc("token_program", false, false),
        acc("system_program", false, false),
    ],
};
pub const DELIST: InstructionSpec = InstructionSpec {
    name: "delist",
    discriminator: [55, 136, 205, 107, 107, 173, 4, 31],
    accounts: &[
        acc("job", true, false),
        acc("market", true, false),
        acc("deposit", true, false),
        acc("payer", true, false),
        acc("vault", true, false),
        acc("token_program", false, false),
        acc("authority", true, true),
    ],
};
pub const RECOVER: InstructionSpec = InstructionSpec {
    name: "recover",
    discriminator: [108, 216, 38, 58, 109, 146, 116, 17],
    accounts: &[
        acc("job", true, false),
        acc("market", false, false),
        acc("vault", true, false),
        acc("user", true, false),
        acc("payer", true, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
pub const EXTEND: InstructionSpec = InstructionSpec {
    name: "extend",
    discriminator: [228, 127, 0, 1, 227, 154, 54, 168],
    accounts: &[
        acc("job", true, false),
        acc("market", false, false),
        acc("user", true, false),
        acc("vault", true, false),
        acc("rewards_reflection", true, false),
        acc("rewards_vault", true, false),
        acc("authority", false, true),
        acc("payer", false, true),
        acc("rewards_program", false, false),
        acc("token_program", false, false),
    ],
};
pub const END: InstructionSpec = InstructionSpec {
    name: "end",
    discriminator: [180, 160, 249, 217, 194, 121, 70, 16],
    accounts: &[
        acc("job", true, false),
        acc("market", false, false),
        acc("run", true, false),
        acc("deposit", true, false),
        acc("user", true, false),
        acc("vault", true, false),
        acc("payer", true, false),
        acc("authority", true, true),
        acc("token_program", false, false),
    ],
};
pub const WORK: InstructionSpec = InstructionSpec {
    name: "work",
    discriminator: [15, 67, 45, 195, 215, 137, 229, 47],
    accounts: &[
        acc("run", true, true),
        acc("market", true, false),
        acc("payer", true, true),
        acc("stake", false, false),
        acc("nft", false, false),
        acc("metadata", false, false),
        acc("authority", false, true),
        acc("system_program", false, false),
    ],
};
pub const STOP: InstructionSpec = InstructionSpec {
    name: "stop",
    discriminator: [42, 133, 32, 60, 171, 253, 184, 155],
    accounts: &[acc("market", true, false), acc("node", false, false), acc("authority", false, true)],
};
pub const CLAIM: InstructionSpec = InstructionSpec {
    name: "claim",
    discriminator: [62, 198, 214, 193, 213, 159, 108, 210],
    accounts: &[
        acc("job", true, false),
        acc("run", true, true),
        acc("market", false, false),
        acc("stake", false, false),
        acc("nft", false, false),
        acc("metadata", false, false),
        acc("payer", true, true),
        acc("authority", false, true),
        acc("system_program", false, false),
    ],
};
pub const COMPLETE: InstructionSpec = InstructionSpec {
    name: "complete",
    discriminator: [0, 77, 224, 147, 136, 25, 88, 76],
    accounts: &[acc("job", true, false), acc("authority", false, true)],
};
pub const FINISH: InstructionSpec = InstructionSpec {
    name: "finish",
    discriminator: [67, 74, 170, 132, 125, 233, 182, 37],
    accounts: &[
        acc("job", true, false),
        acc("run", true, false),
        acc("market", false, false),
        acc("vault", true, false),
        acc("deposit", true, false),
        acc("user", true, false),
        acc("payer_run", true, false),
        acc("payer_job", true, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
pub const QUIT: InstructionSpec = InstructionSpec {
    name: "quit",
    discriminator: [191, 103, 141, 240, 80, 129, 103, 153],
    accounts: &[
        acc("job", true, false),
        acc("run", true, false),
        acc("payer", true, false),
        acc("authority", false, true),
    ],
};
pub const QUIT_ADMIN: InstructionSpec = InstructionSpec {
    name: "quit_admin",
    discriminator: [103, 238, 110, 8, 182, 20, 56, 196],
    accounts: &[acc("run", true, false), acc("payer", true, false), acc("authority", false, true)],
};
pub const CLEAN: InstructionSpec = InstructionSpec {
    name: "clean",
    discriminator: [250, 191, 56, 128, 150, 251, 1, 103],
    accounts: &[acc("job", true, false), acc("market", false, false), acc("payer", true, false)],
};
pub const CLEAN_ADMIN: InstructionSpec = InstructionSpec {
    name: "clean_admin",
    discriminator: [245, 90, 188, 68, 253, 235, 171, 105],
    accounts: &[acc("job", true, false), acc("payer", true, false), acc("authority", false, true)],
};
pub const ALL: &[InstructionSpec] = &[
    OPEN,
    UPDATE,
    CLOSE,
    CLOSE_ADMIN,
    ASSIGN,
    LIST,
    DELIST,
    RECOVER,
    EXTEND,
    END,
    WORK,
    STOP,
    CLAIM,
    COMPLETE,
    FINISH,
    QUIT,
    QUIT_ADMIN,
    CLEAN,
    CLEAN_ADMIN,
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobsInstruction {
    Open {
        job_expiration: i64,
        job_price: u64,
        job_timeout: i64,
        job_type: u8,
        node_xnos_minimum: u128,
    },
    /// Argument order differs from `open`. `job_timeout` is `None` in the pre-2024-11 variant.
    Update {
        job_expiration: i64,
        job_price: u64,
        job_type: u8,
        node_stake_minimum: u128,
        job_timeout: Option<i64>,
    },
    Close,
    CloseAdmin,
    Assign {
        ipfs_job: [u8; 32],
        timeout: i64,
    },
    /// `timeout` is `None` in the pre-2024-11 variant (40 bytes of data).
    List {
        ipfs_job: [u8; 32],
        timeout: Option<i64>,
    },
    Delist,
    Recover,
    /// The new absolute timeout.
    Extend {
        timeout: i64,
    },
    End,
    Work,
    Stop,
    Claim,
    Complete {
        ipfs_result: [u8; 32],
    },
    Finish {
        ipfs_result: [u8; 32],
    },
    Quit,
    QuitAdmin,
    Clean,
    CleanAdmin,
}

impl JobsInstruction {
    pub fn spec(&self) -> &'static InstructionSpec {
        use JobsInstruction::*;
        match self {
            Open { .. } => &OPEN,
            Update { .. } => &UPDATE,
            Close => &CLOSE,
            CloseAdmin => &CLOSE_ADMIN,
            Assign { .. } => &ASSIGN,
            List { .. } => &LIST,
            Delist => &DELIST,
            Recover => &RECOVER,
            Extend { .. } => &EXTEND,
            End => &END,
            Work => &WORK,
            Stop => &STOP,
            Claim => &CLAIM,
            Complete { .. } => &COMPLETE,
            Finish { .. } => &FINISH,
            Quit => &QUIT,
            QuitAdmin => &QUIT_ADMIN,
            Clean => &CLEAN,
            CleanAdmin => &CLEAN_ADMIN,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        use JobsInstruction::*;
        let w = Writer::new(self.spec().discriminator);
        match self {
            Open { job_expiration, job_price, job_timeout, job_type, node_xnos_minimum } => w
                .bytes(&job_expiration.to_le_bytes())
                .bytes(&job_price.to_le_bytes())
                .bytes(&job_timeout.to_le_bytes())
                .bytes(&[*job_type])
                .bytes(&node_xnos_minimum.to_le_bytes()),
            Update { job_expiration, job_price, job_type, node_stake_minimum, job_timeout } => {
                let w = w
                    .bytes(&job_expiration.to_le_bytes())
                    .bytes(&job_price.to_le_bytes())
                    .bytes(&[*job_type])
                    .bytes(&node_stake_minimum.to_le_bytes());
                match job_timeout {
                    Some(t) => w.bytes(&t.to_le_bytes()),
                    None => w,
                }
            }
            Assign { ipfs_job, timeout } => w.bytes(ipfs_job).bytes(&timeout.to_le_bytes()),
            List { ipfs_job, timeout } => {
                let w = w.bytes(ipfs_job);
                match timeout {
                    Some(t) => w.bytes(&t.to_le_bytes()),
                    None => w,
                }
            }
            Extend { timeout } => w.bytes(&timeout.to_le_bytes()),
            Complete { ipfs_result } | Finish { ipfs_result } => w.bytes(ipfs_result),
            Close | CloseAdmin | Delist | Recover | End | Work | Stop | Claim | Quit | QuitAdmin | Clean
            | CleanAdmin => w,
        }
        .0
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        use JobsInstruction::*;
        let spec = find_spec(ALL, "nosana_jobs", data)?;
        let mut r = Reader::new(spec.name, &data[8..]);
        Ok(match spec.name {
            "open" => Open {
                job_expiration: r.i64()?,
                job_price: r.u64()?,
                job_timeout: r.i64()?,
                job_type: r.u8()?,
                node_xnos_minimum: r.u128()?,
            },
            "update" => Update {
                job_expiration: r.i64()?,
                job_price: r.u64()?,
                job_type: r.u8()?,
                node_stake_minimum: r.u128()?,
                job_timeout: if r.remaining() >= 8 { Some(r.i64()?) } else { None },
            },
            "close" => Close,
            "close_admin" => CloseAdmin,
            "assign" => Assign { ipfs_job: r.bytes32()?, timeout: r.i64()? },
            "list" => List { ipfs_job: r.bytes32()?, timeout: if r.remaining() >= 8 { Some(r.i64()?) } else { None } },
            "delist" => Delist,
            "recover" => Recover,
            "extend" => Extend { timeout: r.i64()? },
            "end" => End,
            "work" => Work,
            "stop" => Stop,
            "claim" => Claim,
            "complete" => Complete { ipfs_result: r.bytes32()? },
            "finish" => Finish { ipfs_result: r.bytes32()? },
            "quit" => Quit,
            "quit_admin" => QuitAdmin,
            "clean" => Clean,
            _ => CleanAdmin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cid::cid_to_bytes;

    #[test]
    fn the_worked_list_example_encodes_to_the_spec_bytes() {
        let ipfs_job = cid_to_bytes("QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p").unwrap();
        let data = JobsInstruction::List { ipfs_job, timeout: Some(3600) }.encode();
        let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "36aec14311298426\
             6f0c3510aad26f365f225f9026b1ada7a85b81304a07f4cd0977b4369fb38605\
             100e000000000000"
        );
        assert_eq!(JobsInstruction::decode(&data).unwrap(), JobsInstruction::List { ipfs_job, timeout: Some(3600) });
    }

    #[test]
    fn a_legacy_list_without_timeout_decodes() {
        let data = JobsInstruction::List { ipfs_job: [7; 32], timeout: None }.encode();
        assert_eq!(data.len(), 40);
        assert_eq!(JobsInstruction::decode(&data).unwrap(), JobsInstruction::List { ipfs_job: [7; 32], timeout: None });
    }

    #[test]
    fn truncated_arguments_are_an_error_not_a_panic() {
        let data = JobsInstruction::Extend { timeout: 5 }.encode();
        assert!(JobsInstruction::decode(&data[..12]).is_err());
    }
}
