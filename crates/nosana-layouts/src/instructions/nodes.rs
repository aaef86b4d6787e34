//! `nosana_nodes` instructions.

use crate::error::LayoutError;
use crate::instruction::{InstructionSpec, Reader, Writer, acc, find_spec};

pub const REGISTER: InstructionSpec = InstructionSpec {
    name: "register",
    discriminator: [211, 124, 67, 15, 211, 194, 178, 240],
    accounts: &[
        acc("node", true, false),
        acc("payer", true, true),
        acc("authority", false, true),
        acc("system_program", false, false),
    ],
};
pub const AUDIT: InstructionSpec = InstructionSpec {
    name: "audit",
    discriminator: [115, 235, 38, 1, 115, 58, 218, 81],
    accounts: &[acc("node", true, false), acc("authority", false, true)],
};
pub const UPDATE: InstructionSpec = InstructionSpec {
    name: "update",
    discriminator: [219, 200, 88, 176, 158, 63, 253, 127],
    accounts: &[acc("node", true, false), acc("authority", false, true)],
};
pub const ALL: &[InstructionSpec] = &[REGISTER, AUDIT, UPDATE];

/// The hardware a node declares in `register` and `update`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSpecs {
    pub architecture_type: u8,
    pub country_code: u16,
    pub cpu: u16,
    pub gpu: u16,
    pub memory: u16,
    pub iops: u16,
    pub storage: u16,
    pub endpoint: String,
    pub icon: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodesInstruction {
    Register(NodeSpecs),
    Audit { audited: bool },
    Update(NodeSpecs),
}

impl NodesInstruction {
    pub fn spec(&self) -> &'static InstructionSpec {
        match self {
            NodesInstruction::Register(_) => &REGISTER,
            NodesInstruction::Audit { .. } => &AUDIT,
            NodesInstruction::Update(_) => &UPDATE,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let w = Writer::new(self.spec().discriminator);
        match self {
            NodesInstruction::Register(s) | NodesInstruction::Update(s) => w
                .bytes(&[s.architecture_type])
                .bytes(&s.country_code.to_le_bytes())
                .bytes(&s.cpu.to_le_bytes())
                .bytes(&s.gpu.to_le_bytes())
                .bytes(&s.memory.to_le_bytes())
                .bytes(&s.iops.to_le_bytes())
                .bytes(&s.storage.to_le_bytes())
                .string(&s.endpoint)
                .string(&s.icon)
                .string(&s.version),
            NodesInstruction::Audit { audited } => w.bytes(&[*audited as u8]),
        }
        .0
    }

    pub fn decode(data: &[u8]) -> Result<Self, LayoutError> {
        let spec = find_spec(ALL, "nosana_nodes", data)?;
        let mut r = Reader::new(spec.name, &data[8..]);
        if spec.name == "audit" {
            return Ok(NodesInstruction::Audit { audited: r.bool()? });
        }
        let specs = NodeSpecs {
            architecture_type: r.u8()?,
            country_code: r.u16()?,
            cpu: r.u16()?,
            gpu: r.u16()?,
            memory: r.u16()?,
            iops: r.u16()?,
            storage: r.u16()?,
            endpoint: r.string()?,
            icon: r.string()?,
            version: r.string()?,
        };
        Ok(if spec.name == "register" { NodesInstruction::Register(specs) } else { NodesInstruction::Update(specs) })
    }
}
