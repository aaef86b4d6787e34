//! Instruction arguments as JSON: integers up to 64 bits as numbers, u128 as decimal strings
//! (as the account JSON has them), IPFS digests as CIDv0, absent historic arguments as `null`.

use nosana_layouts::cid::cid_from_bytes;
use nosana_layouts::instructions::NosanaInstruction;
use nosana_layouts::instructions::jobs::JobsInstruction;
use nosana_layouts::instructions::nodes::{NodeSpecs, NodesInstruction};
use nosana_layouts::instructions::pools::PoolsInstruction;
use nosana_layouts::instructions::rewards::RewardsInstruction;
use nosana_layouts::instructions::staking::StakingInstruction;
use serde_json::{Value, json};

/// The arguments of `ix` as a JSON object (`{}` when it has none).
pub(crate) fn args_json(ix: &NosanaInstruction) -> Value {
    match ix {
        NosanaInstruction::Jobs(i) => jobs(i),
        NosanaInstruction::Staking(i) => staking(i),
        NosanaInstruction::Rewards(RewardsInstruction::AddFee { amount }) => json!({ "amount": amount }),
        NosanaInstruction::Rewards(_) => json!({}),
        NosanaInstruction::Pools(i) => pools(i),
        NosanaInstruction::Nodes(i) => nodes(i),
    }
}

fn jobs(ix: &JobsInstruction) -> Value {
    use JobsInstruction::*;
    match ix {
        Open { job_expiration, job_price, job_timeout, job_type, node_xnos_minimum } => json!({
            "job_expiration": job_expiration,
            "job_price": job_price,
            "job_timeout": job_timeout,
            "job_type": job_type,
            "node_xnos_minimum": node_xnos_minimum.to_string(),
        }),
        Update { job_expiration, job_price, job_type, node_stake_minimum, job_timeout } => json!({
            "job_expiration": job_expiration,
            "job_price": job_price,
            "job_type": job_type,
            "node_stake_minimum": node_stake_minimum.to_string(),
            "job_timeout": job_timeout,
        }),
        Assign { ipfs_job, timeout } => json!({ "ipfs_job": cid_from_bytes(ipfs_job), "timeout": timeout }),
        List { ipfs_job, timeout } => json!({ "ipfs_job": cid_from_bytes(ipfs_job), "timeout": timeout }),
        Extend { timeout } => json!({ "timeout": timeout }),
        Complete { ipfs_result } | Finish { ipfs_result } => json!({ "ipfs_result": cid_from_bytes(ipfs_result) }),
        Close | CloseAdmin | Delist | Recover | End | Work | Stop | Claim | Quit | QuitAdmin | Clean | CleanAdmin => {
            json!({})
        }
    }
}

fn staking(ix: &StakingInstruction) -> Value {
    use StakingInstruction::*;
    match ix {
        Stake { amount, duration } => json!({ "amount": amount, "duration": duration.to_string() }),
        Topup { amount } | Slash { amount } => json!({ "amount": amount }),
        Extend { duration } => json!({ "duration": duration }),
        Init | Unstake | Restake | Close | Withdraw | UpdateSettings => json!({}),
    }
}

fn pools(ix: &PoolsInstruction) -> Value {
    match ix {
        PoolsInstruction::Open { emission, start_time, claim_type, closeable } => json!({
            "emission": emission,
            "start_time": start_time,
            "claim_type": claim_type,
            "closeable": closeable,
        }),
        PoolsInstruction::ClaimFee
        | PoolsInstruction::ClaimTransfer
        | PoolsInstruction::Close
        | PoolsInstruction::UpdateBeneficiary => json!({}),
    }
}

fn nodes(ix: &NodesInstruction) -> Value {
    match ix {
        NodesInstruction::Register(s) | NodesInstruction::Update(s) => specs(s),
        NodesInstruction::Audit { audited } => json!({ "audited": audited }),
    }
}

fn specs(s: &NodeSpecs) -> Value {
    json!({
        "architecture_type": s.architecture_type,
        "country_code": s.country_code,
        "cpu": s.cpu,
        "gpu": s.gpu,
        "memory": s.memory,
        "iops": s.iops,
        "storage": s.storage,
        "endpoint": s.endpoint,
        "icon": s.icon,
        "version": s.version,
    })
}
