//! The Nosana-backend-style endpoints: shapes, 404 for unknown ids, 400 for bad input.

use serde_json::json;

use crate::world::{BLOCK_TIME, world};

#[tokio::test]
async fn node_specs_and_the_node_list_have_the_backend_shape() {
    let w = world().await;
    let node = &w.state.offchain.nodes[0];
    let (status, body) = w.get(&format!("/api/nodes/{}/specs", node.node_address)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "nodeAddress": node.node_address,
            "marketAddress": "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf",
            "gpus": [{"gpu": "NVIDIA GeForce RTX 4090", "memory": 24564}],
            "cpu": "AMD Ryzen 9 7950X", "cpuCores": 32, "ram": 65536, "diskSpace": 1000,
            "country": "NL", "lat": 52.37, "lng": 4.9,
            "download": 940.5, "upload": 480.25, "ping": 12.0,
            "nodeVersion": "1.0.42", "cudaVersion": "12.4", "nvmlVersion": "550.54.15", "systemEnvironment": "Linux",
        })
    );
    let (status, body) = w.get("/api/nodes").await;
    assert_eq!((status, body.as_array().unwrap().len()), (200, 2));
    let (status, body) = w.get("/api/nodes?market=7AtiXMSH6R1jjBxrcYjehCkkSF7zvYWte63gwEDBcGHq").await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert_eq!(body[0]["country"], "US");
}

#[tokio::test]
async fn unknown_nodes_and_markets_are_404_and_bad_addresses_400() {
    let w = world().await;
    let unknown = solana_pubkey::Pubkey::new_unique();
    let (status, body) = w.get(&format!("/api/nodes/{unknown}/specs")).await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({"statusCode": 404, "message": format!("node {unknown} not found"), "error": "Not Found"}));
    let (status, body) = w.get("/api/nodes/not-an-address/specs").await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "`not-an-address` is not a base58 Solana address");
    assert_eq!(w.get(&format!("/api/markets/{unknown}")).await.0, 404);
    assert_eq!(w.get("/api/markets/0OIl").await.0, 400);
    assert_eq!(w.get("/api/nodes?market=zzz").await.0, 400);
    let (status, body) = w.get("/api/nothing-here").await;
    assert_eq!((status, body["statusCode"].clone()), (404, json!(404)));
}

#[tokio::test]
async fn markets_by_list_address_and_slug() {
    let w = world().await;
    let (status, list) = w.get("/api/markets").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let expected = json!({
        "address": "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf",
        "name": "Market 4090", "slug": "nvidia-4090", "type": "PREMIUM",
        "gpu_types": ["NVIDIA GeForce RTX 4090"], "required_images": [], "required_remote_resources": [],
        "lowest_vram": 24, "usd_reward_per_hour": 0.35, "sft": null,
    });
    assert_eq!(list[0], expected);
    assert_eq!(w.get("/api/markets/97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf").await, (200, expected.clone()));
    assert_eq!(w.get("/api/markets/nvidia-4090").await, (200, expected));
}

#[tokio::test]
async fn price_history_filters_by_time_and_rejects_bad_ranges() {
    let w = world().await;
    let (status, all) = w.get("/api/stats/price").await;
    assert_eq!((status, all.as_array().unwrap().len()), (200, 10));
    assert_eq!(all[0], json!({"timestamp": BLOCK_TIME, "usd": 0.5}));
    let (from, to) = (BLOCK_TIME + 3_600, BLOCK_TIME + 3 * 3_600);
    let (status, some) = w.get(&format!("/api/stats/price?from={from}&to={to}")).await;
    assert_eq!(status, 200);
    let times: Vec<i64> = some.as_array().unwrap().iter().map(|p| p["timestamp"].as_i64().unwrap()).collect();
    assert_eq!(times, [from, from + 3_600, to]);
    let (status, body) = w.get("/api/stats/price?from=yesterday").await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "`from` must be a unix timestamp in seconds, got `yesterday`");
    let (status, body) = w.get(&format!("/api/stats/price?from={to}&to={from}")).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("is after"));
}
