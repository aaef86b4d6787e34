//! The executive summary and the protocol profile.

use super::Row;
use super::dimensions::DimensionView;
use crate::format::{self, amount, count, percent, ratio, usd};
use crate::snapshot_view::SnapshotView;

/// NOS as the Nosana programs and docs define it. Neither the snapshot nor the methodology
/// carries a description of the token, so the report states these facts itself.
pub const TOKEN_MECHANISM: &str = "NOS is an SPL token on Solana (6 decimals) with a fixed maximum supply of \
    100,000,000. Projects pay for jobs in NOS: the job price is deposited and paid out to the node that runs it \
    (plus a network fee to stakers through the rewards program when the jobs program sets one). Holders stake NOS \
    for 14 to 365 days and receive xNOS (NOS × (1 + duration / 121.67 days), up to 4×), which weights staking \
    rewards and a market's minimum for its nodes. Emissions are releases from pre-minted rewards pools into the \
    rewards vault, not mints; burns are SPL Token burns of NOS (e.g. buy-and-burn), seen as a falling mint supply.";

pub(super) fn paragraphs(s: &SnapshotView, dims: &[DimensionView]) -> Vec<String> {
    let m = &s.metrics;
    let p = &s.provenance;
    let rows: u64 = p.rows.iter().map(|(_, n)| n).sum();
    let mut out = vec![format!(
        "Nosana's headline builder score is {} out of 100 as of {}, under methodology {}: a weighted composite of six \
         dimensions computed from {} rows of on-chain data between slots {} and {} ({} whole days in the window).",
        format::score(s.score.composite),
        format::long_date(&m.as_of_date),
        p.methodology_version,
        count(rows),
        count(p.chain.first_slot),
        count(p.chain.last_slot),
        m.window.days
    )];
    let mut ranked: Vec<&DimensionView> = dims.iter().collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    if let (Some(best), Some(worst)) = (ranked.first(), ranked.last()) {
        let mut s2 = format!(
            "Its strongest dimension is {} ({}), its weakest {} ({}).",
            best.name, best.score_text, worst.name, worst.score_text
        );
        let capped: Vec<String> =
            dims.iter().filter_map(|d| d.cap.as_ref().map(|c| format!("{} is {c}", d.name))).collect();
        if !capped.is_empty() {
            s2.push_str(&format!(" {}.", capped.join("; ")));
        }
        let missing: Vec<&str> = dims.iter().filter(|d| d.insufficient_data).map(|d| d.name.as_str()).collect();
        if !missing.is_empty() {
            s2.push_str(&format!(
                " Insufficient data for {}: scored the methodology's value for an unmeasurable metric.",
                missing.join(", ")
            ));
        }
        out.push(s2);
    }
    let (d, t) = (&m.demand, &m.token);
    out.push(if t.emission_nos <= 0.0 {
        format!(
            "Paying demand runs at an ARR of {} with {} active nodes; no tokens were emitted in the window, so there \
             is no emission to compare demand with.",
            usd(d.arr_usd),
            count(m.decentralization.active_nodes)
        )
    } else {
        format!(
            "Paying demand runs at an ARR of {} against emissions worth {} a year (demand-to-emission {}), served by {} \
             active nodes.",
            usd(d.arr_usd),
            usd(t.emission_annual_usd),
            ratio(t.demand_to_emission),
            count(m.decentralization.active_nodes)
        )
    });
    for c in s.published_checks.iter().filter(|c| !c.consistent) {
        out.push(format!(
            "A check of published figures: {} gives Nosana a headline of {}, but the weighted sum of its own dimension \
             scores is {}.",
            c.source,
            format::score(c.headline),
            format::score(c.recomputed)
        ));
    }
    out
}

pub(super) fn profile(s: &SnapshotView) -> Vec<Row> {
    let m = &s.metrics;
    let t = &m.token;
    vec![
        Row::new("Headline builder score", format!("{} / 100", format::score(s.score.composite))),
        Row::new("Native token", "NOS (Solana SPL token)"),
        Row::new("NOS price", format::usd_exact(m.spot_price_usd)).with_note(format!("as of {}", m.as_of_date)),
        Row::new("Active compute nodes", count(m.decentralization.active_nodes))
            .with_note(format!("any job event in the {}-day window", m.window.days)),
        Row::new("Annualised recurring revenue", usd(m.demand.arr_usd))
            .with_note(format!("{}-day window, time-of-flow prices", m.window.days)),
        Row::new("Demand-to-emission", ratio(t.demand_to_emission)),
        Row::new("Circulating supply", amount(t.circulating_supply_nos, 0, "NOS")),
        Row::new("Total supply", amount(t.total_supply_nos, 0, "NOS")),
        Row::new("Maximum supply", amount(Some(t.max_supply_nos), 0, "NOS")),
        Row::new("NOS staked", amount(Some(m.staking.staked_nos), 0, "NOS"))
            .with_note(format!("{} of circulating", percent(m.staking.staking_ratio))),
        Row::new("Token mechanism", TOKEN_MECHANISM),
    ]
}
