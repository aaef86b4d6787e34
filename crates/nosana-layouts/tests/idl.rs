//! The layouts against the IDL files, read as JSON here rather than retyped: discriminators,
//! account lists and flags, argument order, account field order, allocated sizes and errors.

use nosana_layouts::accounts::{AnchorAccount, NosanaAccount};
use nosana_layouts::cid::cid_from_bytes;
use nosana_layouts::discriminator::{account_discriminator, instruction_discriminator};
use nosana_layouts::errors::{self, ErrorDef};
use nosana_layouts::instructions::{NosanaInstruction, specs_of};
use nosana_layouts::{Pubkey, accounts};
use serde_json::{Value, json};

const PROGRAMS: [&str; 5] = ["nosana_jobs", "nosana_staking", "nosana_rewards", "nosana_pools", "nosana_nodes"];

fn idl(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/idl/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("IDL file")).expect("IDL JSON")
}

fn address(idl: &Value) -> Pubkey {
    idl["address"].as_str().unwrap().parse().unwrap()
}

fn discriminator(v: &Value) -> Vec<u8> {
    v["discriminator"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect()
}

fn fields<'a>(idl: &'a Value, type_name: &str) -> &'a Vec<Value> {
    let t = idl["types"].as_array().unwrap().iter().find(|t| t["name"] == type_name).expect("type in IDL");
    t["type"]["fields"].as_array().unwrap()
}

/// Size and alignment of an IDL type in the SBF target's memory layout (u128 is 8-aligned).
fn size_align(ty: &Value) -> (usize, usize) {
    match ty {
        Value::String(s) => match s.as_str() {
            "u8" | "bool" => (1, 1),
            "u16" => (2, 2),
            "u64" | "i64" => (8, 8),
            "u128" => (16, 8),
            "pubkey" => (32, 1),
            "string" => (24, 8),
            other => panic!("type {other}"),
        },
        Value::Object(o) if o.contains_key("vec") => (24, 8),
        Value::Object(o) if o.contains_key("array") => {
            let a = o["array"].as_array().unwrap();
            (size_align(&a[0]).0 * a[1].as_u64().unwrap() as usize, size_align(&a[0]).1)
        }
        other => panic!("type {other}"),
    }
}

/// `8 + size_of::<T>()`: fields sorted by alignment leave padding only at the end.
fn anchor_space(fields: &[Value]) -> usize {
    let (sum, align) =
        fields.iter().map(|f| size_align(&f["type"])).fold((0, 1), |(s, a), (fs, fa)| (s + fs, a.max(fa)));
    8 + sum.div_ceil(align) * align
}

/// A distinct value for field `i` of type `ty`: its Borsh bytes and its expected JSON.
fn sample(ty: &Value, i: usize) -> (Vec<u8>, Value) {
    let n = i as u64 + 1;
    match ty {
        Value::String(s) => match s.as_str() {
            "u8" => (vec![n as u8], json!(n)),
            "bool" => (vec![1], json!(true)),
            "u16" => ((1000 + n as u16).to_le_bytes().to_vec(), json!(1000 + n)),
            "u64" => ((1_000_000 + n).to_le_bytes().to_vec(), json!(1_000_000 + n)),
            "i64" => ((-(n as i64) * 7).to_le_bytes().to_vec(), json!(-(n as i64) * 7)),
            "u128" => (
                (1_000_000_000_000u128 + n as u128).to_le_bytes().to_vec(),
                json!((1_000_000_000_000u128 + n as u128).to_string()),
            ),
            "pubkey" => {
                let k = Pubkey::new_from_array([n as u8; 32]);
                (k.to_bytes().to_vec(), json!(k.to_string()))
            }
            "string" => {
                let s = format!("s{n}");
                let mut b = (s.len() as u32).to_le_bytes().to_vec();
                b.extend(s.as_bytes());
                (b, json!(s))
            }
            other => panic!("type {other}"),
        },
        // `[u8; 32]` fields are IPFS digests, shown as their CID.
        Value::Object(o) if o.contains_key("array") => (vec![n as u8; 32], json!(cid_from_bytes(&[n as u8; 32]))),
        Value::Object(o) if o.contains_key("vec") => {
            let keys = [Pubkey::new_from_array([0xa0 + n as u8; 32]), Pubkey::new_from_array([0xb0 + n as u8; 32])];
            let mut b = 2u32.to_le_bytes().to_vec();
            for k in &keys {
                b.extend(k.to_bytes());
            }
            (b, json!(keys.iter().map(|k| k.to_string()).collect::<Vec<_>>()))
        }
        other => panic!("type {other}"),
    }
}

