//! Accounts from the head bank, and the cluster methods.

use base64::Engine as _;
use nosana_chain::Signer;
use nosana_layouts::ids::{NOS, NOS_MINT, TOKEN_PROGRAM_ID};
use nosana_layouts::pda;
use nosana_layouts::spl::TokenAccount;
use serde_json::{Value, json};

use crate::world::world;

fn b64(s: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s.as_str().expect("base64 string")).expect("valid base64")
}

#[tokio::test]
async fn get_account_info_serves_head_state_with_the_commitments_context_slot() {
    let w = world().await;
    let ata = pda::nos_ata(&w.alice.pubkey());
    let r = w.result("getAccountInfo", json!([ata.to_string(), {"encoding": "base64"}])).await;
    assert_eq!(r["context"]["slot"], 1002, "finalized by default");
    assert!(r["context"]["apiVersion"].is_string());
    let v = &r["value"];
    assert_eq!(v["owner"], TOKEN_PROGRAM_ID.to_string());
    assert_eq!(v["executable"], false);
    assert_eq!(v["space"], 165);
    assert_eq!(v["rentEpoch"], json!(u64::MAX));
    assert_eq!(v["data"][1], "base64");
    // Head state (processed, through 1007) whatever the commitment: 100 − 1 − 2 + 0.5 − 0.25 − 3 − 1.
    let account = TokenAccount::unpack(&b64(&v["data"][0])).expect("a token account");
    assert_eq!(account.amount, 93 * NOS + NOS / 4);
    assert_eq!(account.owner, w.alice.pubkey());
    let lamports = w.state.chain.read().unwrap().bank().lamports(&ata);
    assert_eq!(v["lamports"], lamports);

    let r =
        w.result("getAccountInfo", json!([ata.to_string(), {"encoding": "base64", "commitment": "processed"}])).await;
    assert_eq!(r["context"]["slot"], 1007);
    let r = w.result("getAccountInfo", json!([solana_pubkey::Pubkey::new_unique().to_string()])).await;
    assert_eq!(r["value"], Value::Null);
}

