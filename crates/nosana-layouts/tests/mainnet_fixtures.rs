//! Real mainnet data from Nosana's docs and sources: addresses, PDAs, market vaults, jobs
//! printed by the CLI, and the staking program's own xNOS vectors.

use nosana_layouts::accounts::{AnchorAccount, JobAccount, JobLayout, MarketAccount};
use nosana_layouts::cid::{NULL_CID, cid_from_bytes, cid_to_bytes};
use nosana_layouts::enums::job_state;
use nosana_layouts::ids::{self, NOS};
use nosana_layouts::{Pubkey, math, pda};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

fn key(v: &Value) -> Pubkey {
    v.as_str().expect("address string").parse().expect("base58 address")
}

/// "0.000115" NOS → 115 base units, exactly.
fn nos_units(s: &str) -> u64 {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<6}");
    int.parse::<u64>().unwrap() * NOS + frac[..6].parse::<u64>().unwrap()
}

#[test]
fn the_program_ids_and_keys_are_the_mainnet_ones() {
    let a = fixture("mainnet-addresses.json");
    let p = &a["programs"];
    assert_eq!(key(&p["nosana_jobs"]), ids::JOBS_PROGRAM_ID);
    assert_eq!(key(&p["nosana_staking"]), ids::STAKING_PROGRAM_ID);
    assert_eq!(key(&p["nosana_rewards"]), ids::REWARDS_PROGRAM_ID);
    assert_eq!(key(&p["nosana_pools"]), ids::POOLS_PROGRAM_ID);
    assert_eq!(key(&p["nosana_nodes"]), ids::NODES_PROGRAM_ID);
    assert_eq!(key(&p["metaplex_token_metadata"]), ids::METADATA_PROGRAM_ID);
    assert_eq!(key(&a["nos_mint"]["address"]), ids::NOS_MINT);
    assert_eq!(a["nos_mint"]["decimals"].as_u64(), Some(ids::NOS_DECIMALS as u64));
    assert_eq!(a["nos_mint"]["total_supply_tokens"].as_u64().unwrap() * NOS, ids::NOS_TOTAL_SUPPLY);
    let keys = a["keys"].as_object().unwrap();
    let find = |prefix: &str| key(keys.iter().find(|(k, _)| k.starts_with(prefix)).unwrap().1);
    assert_eq!(find("AUTHORITY"), ids::AUTHORITY);
    assert_eq!(find("MARKET_ADMIN"), ids::MARKET_ADMIN);
    assert_eq!(find("TOKEN_ACCOUNT"), ids::TOKEN_ACCOUNT);
    assert_eq!(find("NFT_COLLECTION"), ids::NFT_COLLECTION);
}

#[test]
fn the_singleton_and_pool_vault_pdas_match_the_mainnet_addresses() {
    let a = fixture("mainnet-addresses.json");
    let pdas = a["pdas_computed"].as_object().unwrap();
    let find = |prefix: &str| key(pdas.iter().find(|(k, _)| k.starts_with(prefix)).unwrap().1);
    assert_eq!(pda::rewards_reflection().0, find("rewards_reflection"));
    assert_eq!(pda::rewards_vault().0, find("rewards_vault"));
    assert_eq!(pda::staking_settings().0, find("staking_settings"));
    let pools = &a["fee_distribution_pools_mainnet"];
    let mut n = 0;
    for entry in pools["schedule"].as_array().unwrap().iter().chain(pools["earlier"].as_array().unwrap()) {
        assert_eq!(pda::pool_vault(&key(&entry["pool"])).0, key(&entry["vault_pda_computed"]));
        n += 1;
    }
    assert_eq!(n, 9);
}

#[test]
fn every_mainnet_market_vault_is_the_pda_of_its_market() {
    let m = fixture("mainnet-markets.json");
    let markets = m["markets"].as_array().unwrap();
    assert_eq!(markets.len(), 17);
    for market in markets {
        let (vault, bump) = pda::market_vault(&key(&market["address"]));
        assert_eq!(vault, key(&market["vault_pda_computed"]), "{}", market["name"]);
        assert_eq!(bump as u64, market["vault_bump_computed"].as_u64().unwrap(), "{}", market["name"]);
    }
}

#[test]
fn the_3060_market_printed_by_the_cli_is_representable() {
    let m = fixture("mainnet-markets.json");
    let sample = &m["example_market_get_output"];
    let address = key(&sample["market"]);
    let (vault, vault_bump) = pda::market_vault(&address);
    let queue: Vec<Pubkey> =
        (0..sample["nodes_in_queue"].as_u64().unwrap()).map(|i| Pubkey::new_from_array([i as u8 + 1; 32])).collect();
    let market = MarketAccount {
        authority: ids::MARKET_ADMIN,
        job_expiration: 86_400,
        job_price: 43,
        job_timeout: 7_200,
        job_type: 4,
        vault,
        vault_bump,
        node_access_key: key(&sample["sft_collection_offchain"]),
        node_xnos_minimum: 0,
        queue_type: 1,
        queue: queue.clone(),
    };
    let data = market.to_account_data().unwrap();
    assert_eq!(data.len(), 10_224);
    assert_eq!(&data[147..151], &(queue.len() as u32).to_le_bytes(), "queue length at byte 147");
    assert_eq!(&data[151..183], queue[0].as_ref(), "first queue entry at byte 151");
    assert_eq!(u64::from_le_bytes(data[48..56].try_into().unwrap()), 43, "job_price at byte 48");
    assert_eq!(MarketAccount::from_account_data(&data).unwrap(), market);
}

