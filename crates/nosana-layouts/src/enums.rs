//! The u8 "enums" the programs store raw. Values are the on-chain numbers, not IDL ordinals.

/// `JobAccount.state`. `Running` (1) is virtual: state 0 with a live RunAccount.
pub mod job_state {
    pub const QUEUED: u8 = 0;
    pub const RUNNING: u8 = 1;
    pub const DONE: u8 = 2;
    pub const STOPPED: u8 = 3;

    pub fn name(state: u8) -> &'static str {
        match state {
            QUEUED => "queued",
            RUNNING => "running",
            DONE => "completed",
            STOPPED => "stopped",
            _ => "unknown",
        }
    }
}

/// `MarketAccount.queue_type`. Any other value reads as `EMPTY`.
pub mod queue_type {
    pub const JOB: u8 = 0;
    pub const NODE: u8 = 1;
    pub const EMPTY: u8 = 255;

    pub fn normalise(raw: u8) -> u8 {
        match raw {
            JOB | NODE => raw,
            _ => EMPTY,
        }
    }
}

/// `MarketAccount.job_type`. `UNKNOWN` markets never queue anything.
pub mod job_type {
    pub const DEFAULT: u8 = 0;
    pub const SMALL: u8 = 1;
    pub const MEDIUM: u8 = 2;
    pub const LARGE: u8 = 3;
    pub const GPU: u8 = 4;
    pub const UNKNOWN: u8 = 255;

    pub fn from_u8(raw: u8) -> u8 {
        match raw {
            DEFAULT..=GPU => raw,
            _ => UNKNOWN,
        }
    }
}

/// `PoolAccount.claim_type`.
pub mod claim_type {
    pub const TRANSFER: u8 = 0;
    pub const ADD_FEE: u8 = 1;
    pub const UNKNOWN: u8 = 255;

    pub fn from_u8(raw: u8) -> u8 {
        match raw {
            TRANSFER | ADD_FEE => raw,
            _ => UNKNOWN,
        }
    }
}

/// `NodeAccount.architecture`.
pub mod architecture {
    pub const AMD64: u8 = 0;
    pub const RISCV64: u8 = 8;
    pub const I386: u8 = 9;
    pub const UNKNOWN: u8 = 255;

    pub fn from_u8(raw: u8) -> u8 {
        if raw <= I386 { raw } else { UNKNOWN }
    }
}

/// `NodeAccount.country`: ISO-3166-1 numeric; 999 is Unknown.
pub mod country {
    pub const UNKNOWN: u16 = 999;

    /// The program compares `CountryCode::from(c) as u8` with `Unknown as u8` (= 231), so any
    /// code whose low byte is 231 (Ethiopia, 231) is rejected along with unknown codes.
    pub fn is_rejected(code: u16) -> bool {
        code == UNKNOWN || code > 999 || (code & 0xff) == (UNKNOWN & 0xff)
    }
}
