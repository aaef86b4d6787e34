//! The simulation's off-chain world in the backend's shapes.

use super::model::{Gpu, MarketInfo, MarketKind, NodeSpecs, OffchainData, PricePoint};

/// Maps what the simulation knows into what the endpoints serve. A market's `usd_reward_per_hour`
/// is its per-second NOS price × 3600 at the first price point.
pub fn from_sim(sim: &nosana_sim::OffchainData) -> OffchainData {
    let first_usd = sim.prices.first().map_or(0.0, |p| p.usd);
    let nodes = sim
        .nodes
        .iter()
        .map(|n| NodeSpecs {
            node_address: n.address.clone(),
            market_address: Some(n.market.clone()),
            gpus: (0..n.gpu_count).map(|_| Gpu { gpu: n.gpu_model.clone(), memory: n.vram_gb as u64 * 1024 }).collect(),
            cpu: n.cpu_model.clone(),
            cpu_cores: n.cpu_cores as u32,
            ram: n.ram_gb as u64 * 1024,
            disk_space: n.disk_gb as u64,
            country: n.country.clone(),
            lat: n.lat,
            lng: n.lng,
            download: n.bandwidth_down_mbps as f64,
            upload: n.bandwidth_up_mbps as f64,
            ping: 0.0,
            node_version: n.node_version.clone(),
            cuda_version: Some(n.cuda_version.clone()),
            nvml_version: None,
            system_environment: Some("Linux".into()),
        })
        .collect();
    let markets = sim
        .markets
        .iter()
        .map(|m| MarketInfo {
            address: m.address.clone(),
            name: m.name.clone(),
            slug: m.slug.clone(),
            kind: if m.kind == "PREMIUM" { MarketKind::Premium } else { MarketKind::Community },
            gpu_types: m.gpu_types.clone(),
            required_images: vec![],
            required_remote_resources: vec![],
            lowest_vram: m.vram_gb as u64,
            usd_reward_per_hour: m.nos_job_price_per_second as f64 * 3600.0 / 1e6 * first_usd,
            sft: m.sft_collection.clone(),
        })
        .collect();
    let prices = sim.prices.iter().map(|p| PricePoint { timestamp: p.time, usd: p.usd }).collect();
    OffchainData { nodes, markets, prices }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simulated_node_and_market_is_served() {
        let scenario = nosana_sim::Scenario::from_toml("[nodes]\ncount = 30\noperators = 10\n").unwrap();
        let (sim, _) = nosana_sim::Simulation::new(&scenario, 1).unwrap();
        let data = from_sim(sim.offchain());
        assert_eq!(data.nodes.len(), sim.offchain().nodes.len());
        assert_eq!(data.markets.len(), sim.offchain().markets.len());
        assert!(!data.prices.is_empty());
        let n = &data.nodes[0];
        assert_eq!(n.node_address, sim.offchain().nodes[0].address);
        assert_eq!(n.gpus.len() as u16, sim.offchain().nodes[0].gpu_count);
    }
}