#[test]
fn the_mainnet_jobs_from_the_docs_round_trip_through_the_job_layout() {
    let j = fixture("mainnet-jobs-from-docs.json");
    let mut checked_payouts = 0;
    for record in j["jobs_with_list_tx"].as_array().unwrap() {
        let cid = record["ipfs_job_cid"].as_str().unwrap();
        let ipfs_job = cid_to_bytes(cid).unwrap();
        assert_eq!(cid_from_bytes(&ipfs_job), cid);
        let ipfs_result = match record["ipfs_result_cid"].as_str() {
            Some(r) => cid_to_bytes(r).unwrap(),
            None => [0; 32],
        };
        let price = record["price_nos_per_s"].as_str().map(nos_units).unwrap_or(0);
        let job = JobAccount {
            ipfs_job,
            ipfs_result,
            market: record["market"].as_str().map(|m| m.parse().unwrap()).unwrap_or_default(),
            node: record["node"].as_str().map(|m| m.parse().unwrap()).unwrap_or_default(),
            payer: key(&record["poster_wallet"]),
            price,
            project: key(&record["poster_wallet"]),
            state: job_state::DONE,
            time_end: 1_722_365_101,
            time_start: 1_722_365_093,
            timeout: 7_200,
        };
        let data = job.to_account_data().unwrap();
        assert_eq!(data.len(), 240);
        let (back, layout) = JobAccount::decode_any(&data).unwrap();
        assert_eq!((back.clone(), layout), (job.clone(), JobLayout::Current));
        assert_eq!(cid_from_bytes(&back.ipfs_job), cid);
        if back.ipfs_result == [0; 32] {
            assert_eq!(cid_from_bytes(&back.ipfs_result), NULL_CID);
        }
        // The CLI's total is the deposit for a 2-hour timeout.
        if let Some(total) = record["total_nos_shown"].as_str() {
            assert_eq!(math::job_deposit(price, 7_200), Some(nos_units(total)), "{}", record["job"]);
        }
        // And the cost of a finished job is price × seconds run.
        if let (Some(d), Some(cost)) = (record["duration_shown"].as_str(), record["total_cost_shown"].as_str()) {
            let secs: i64 = d.split_whitespace().next().unwrap().parse().unwrap();
            let cost = nos_units(cost.trim_end_matches(" NOS"));
            assert_eq!(math::job_reimbursement(price, 0, secs, 7_200), Some(cost), "{}", record["job"]);
            checked_payouts += 1;
        }
    }
    assert_eq!(checked_payouts, 6);
}

#[test]
fn a_legacy_232_byte_job_without_timeout_is_recognised() {
    let job = JobAccount {
        ipfs_job: cid_to_bytes("QmVp8m3Uq1Cm6JJ3NsuTMSGLNnqXa1mC85uV7YxBREQ78p").unwrap(),
        ipfs_result: cid_to_bytes("QmPvpBfknTZVoWA3tNLk1VBoNksqAaFNvgogDAhkccPchS").unwrap(),
        market: "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf".parse().unwrap(),
        node: "9ZNv6iqU1GbHjitG1QLpBU92Tc8wnQo2bMNLSZcDwkXA".parse().unwrap(),
        payer: "4WtG17Vn3SSoTAVvXxpopQTG3Qo9NUK28Zotv4rL1ccv".parse().unwrap(),
        price: 115,
        project: "4WtG17Vn3SSoTAVvXxpopQTG3Qo9NUK28Zotv4rL1ccv".parse().unwrap(),
        state: job_state::DONE,
        time_end: 1_722_365_101,
        time_start: 1_722_365_093,
        timeout: 0,
    };
    let mut data = job.to_account_data().unwrap();
    data.truncate(8 + 217); // the legacy Borsh body ...
    data.resize(232, 0); // ... in its legacy allocation
    let (back, layout) = JobAccount::decode_any(&data).unwrap();
    assert_eq!(layout, JobLayout::Legacy);
    assert_eq!(back, job);
}

#[test]
fn all_61_xnos_vectors_of_the_staking_program_hold() {
    let v = fixture("xnos-test-vectors.json");
    let vectors = v["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 61);
    for vector in vectors {
        let amount = vector["amount"].as_u64().unwrap();
        let duration = vector["duration"].as_u64().unwrap();
        let xnos: u128 = vector["xnos"].as_str().unwrap().parse().unwrap();
        assert_eq!(math::xnos(amount, duration), xnos, "amount {amount} duration {duration}");
    }
}
