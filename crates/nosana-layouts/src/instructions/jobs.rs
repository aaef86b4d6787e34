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
/// `finish` as the Dec-2024..Jul-2025 program declared it, before the payer split (`17bc9df`):
/// one `payer` and the `project`, with `deposit` = ATA(project) (spec §2.4.15, §2.8). Ten
/// accounts like the current list, so only the block time tells them apart. The flags mirror
/// the current list's counterparts.
pub const FINISH_2024_12: InstructionSpec = InstructionSpec {
    name: "finish",
    discriminator: FINISH.discriminator,
    accounts: &[
        acc("job", true, false),
        acc("run", true, false),
        acc("market", false, false),
        acc("vault", true, false),
        acc("deposit", true, false),
        acc("user", true, false),
        acc("payer", true, false),
        acc("project", false, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};
/// `finish` as the published (hand-edited) kit and SDK IDLs list it: eleven accounts with
/// `payer_job` before `payer_run` and a `project` (spec §2.4.15). Clients generated from that
/// IDL send this order.
pub const FINISH_KIT_IDL: InstructionSpec = InstructionSpec {
    name: "finish",
    discriminator: FINISH.discriminator,
    accounts: &[
        acc("job", true, false),
        acc("run", true, false),
        acc("market", false, false),
        acc("vault", true, false),
        acc("deposit", true, false),
        acc("user", true, false),
        acc("payer_job", true, false),
        acc("payer_run", true, false),
        acc("project", true, false),
        acc("authority", false, true),
        acc("token_program", false, false),
    ],
};

/// 2025-07-11 00:00 UTC: the payer split (`17bc9df`) gave `finish` its current account list.
/// The deploy date is not known more precisely (spec §2.4.15 [UNCERTAIN]).
pub const PAYER_SPLIT_TIME: i64 = 1_752_192_000;
/// 2024-11-14 00:00 UTC (`bbad8ea`): `list` gained `timeout` and `update` a trailing `job_timeout`.
pub const TIMEOUT_ARGS_TIME: i64 = 1_731_542_400;
/// 2023-09-01 00:00 UTC: before this month `update` carried `job_timeout` third (spec §2.8
/// gives the month only).
pub const UPDATE_TIMEOUT_THIRD_UNTIL: i64 = 1_693_526_400;
/// 2022-10-01 00:00 UTC: before this month `update`'s minimum stake was a u64 (spec §2.8 gives
/// the month only).
pub const UPDATE_U64_MINIMUM_UNTIL: i64 = 1_664_582_400;

/// The account list of a `finish` with `accounts` keys in a block of `unix_time` (0 when
/// unknown): eleven or more keys follow the kit IDL; ten keys before [`PAYER_SPLIT_TIME`]
/// follow [`FINISH_2024_12`]; otherwise the current [`FINISH`].
pub fn finish_spec(accounts: usize, unix_time: i64) -> &'static InstructionSpec {
    if accounts >= FINISH_KIT_IDL.accounts.len() {
        &FINISH_KIT_IDL
    } else if unix_time > 0 && unix_time < PAYER_SPLIT_TIME {
        &FINISH_2024_12
    } else {
        &FINISH
    }
}

/// The argument orders `update` had over time (spec §2.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateLayout {
    /// Since 2024-11-14: expiration i64, price u64, type u8, minimum u128, timeout i64 (41 bytes).
    Current,
    /// 2023-09 to 2024-11-14: expiration i64, price u64, type u8, minimum u128 (33 bytes).
    WithoutTimeout,
    /// 2022-10 to 2023-09: expiration i64, price u64, timeout i64, type u8, minimum u128 (41 bytes).
    TimeoutThird,
    /// Before 2022-10: expiration i64, price u64, timeout i64, type u8, minimum u64 (33 bytes).
    TimeoutThirdU64Minimum,
}

impl UpdateLayout {
    /// Bytes of arguments after the discriminator.
    pub fn args_len(self) -> usize {
        match self {
            UpdateLayout::Current | UpdateLayout::TimeoutThird => 41,
            UpdateLayout::WithoutTimeout | UpdateLayout::TimeoutThirdU64Minimum => 33,
        }
    }