fn account_json(a: &NosanaAccount) -> Value {
    match a {
        NosanaAccount::Market(x) => serde_json::to_value(x),
        NosanaAccount::Job(x, _) => serde_json::to_value(x),
        NosanaAccount::Run(x) => serde_json::to_value(x),
        NosanaAccount::Settings(x) => serde_json::to_value(x),
        NosanaAccount::Stake(x) => serde_json::to_value(x),
        NosanaAccount::Reflection(x) => serde_json::to_value(x),
        NosanaAccount::Reward(x) => serde_json::to_value(x),
        NosanaAccount::Pool(x) => serde_json::to_value(x),
        NosanaAccount::Node(x) => serde_json::to_value(x),
    }
    .unwrap()
}

fn space_of(name: &str) -> usize {
    match name {
        "MarketAccount" => accounts::MarketAccount::SPACE,
        "JobAccount" => accounts::JobAccount::SPACE,
        "RunAccount" => accounts::RunAccount::SPACE,
        "SettingsAccount" => accounts::SettingsAccount::SPACE,
        "StakeAccount" => accounts::StakeAccount::SPACE,
        "ReflectionAccount" => accounts::ReflectionAccount::SPACE,
        "RewardAccount" => accounts::RewardAccount::SPACE,
        "PoolAccount" => accounts::PoolAccount::SPACE,
        "NodeAccount" => accounts::NodeAccount::SPACE,
        other => panic!("account {other}"),
    }
}

#[test]
fn every_instruction_has_the_idl_discriminator_accounts_and_flags() {
    let mut count = 0;
    for program in PROGRAMS {
        let idl = idl(program);
        let table = specs_of(&address(&idl)).expect("a Nosana program");
        let ixs = idl["instructions"].as_array().unwrap();
        assert_eq!(table.len(), ixs.len(), "{program}: instruction count");
        for ix in ixs {
            let name = ix["name"].as_str().unwrap();
            let spec = table.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("{program}.{name} missing"));
            assert_eq!(spec.discriminator.to_vec(), discriminator(ix), "{program}.{name} discriminator");
            assert_eq!(
                spec.discriminator,
                instruction_discriminator(name),
                "{program}.{name} is sha256(global:{name})"
            );
            let accounts: Vec<(String, bool, bool)> = ix["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["name"].as_str().unwrap().to_string(), a["writable"] == true, a["signer"] == true))
                .collect();
            let ours: Vec<(String, bool, bool)> =
                spec.accounts.iter().map(|a| (a.name.to_string(), a.writable, a.signer)).collect();
            assert_eq!(ours, accounts, "{program}.{name} accounts");
            count += 1;
        }
    }
    assert_eq!(count, 43);
}

/// camelCase IDL names (the legacy format of the upstream kit IDL) in snake_case.
fn snake(name: &str) -> String {
    name.chars()
        .flat_map(|c| if c.is_ascii_uppercase() { vec!['_', c.to_ascii_lowercase()] } else { vec![c] })
        .collect()
}