#[tokio::test]
async fn get_account_info_data_slice_and_base58_encodings() {
    let w = world().await;
    let alice = w.alice.pubkey();
    let ata = pda::nos_ata(&alice).to_string();
    let r = w
        .result("getAccountInfo", json!([ata, {"encoding": "base64", "dataSlice": {"offset": 32, "length": 32}}]))
        .await;
    assert_eq!(b64(&r["value"]["data"][0]), alice.to_bytes());
    assert_eq!(r["value"]["space"], 165, "space is the whole account");
    // A slice past the end is empty, not an error.
    let r = w
        .result("getAccountInfo", json!([ata, {"encoding": "base64", "dataSlice": {"offset": 500, "length": 8}}]))
        .await;
    assert_eq!(r["value"]["data"], json!(["", "base64"]));
    // base58 carries at most 128 bytes; a slice fits.
    let r = w
        .result("getAccountInfo", json!([ata, {"encoding": "base58", "dataSlice": {"offset": 0, "length": 32}}]))
        .await;
    assert_eq!(r["value"]["data"], json!([NOS_MINT.to_string(), "base58"]));
    let (code, message) = w.error("getAccountInfo", json!([ata, {"encoding": "base58"}])).await;
    assert_eq!(code, -32600);
    assert_eq!(message, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.");
    // The default (binary) is a bare base58 string; the mint is 82 bytes.
    let r = w.result("getAccountInfo", json!([NOS_MINT.to_string()])).await;
    assert!(r["value"]["data"].is_string());
    assert_eq!(bs58::decode(r["value"]["data"].as_str().unwrap()).into_vec().unwrap().len(), 82);
    // jsonParsed falls back to base64.
    let r = w.result("getAccountInfo", json!([ata, {"encoding": "jsonParsed"}])).await;
    assert_eq!(r["value"]["data"][1], "base64");
    let (code, message) = w.error("getAccountInfo", json!([ata, {"encoding": "base64+zstd"}])).await;
    assert_eq!(code, -32602);
    assert!(message.contains("base64+zstd"), "{message}");
}

#[tokio::test]
async fn get_multiple_accounts_keeps_order_and_nulls() {
    let w = world().await;
    let keys = [
        pda::nos_ata(&w.bob.pubkey()).to_string(),
        solana_pubkey::Pubkey::new_unique().to_string(),
        w.alice.pubkey().to_string(),
    ];
    let r = w.result("getMultipleAccounts", json!([keys, {"encoding": "base64", "commitment": "confirmed"}])).await;
    assert_eq!(r["context"]["slot"], 1006);
    let v = r["value"].as_array().unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(TokenAccount::unpack(&b64(&v[0]["data"][0])).unwrap().owner, w.bob.pubkey());
    assert_eq!(v[1], Value::Null);
    assert_eq!(v[2]["owner"], "11111111111111111111111111111111");
    assert_eq!(v[2]["data"], json!(["", "base64"]));
    let too_many: Vec<String> = (0..101).map(|_| solana_pubkey::Pubkey::new_unique().to_string()).collect();
    assert_eq!(
        w.error("getMultipleAccounts", json!([too_many])).await,
        (-32602, "Too many inputs provided; max 100".into())
    );
}

#[tokio::test]
async fn get_program_accounts_filters_token_accounts_by_owner_with_memcmp_and_data_size() {
    let w = world().await;
    let alice = w.alice.pubkey();
    let token = TOKEN_PROGRAM_ID.to_string();
    let by_owner = |owner: String, encoding: &str| {
        json!([token, {
            "encoding": "base64",
            "filters": [{"dataSize": 165}, {"memcmp": {"offset": 32, "bytes": owner, "encoding": encoding}}],
        }])
    };
    let r = w.result("getProgramAccounts", by_owner(alice.to_string(), "base58")).await;
    let list = r.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["pubkey"], pda::nos_ata(&alice).to_string());
    assert_eq!(list[0]["account"]["space"], 165);
    let as_b64 = base64::engine::general_purpose::STANDARD.encode(alice.to_bytes());
    assert_eq!(w.result("getProgramAccounts", by_owner(as_b64, "base64")).await, r);

    // Every token account: alice's, bob's, the staking slash account and the rewards vault; the mint is 82 bytes.
    let r =
        w.result("getProgramAccounts", json!([token, {"encoding": "base64", "filters": [{"dataSize": 165}]}])).await;
    let expected: Vec<String> = {
        let chain = w.state.chain.read().unwrap();
        let accounts = chain.bank().accounts();
        accounts
            .iter()
            .filter(|(_, a)| a.owner == TOKEN_PROGRAM_ID && a.data.len() == 165)
            .map(|(k, _)| k.to_string())
            .collect()
    };
    let got: Vec<String> = r.as_array().unwrap().iter().map(|e| e["pubkey"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 4);
    let r =
        w.result("getProgramAccounts", json!([token, {"encoding": "base64", "filters": ["tokenAccountState"]}])).await;
    assert_eq!(r.as_array().unwrap().len(), 4);
    // All accounts of the program: the mint too.
    let r = w.result("getProgramAccounts", json!([token, {"encoding": "base64", "withContext": true}])).await;
    assert_eq!(r["context"]["slot"], 1002);
    assert_eq!(r["value"].as_array().unwrap().len(), 5);
    // dataSlice applies to each result.
    let r = w.result("getProgramAccounts", json!([token, {"encoding": "base64", "dataSlice": {"offset": 0, "length": 0}, "filters": [{"dataSize": 82}]}])).await;
    assert_eq!(r, json!([{"pubkey": NOS_MINT.to_string(), "account": r[0]["account"].clone()}]));
    assert_eq!(r[0]["account"]["data"], json!(["", "base64"]));
    // A pattern past the end of the data matches nothing.
    let r =
        w.result("getProgramAccounts", json!([token, {"filters": [{"memcmp": {"offset": 1000, "bytes": "2"}}]}])).await;
    assert_eq!(r, json!([]));
}

#[tokio::test]
async fn get_token_supply_and_get_balance() {
    let w = world().await;
    let r = w.result("getTokenSupply", json!([NOS_MINT.to_string()])).await;
    assert_eq!(r["context"]["slot"], 1002);
    assert_eq!(r["value"], json!({"amount": "100000000", "decimals": 6, "uiAmount": 100.0, "uiAmountString": "100"}));
    let (code, message) = w.error("getTokenSupply", json!([pda::nos_ata(&w.alice.pubkey()).to_string()])).await;
    assert_eq!((code, message.as_str()), (-32602, "Invalid param: not a Token mint"));
    let (code, message) = w.error("getTokenSupply", json!([solana_pubkey::Pubkey::new_unique().to_string()])).await;
    assert_eq!((code, message.as_str()), (-32602, "Invalid param: could not find account"));

    let alice = w.alice.pubkey();
    let lamports = w.state.chain.read().unwrap().bank().lamports(&alice);
    let r = w.result("getBalance", json!([alice.to_string(), {"commitment": "confirmed"}])).await;
    assert_eq!(r, json!({"context": {"slot": 1006, "apiVersion": r["context"]["apiVersion"]}, "value": lamports}));
    assert_eq!(w.result("getBalance", json!([solana_pubkey::Pubkey::new_unique().to_string()])).await["value"], 0);
}

#[tokio::test]
async fn cluster_methods_answer_version_genesis_hash_health_blockhash_and_rent() {
    let w = world().await;
    let v = w.result("getVersion", json!([])).await;
    assert!(v["solana-core"].as_str().unwrap().split('.').count() == 3);
    assert!(v["feature-set"].is_u64());
    assert_eq!(w.result("getGenesisHash", json!([])).await, w.block(1001).parent_blockhash_base58());
    assert_eq!(w.result("getHealth", json!([])).await, "ok");
    let r = w.result("getLatestBlockhash", json!([{"commitment": "confirmed"}])).await;
    assert_eq!(r["context"]["slot"], 1006);
    assert_eq!(r["value"], json!({"blockhash": w.block(1006).blockhash_base58(), "lastValidBlockHeight": 4 + 150}));
    assert_eq!(w.result("getMinimumBalanceForRentExemption", json!([165])).await, 2_039_280);
    assert_eq!(w.result("getMinimumBalanceForRentExemption", json!([0])).await, 890_880);
    // minContextSlot ahead of the commitment.
    let answer = w.call("getSlot", json!([{"minContextSlot": 1005}])).await;
    assert_eq!(answer["error"]["code"], -32016);
    assert_eq!(answer["error"]["data"], json!({"contextSlot": 1002}));
    assert_eq!(w.result("getSlot", json!([{"minContextSlot": 1005, "commitment": "confirmed"}])).await, 1006);
    let (status, body) = {
        let r = w.client.get(format!("{}/health", w.url)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!((status, body.as_str()), (200, "ok"));
}