    /// The layout of `args_len` argument bytes in a block of `unix_time` (0 when unknown). The
    /// era decides when its length matches; otherwise the length does (41 current, else the
    /// 33-byte form of 2023-09..2024-11), since the two eras of each length cannot be told
    /// apart by their bytes.
    pub fn at(unix_time: i64, args_len: usize) -> Self {
        let era = match unix_time {
            t if t <= 0 || t >= TIMEOUT_ARGS_TIME => UpdateLayout::Current,
            t if t >= UPDATE_TIMEOUT_THIRD_UNTIL => UpdateLayout::WithoutTimeout,
            t if t >= UPDATE_U64_MINIMUM_UNTIL => UpdateLayout::TimeoutThird,
            _ => UpdateLayout::TimeoutThirdU64Minimum,
        };
        if era.args_len() == args_len {
            era
        } else if args_len >= 41 {
            UpdateLayout::Current
        } else {
            UpdateLayout::WithoutTimeout
        }
    }
}

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
    /// Argument order differs from `open`. `job_timeout` is `None` in the 2023-09..2024-11
    /// variant; the older orders ([`UpdateLayout`]) decode into the same fields.
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

    /// Decodes with the current program's layouts (an `update` of 41 or 33 argument bytes as
    /// [`UpdateLayout::Current`] or [`UpdateLayout::WithoutTimeout`]).
    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        Self::decode_at(data, 0)
    }

    /// Decodes an instruction from a block of `unix_time` (0 when unknown): as [`decode`], except
    /// that `update` follows the argument order of its era ([`UpdateLayout::at`]).
    ///
    /// [`decode`]: JobsInstruction::decode
    pub fn decode_at(data: &[u8], unix_time: i64) -> Result<Self, LayoutError> {
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
            "update" => decode_update(&mut r, UpdateLayout::at(unix_time, data.len() - 8))?,
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

/// `update`'s arguments in `layout`.
fn decode_update(r: &mut Reader<'_>, layout: UpdateLayout) -> Result<JobsInstruction, LayoutError> {
    let (job_expiration, job_price) = (r.i64()?, r.u64()?);
    Ok(match layout {
        UpdateLayout::Current | UpdateLayout::WithoutTimeout => {
            let (job_type, node_stake_minimum) = (r.u8()?, r.u128()?);
            let job_timeout = if layout == UpdateLayout::Current { Some(r.i64()?) } else { None };
            JobsInstruction::Update { job_expiration, job_price, job_type, node_stake_minimum, job_timeout }
        }
        UpdateLayout::TimeoutThird | UpdateLayout::TimeoutThirdU64Minimum => {
            let (job_timeout, job_type) = (r.i64()?, r.u8()?);
            let node_stake_minimum =
                if layout == UpdateLayout::TimeoutThird { r.u128()? } else { u128::from(r.u64()?) };
            JobsInstruction::Update {
                job_expiration,
                job_price,
                job_type,
                node_stake_minimum,
                job_timeout: Some(job_timeout),
            }
        }
    })
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

    /// Argument bytes of an `update` in the given order: expiration 86400, price 43, type 4,
    /// minimum 1000, timeout 7200 (when the layout has one).
    fn update_args(layout: UpdateLayout) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&86_400i64.to_le_bytes());
        out.extend_from_slice(&43u64.to_le_bytes());
        match layout {
            UpdateLayout::Current | UpdateLayout::WithoutTimeout => {
                out.push(4);
                out.extend_from_slice(&1_000u128.to_le_bytes());
                if layout == UpdateLayout::Current {
                    out.extend_from_slice(&7_200i64.to_le_bytes());
                }
            }
            UpdateLayout::TimeoutThird | UpdateLayout::TimeoutThirdU64Minimum => {
                out.extend_from_slice(&7_200i64.to_le_bytes());
                out.push(4);
                if layout == UpdateLayout::TimeoutThird {
                    out.extend_from_slice(&1_000u128.to_le_bytes());
                } else {
                    out.extend_from_slice(&1_000u64.to_le_bytes());
                }
            }
        }
        assert_eq!(out.len(), layout.args_len());
        out
    }

    #[test]
    fn every_historic_update_argument_order_decodes_in_its_era() {
        // Spec §2.8: one block time inside each era.
        let eras = [
            (UpdateLayout::Current, 1_760_000_000, Some(7_200)),
            (UpdateLayout::WithoutTimeout, 1_710_000_000, None),
            (UpdateLayout::TimeoutThird, 1_680_000_000, Some(7_200)),
            (UpdateLayout::TimeoutThirdU64Minimum, 1_650_000_000, Some(7_200)),
        ];
        for (layout, time, job_timeout) in eras {
            let mut data = UPDATE.discriminator.to_vec();
            data.extend(update_args(layout));
            assert_eq!(UpdateLayout::at(time, data.len() - 8), layout);
            let expected = JobsInstruction::Update {
                job_expiration: 86_400,
                job_price: 43,
                job_type: 4,
                node_stake_minimum: 1_000,
                job_timeout,
            };
            assert_eq!(JobsInstruction::decode_at(&data, time).unwrap(), expected, "{layout:?}");
        }
    }

    #[test]
    fn an_update_of_unknown_time_decodes_by_its_length() {
        let mut data = UPDATE.discriminator.to_vec();
        data.extend(update_args(UpdateLayout::WithoutTimeout));
        assert!(matches!(JobsInstruction::decode(&data).unwrap(), JobsInstruction::Update { job_timeout: None, .. }));
        // A 41-byte update in the 33-byte era is read by its length, as the current order.
        assert_eq!(UpdateLayout::at(1_710_000_000, 41), UpdateLayout::Current);
        assert_eq!(UpdateLayout::at(0, 33), UpdateLayout::WithoutTimeout);
    }

    #[test]
    fn the_finish_account_list_follows_the_key_count_and_the_block_time() {
        assert_eq!(finish_spec(10, 0).accounts, FINISH.accounts);
        assert_eq!(finish_spec(10, PAYER_SPLIT_TIME + 1).accounts, FINISH.accounts);
        assert_eq!(finish_spec(10, PAYER_SPLIT_TIME - 1).accounts, FINISH_2024_12.accounts);
        assert_eq!(finish_spec(11, 0).accounts, FINISH_KIT_IDL.accounts);
        let names = |s: &InstructionSpec| s.accounts.iter().map(|a| a.name).collect::<Vec<_>>();
        // Spec §2.4.15: the Dec-2024 list and the kit IDL's hand-edited list.
        assert_eq!(
            names(&FINISH_2024_12),
            ["job", "run", "market", "vault", "deposit", "user", "payer", "project", "authority", "token_program"]
        );
        assert_eq!(
            names(&FINISH_KIT_IDL),
            [
                "job",
                "run",
                "market",
                "vault",
                "deposit",
                "user",
                "payer_job",
                "payer_run",
                "project",
                "authority",
                "token_program"
            ]
        );
    }

    #[test]
    fn truncated_arguments_are_an_error_not_a_panic() {
        let data = JobsInstruction::Extend { timeout: 5 }.encode();
        assert!(JobsInstruction::decode(&data[..12]).is_err());
    }
}