#[test]
fn the_kit_idl_finish_list_is_the_one_published_upstream() {
    // Spec §2.4.15: the published kit IDL carries a hand-edited 11-account `finish`.
    let path = format!("{}/tests/fixtures/idl/upstream-nosana-kit/nosana_jobs.json", env!("CARGO_MANIFEST_DIR"));
    let kit: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("kit IDL")).expect("JSON");
    let finish = kit["instructions"].as_array().unwrap().iter().find(|i| i["name"] == "finish").expect("finish");
    let theirs: Vec<(String, bool, bool)> = finish["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (snake(a["name"].as_str().unwrap()), a["isMut"] == true, a["isSigner"] == true))
        .collect();
    let ours: Vec<(String, bool, bool)> = nosana_layouts::instructions::jobs::FINISH_KIT_IDL
        .accounts
        .iter()
        .map(|a| (a.name.to_string(), a.writable, a.signer))
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn instruction_arguments_decode_in_idl_order() {
    for program in PROGRAMS {
        let idl = idl(program);
        for ix in idl["instructions"].as_array().unwrap() {
            let name = ix["name"].as_str().unwrap();
            let mut data = discriminator(ix);
            let mut expected = Vec::new();
            for (i, arg) in ix["args"].as_array().unwrap().iter().enumerate() {
                let (bytes, _) = sample(&arg["type"], i);
                // How the decoded enum's Debug shows the sample value.
                let shown = match (&arg["type"], arg["type"].as_str()) {
                    (Value::Object(_), _) => format!("{:?}", [i as u8 + 1; 32]),
                    (_, Some("string")) => format!("{:?}", format!("s{}", i + 1)),
                    (_, Some("bool")) => "true".to_string(),
                    (_, Some("pubkey")) => Pubkey::new_from_array([i as u8 + 1; 32]).to_string(),
                    (ty, _) => {
                        let v = sample(ty, i).1;
                        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
                    }
                };
                data.extend(bytes);
                expected.push((arg["name"].as_str().unwrap().to_string(), shown));
            }
            let decoded =
                NosanaInstruction::decode(&address(&idl), &data).unwrap_or_else(|e| panic!("{program}.{name}: {e}"));
            assert_eq!(decoded.spec().name, name);
            let debug = format!("{decoded:?}");
            for (arg, shown) in expected {
                assert!(
                    debug.contains(&format!("{arg}: {shown}")) || debug.contains(&format!("{arg}: Some({shown})")),
                    "{program}.{name}: {arg} should be {shown} in {debug}"
                );
            }
            let reencoded = match &decoded {
                NosanaInstruction::Jobs(i) => i.encode(),
                NosanaInstruction::Staking(i) => i.encode(),
                NosanaInstruction::Rewards(i) => i.encode(),
                NosanaInstruction::Pools(i) => i.encode(),
                NosanaInstruction::Nodes(i) => i.encode(),
            };
            assert_eq!(reencoded, data, "{program}.{name} re-encodes to the same bytes");
        }
    }
}

#[test]
fn every_account_has_the_idl_discriminator_field_order_and_allocated_size() {
    let mut count = 0;
    for program in PROGRAMS {
        let idl = idl(program);
        let owner = address(&idl);
        for account in idl["accounts"].as_array().unwrap() {
            let name = account["name"].as_str().unwrap();
            let disc = discriminator(account);
            assert_eq!(disc, account_discriminator(name).to_vec(), "{name} is sha256(account:{name})");
            let fields = fields(&idl, name);
            let mut space = anchor_space(fields);
            if name == "MarketAccount" {
                space += accounts::MARKET_QUEUE_CAPACITY * 32;
            }
            assert_eq!(space_of(name), space, "{name} allocated size");

            let mut data = disc.clone();
            let mut expected = serde_json::Map::new();
            for (i, f) in fields.iter().enumerate() {
                let (bytes, value) = sample(&f["type"], i);
                data.extend(bytes);
                expected.insert(f["name"].as_str().unwrap().to_string(), value);
            }
            assert!(data.len() <= space, "{name}: sample fits its allocation");
            data.resize(space, 0);
            let decoded = NosanaAccount::decode(&owner, &data).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(decoded.kind(), name);
            assert_eq!(account_json(&decoded), Value::Object(expected), "{name} fields in IDL order");
            count += 1;
        }
    }
    assert_eq!(count, 9);
}

#[test]
fn the_allocated_sizes_are_the_ones_the_spec_lists() {
    use accounts::*;
    let sizes = [
        (MarketAccount::SPACE, 10224),
        (JobAccount::SPACE, 240),
        (RunAccount::SPACE, 120),
        (StakeAccount::SPACE, 120),
        (SettingsAccount::SPACE, 72),
        (ReflectionAccount::SPACE, 96),
        (RewardAccount::SPACE, 80),
        (PoolAccount::SPACE, 136),
        (NodeAccount::SPACE, 128),
        (LEGACY_MARKET_SPACE, 3376),
        (LEGACY_JOB_SPACE, 232),
    ];
    for (ours, spec) in sizes {
        assert_eq!(ours, spec);
    }
    assert_eq!(MarketAccount::queue_capacity(LEGACY_MARKET_SPACE), 100);
    assert_eq!(MarketAccount::queue_capacity(MarketAccount::SPACE), 314);
}

#[test]
fn every_program_error_has_the_idl_code_and_name() {
    let tables: [(&str, &[ErrorDef]); 5] = [
        ("nosana_jobs", errors::jobs::ALL),
        ("nosana_staking", errors::staking::ALL),
        ("nosana_rewards", &[]),
        ("nosana_pools", errors::pools::ALL),
        ("nosana_nodes", errors::nodes::ALL),
    ];
    for (program, table) in tables {
        let idl = idl(program);
        let from_idl: Vec<(u64, String)> = idl["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["code"].as_u64().unwrap(), e["name"].as_str().unwrap().to_string()))
            .collect();
        let ours: Vec<(u64, String)> = table.iter().map(|e| (e.code as u64, e.name.to_string())).collect();
        assert_eq!(ours, from_idl, "{program} errors");
    }
}

#[test]
fn the_shared_nosana_errors_are_the_ones_every_idl_documents() {
    let idl = idl("nosana_jobs");
    let docs = idl["docs"].to_string();
    let names: Vec<&str> = errors::common::ALL.iter().map(|e| e.name).collect();
    assert_eq!(names.len(), 12);
    for (i, e) in errors::common::ALL.iter().enumerate() {
        assert_eq!(e.code, 6000 + i as u32);
        assert!(docs.contains(e.name), "{} in the IDL docs", e.name);
    }
}
