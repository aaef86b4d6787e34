//! Slots, blocks, transactions and signatures over JSON-RPC.

use base64::Engine as _;
use nosana_chain::{Signer, SlotStatus};
use nosana_layouts::ids::TOKEN_PROGRAM_ID;
use nosana_layouts::pda;
use serde_json::{Value, json};
use solana_transaction::versioned::VersionedTransaction;

use crate::world::{BLOCK_TIME, GENESIS_SLOT, world};

fn b64(s: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s.as_str().expect("base64 string")).expect("valid base64")
}

#[tokio::test]
async fn get_slot_reports_the_latest_slot_at_each_commitment_and_defaults_to_finalized() {
    let w = world().await;
    assert_eq!(w.result("getSlot", json!([])).await, 1002);
    assert_eq!(w.result("getSlot", json!([{"commitment": "finalized"}])).await, 1002);
    assert_eq!(w.result("getSlot", json!([{"commitment": "confirmed"}])).await, 1006);
    assert_eq!(w.result("getSlot", json!([{"commitment": "processed"}])).await, 1007);
    // Block heights count produced canonical blocks: 1001, 1002, 1004, 1006, 1007.
    assert_eq!(w.result("getBlockHeight", json!([])).await, 2);
    assert_eq!(w.result("getBlockHeight", json!([{"commitment": "processed"}])).await, 5);
}

#[tokio::test]
async fn get_block_in_json_shows_the_block_and_each_transaction_with_its_meta() {
    let w = world().await;
    let block = w.block(1001);
    let r = w.result("getBlock", json!([1001, {"encoding": "json", "maxSupportedTransactionVersion": 0}])).await;
    assert_eq!(r["blockhash"], block.blockhash_base58());
    assert_eq!(r["previousBlockhash"], block.parent_blockhash_base58());
    assert_eq!(r["parentSlot"], GENESIS_SLOT);
    assert_eq!(r["blockHeight"], 1);
    assert_eq!(r["blockTime"], BLOCK_TIME + 1);
    assert_eq!(r["rewards"], json!([]));
    assert!(r.get("signatures").is_none());
    let txs = r["transactions"].as_array().expect("transactions");
    assert_eq!(txs.len(), 2);

    let (alice, bob) = (w.alice.pubkey(), w.bob.pubkey());
    let ok = &txs[0];
    assert_eq!(ok["version"], "legacy");
    assert_eq!(ok["transaction"]["signatures"], json!([w.sig(1)]));
    let message = &ok["transaction"]["message"];
    let keys: Vec<String> = block.transactions[0].message.account_keys.iter().map(|k| k.to_string()).collect();
    assert_eq!(message["accountKeys"], json!(keys));
    assert_eq!(keys[0], alice.to_string());
    assert_eq!(
        message["header"],
        json!({"numRequiredSignatures": 1, "numReadonlySignedAccounts": 0, "numReadonlyUnsignedAccounts": 1})
    );
    assert_eq!(message["recentBlockhash"], bs58::encode(block.parent_blockhash).into_string());
    assert!(message.get("addressTableLookups").is_none(), "legacy messages have no lookups");
    let ix = &block.transactions[0].message.instructions[0];
    assert_eq!(
        message["instructions"],
        json!([{
            "programIdIndex": ix.program_id_index,
            "accounts": ix.accounts,
            "data": bs58::encode(&ix.data).into_string(),
            "stackHeight": null,
        }])
    );
    // SPL transfer data: tag 3 then the amount, little endian.
    assert_eq!(bs58::decode(message["instructions"][0]["data"].as_str().unwrap()).into_vec().unwrap()[0], 3);

    let meta = &ok["meta"];
    let expected = &block.transactions[0].meta;
    assert_eq!(meta["err"], Value::Null);
    assert_eq!(meta["status"], json!({"Ok": null}));
    assert_eq!(meta["fee"], 5_000);
    assert_eq!(meta["preBalances"], json!(expected.pre_balances));
    assert_eq!(meta["postBalances"], json!(expected.post_balances));
    assert_eq!(meta["logMessages"], json!(expected.log_messages));
    assert!(
        meta["logMessages"][0].as_str().unwrap().starts_with("Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    );
    assert_eq!(meta["innerInstructions"], json!([]));
    assert_eq!(meta["computeUnitsConsumed"], expected.compute_units_consumed);
    assert_eq!(meta["loadedAddresses"], json!({"writable": [], "readonly": []}));
    assert_eq!(meta["rewards"], json!([]));
    let alice_ata = pda::nos_ata(&alice).to_string();
    let bob_ata = pda::nos_ata(&bob).to_string();
    let index_of = |k: &str| keys.iter().position(|x| x == k).unwrap();
    let balance = |account: &str, owner: String, amount: &str, ui: Value, ui_string: &str| {
        json!({
            "accountIndex": index_of(account),
            "mint": "nosXBVoaCTtYdLvKY6Csb4AC8JCdQKKAaWYtx2ZMoo7",
            "owner": owner,
            "programId": TOKEN_PROGRAM_ID.to_string(),
            "uiTokenAmount": {"amount": amount, "decimals": 6, "uiAmount": ui, "uiAmountString": ui_string},
        })
    };
    let pre = meta["preTokenBalances"].as_array().unwrap();
    let post = meta["postTokenBalances"].as_array().unwrap();
    assert!(pre.contains(&balance(&alice_ata, alice.to_string(), "100000000", json!(100.0), "100")));
    assert!(pre.contains(&balance(&bob_ata, bob.to_string(), "0", Value::Null, "0")));
    assert!(post.contains(&balance(&alice_ata, alice.to_string(), "99000000", json!(99.0), "99")));
    assert!(post.contains(&balance(&bob_ata, bob.to_string(), "1000000", json!(1.0), "1")));

    let failed = &txs[1]["meta"];
    assert_eq!(failed["err"], json!({"InstructionError": [0, {"Custom": 1}]}));
    assert_eq!(failed["status"], json!({"Err": {"InstructionError": [0, {"Custom": 1}]}}));
    assert_eq!(failed["fee"], 5_000);
}

#[tokio::test]
async fn get_block_with_signatures_none_or_accounts_details_and_without_rewards() {
    let w = world().await;
    let r = w.result("getBlock", json!([1004, {"transactionDetails": "signatures", "commitment": "confirmed"}])).await;
    assert_eq!(r["signatures"], json!([w.sig(4), w.sig(5)]));
    assert!(r.get("transactions").is_none());
    assert_eq!(r["blockHeight"], 3);

    let r = w
        .result("getBlock", json!([1004, {"transactionDetails": "none", "rewards": false, "commitment": "confirmed"}]))
        .await;
    assert!(r.get("transactions").is_none() && r.get("signatures").is_none() && r.get("rewards").is_none());
    assert_eq!(r["blockhash"], w.block(1004).blockhash_base58());

    let r = w.result("getBlock", json!([1004, {"transactionDetails": "accounts", "commitment": "confirmed"}])).await;
    let tx = &r["transactions"][0];
    assert_eq!(tx["transaction"]["signatures"], json!([w.sig(4)]));
    assert_eq!(
        tx["transaction"]["accountKeys"][0],
        json!({"pubkey": w.bob.pubkey().to_string(), "writable": true, "signer": true, "source": "transaction"})
    );
    let program = tx["transaction"]["accountKeys"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        program,
        json!({"pubkey": TOKEN_PROGRAM_ID.to_string(), "writable": false, "signer": false, "source": "transaction"})
    );
    assert!(tx["meta"].get("logMessages").is_none() && tx["meta"].get("innerInstructions").is_none());
    assert_eq!(tx["meta"]["fee"], 5_000);
    assert!(tx.get("version").is_none(), "no version without maxSupportedTransactionVersion");

    // Full details without rewards: the meta's rewards are null, the block's absent.
    let r = w.result("getBlock", json!([1001, {"rewards": false}])).await;
    assert!(r.get("rewards").is_none());
    assert_eq!(r["transactions"][0]["meta"]["rewards"], Value::Null);
}

#[tokio::test]
async fn get_block_in_base64_and_base58_carries_the_exact_wire_bytes() {
    let w = world().await;
    let block = w.block(1002);
    let r = w.result("getBlock", json!([1002, {"encoding": "base64", "maxSupportedTransactionVersion": 0}])).await;
    let tx = &r["transactions"][0];
    assert_eq!(tx["transaction"][1], "base64");
    assert_eq!(b64(&tx["transaction"][0]), block.transactions[0].wire);
    assert_eq!(tx["version"], 0);
    let r = w.result("getBlock", json!([1002, {"encoding": "base58", "maxSupportedTransactionVersion": 0}])).await;
    let tx = &r["transactions"][0]["transaction"];
    assert_eq!(tx[1], "base58");
    assert_eq!(bs58::decode(tx[0].as_str().unwrap()).into_vec().unwrap(), block.transactions[0].wire);
    // jsonParsed falls back to json.
    let r = w.result("getBlock", json!([1002, {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0}])).await;
    assert_eq!(r["transactions"][0]["transaction"]["message"]["addressTableLookups"], json!([]));
}

#[tokio::test]
async fn a_v0_transaction_without_max_supported_version_is_error_32015() {
    let w = world().await;
    for (method, params) in [
        ("getBlock", json!([1002])),
        ("getBlock", json!([1002, {"transactionDetails": "accounts"}])),
        ("getTransaction", json!([w.sig(3)])),
        ("getTransaction", json!([w.sig(3), "base64"])),
    ] {
        let (code, message) = w.error(method, params.clone()).await;
        assert_eq!(code, -32015, "{method} {params}");
        assert_eq!(
            message,
            "Transaction version (0) is not supported by the requesting client. Please try the request again with \
             the following configuration parameter: \"maxSupportedTransactionVersion\": 0"
        );
    }
    // Signatures only never looks at versions.
    let r = w.result("getBlock", json!([1002, {"transactionDetails": "signatures"}])).await;
    assert_eq!(r["signatures"], json!([w.sig(3)]));
}

#[tokio::test]
async fn blocks_not_yet_at_the_commitment_skipped_dead_and_pre_genesis_slots_have_agaves_errors() {
    let w = world().await;
    // 1006 is only confirmed, 1007 only processed.
    assert_eq!(w.error("getBlock", json!([1006])).await, (-32004, "Block not available for slot 1006".into()));
    let r = w.result("getBlock", json!([1006, {"commitment": "confirmed", "transactionDetails": "none"}])).await;
    assert_eq!(r["parentSlot"], 1004, "the dead fork is not a parent");
    let (code, message) = w.error("getBlock", json!([1007, {"commitment": "confirmed"}])).await;
    assert_eq!((code, message.as_str()), (-32004, "Block not available for slot 1007"));
    assert_eq!(w.error("getBlock", json!([5_000])).await.0, -32004);
    // 1003 was skipped; at finalized it is still ahead of the root.
    assert_eq!(w.error("getBlock", json!([1003])).await.0, -32004);
    let (code, message) = w.error("getBlock", json!([1003, {"commitment": "confirmed"}])).await;
    assert_eq!(code, -32007);
    assert_eq!(message, "Slot 1003 was skipped, or missing due to ledger jump to recent snapshot");
    // The dead fork never confirms: skipped below the confirmed slot.
    assert_eq!(w.error("getBlock", json!([1005, {"commitment": "confirmed"}])).await.0, -32007);
    // Before the chain began, with full history kept.
    let (code, message) = w.error("getBlock", json!([10])).await;
    assert_eq!((code, message.as_str()), (-32009, "Slot 10 was skipped, or missing in long-term storage"));
    // Processed is not a commitment blocks answer at.
    let (code, message) = w.error("getBlock", json!([1007, {"commitment": "processed"}])).await;
    assert_eq!((code, message.as_str()), (-32602, "Method does not support commitment below `confirmed`"));
    assert_eq!(w.result("getBlockTime", json!([1004])).await, BLOCK_TIME + 4);
    assert_eq!(w.error("getBlockTime", json!([1007])).await.0, -32004);
}

#[tokio::test]
async fn pruned_history_answers_block_cleaned_up() {
    let w =
        crate::world::world_with(nosana_node::ledger::LedgerConfig { replay_slots: 150, history_slots: Some(3) }).await;
    // Keeping 3 slots behind 1007 drops everything before 1004.
    let (code, message) = w.error("getBlock", json!([1002])).await;
    assert_eq!(code, -32001);
    assert_eq!(message, "Block 1002 cleaned up, does not exist on node. First available block: 1004");
    assert_eq!(w.result("getFirstAvailableBlock", json!([])).await, 1004);
}

#[tokio::test]
async fn get_blocks_and_get_blocks_with_limit_list_committed_canonical_slots() {
    let w = world().await;
    assert_eq!(w.result("getBlocks", json!([1000])).await, json!([1001, 1002]));
    assert_eq!(
        w.result("getBlocks", json!([1000, {"commitment": "confirmed"}])).await,
        json!([1001, 1002, 1004, 1006])
    );
    assert_eq!(w.result("getBlocks", json!([1002, 1005, {"commitment": "confirmed"}])).await, json!([1002, 1004]));
    assert_eq!(w.result("getBlocks", json!([1010, 1005])).await, json!([]));
    assert_eq!(
        w.result("getBlocksWithLimit", json!([1001, 3, {"commitment": "confirmed"}])).await,
        json!([1001, 1002, 1004])
    );
    assert_eq!(w.result("getBlocksWithLimit", json!([1003, 10])).await, json!([]));
    assert_eq!(w.result("getFirstAvailableBlock", json!([])).await, 1001);
    // The range is clamped to the newest committed slot before its size is checked.
    assert_eq!(
        w.result("getBlocks", json!([0, 600_000, {"commitment": "confirmed"}])).await,
        json!([1001, 1002, 1004, 1006])
    );
    let (code, message) = w.error("getBlocksWithLimit", json!([0, 500_001])).await;
    assert_eq!((code, message.as_str()), (-32602, "Limit too large; max 500000"));
}

#[tokio::test]
async fn get_transaction_returns_slot_block_time_and_the_wire_bytes_the_sdk_verifies() {
    let w = world().await;
    let block = w.block(1001);
    let r = w
        .result("getTransaction", json!([w.sig(1), {"encoding": "base64", "maxSupportedTransactionVersion": 0}]))
        .await;
    assert_eq!(r["slot"], 1001);
    assert_eq!(r["blockTime"], BLOCK_TIME + 1);
    assert_eq!(r["version"], "legacy");
    let bytes = b64(&r["transaction"][0]);
    assert_eq!(bytes, block.transactions[0].wire);
    let parsed: VersionedTransaction = wincode::deserialize(&bytes).expect("the SDK parses it");
    parsed.verify_and_hash_message().expect("its signatures verify");
    assert_eq!(parsed.signatures[0].to_string(), w.sig(1));
    assert_eq!(r["meta"]["status"], json!({"Ok": null}));

    // The v0 one, through the SDK too.
    let r = w
        .result("getTransaction", json!([w.sig(3), {"encoding": "base64", "maxSupportedTransactionVersion": 0}]))
        .await;
    assert_eq!(r["version"], 0);
    let parsed: VersionedTransaction = wincode::deserialize(&b64(&r["transaction"][0])).expect("the SDK parses v0");
    parsed.verify_and_hash_message().expect("v0 signatures verify");
    assert!(parsed.message.address_table_lookups().is_some(), "a v0 message");

    // The failed transfer in json: error and status, no version without asking.
    let r = w.result("getTransaction", json!([w.sig(2)])).await;
    assert!(r.get("version").is_none());
    assert_eq!(r["meta"]["err"], json!({"InstructionError": [0, {"Custom": 1}]}));
    assert_eq!(r["meta"]["status"], json!({"Err": {"InstructionError": [0, {"Custom": 1}]}}));
    assert_eq!(r["transaction"]["signatures"], json!([w.sig(2)]));
    assert_eq!(r["transaction"]["message"]["accountKeys"][0], w.alice.pubkey().to_string());
}

#[tokio::test]
async fn get_transaction_honours_commitment_and_knows_nothing_of_dead_forks() {
    let w = world().await;
    // t7 in 1006 is confirmed, not finalized.
    assert_eq!(w.result("getTransaction", json!([w.sig(7)])).await, Value::Null);
    let r = w.result("getTransaction", json!([w.sig(7), {"commitment": "confirmed"}])).await;
    assert_eq!(r["slot"], 1006);
    // t8 is only processed, t6 died with its fork.
    assert_eq!(w.result("getTransaction", json!([w.sig(8), {"commitment": "confirmed"}])).await, Value::Null);
    assert_eq!(w.result("getTransaction", json!([w.sig(6), {"commitment": "confirmed"}])).await, Value::Null);
}

#[tokio::test]
async fn get_signatures_for_address_pages_newest_first_with_before_and_until() {
    let w = world().await;
    let ata = pda::nos_ata(&w.alice.pubkey()).to_string();
    let sigs = |r: &Value| -> Vec<String> {
        r.as_array().unwrap().iter().map(|e| e["signature"].as_str().unwrap().to_string()).collect()
    };
    let c = |extra: Value| {
        let mut cfg = json!({"commitment": "confirmed"});
        cfg.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!([ata, cfg])
    };
    // Everything confirmed that touched alice's token account: t7, t5, t4 (1004, newest index first), t3, t2, t1.
    let all = w.result("getSignaturesForAddress", c(json!({}))).await;
    assert_eq!(sigs(&all), [7, 5, 4, 3, 2, 1].map(|n| w.sig(n)));
    let page1 = w.result("getSignaturesForAddress", c(json!({"limit": 2}))).await;
    assert_eq!(sigs(&page1), [w.sig(7), w.sig(5)]);
    let page2 = w.result("getSignaturesForAddress", c(json!({"limit": 2, "before": w.sig(5)}))).await;
    assert_eq!(sigs(&page2), [w.sig(4), w.sig(3)]);
    let page3 = w.result("getSignaturesForAddress", c(json!({"limit": 2, "before": w.sig(3)}))).await;
    assert_eq!(sigs(&page3), [w.sig(2), w.sig(1)]);
    let until = w.result("getSignaturesForAddress", c(json!({"until": w.sig(3)}))).await;
    assert_eq!(sigs(&until), [w.sig(7), w.sig(5), w.sig(4)]);
    let window = w.result("getSignaturesForAddress", c(json!({"before": w.sig(7), "until": w.sig(1)}))).await;
    assert_eq!(sigs(&window), [5, 4, 3, 2].map(|n| w.sig(n)));

    // Finalized by default.
    let finalized = w.result("getSignaturesForAddress", json!([ata])).await;
    assert_eq!(sigs(&finalized), [w.sig(3), w.sig(2), w.sig(1)]);

    // Entry shape.
    assert_eq!(
        all[0],
        json!({
            "signature": w.sig(7), "slot": 1006, "err": null, "memo": null,
            "blockTime": BLOCK_TIME + 6, "confirmationStatus": "confirmed",
        })
    );
    assert_eq!(all[4]["err"], json!({"InstructionError": [0, {"Custom": 1}]}));
    assert_eq!(all[4]["confirmationStatus"], "finalized");

    // An unknown `before` finds nothing, as Agave; an address with no history, nothing.
    let unknown = solana_pubkey::Pubkey::new_unique().to_string();
    assert_eq!(
        w.result("getSignaturesForAddress", json!([ata, {"before": bs58::encode([7u8; 64]).into_string()}])).await,
        json!([])
    );
    assert_eq!(w.result("getSignaturesForAddress", json!([unknown])).await, json!([]));
}

#[tokio::test]
async fn get_signature_statuses_report_slot_status_and_confirmations() {
    let w = world().await;
    let r = w.result("getSignatureStatuses", json!([[w.sig(2), w.sig(8), w.sig(6)]])).await;
    assert_eq!(r["context"]["slot"], 1007);
    let v = &r["value"];
    assert_eq!(
        v[0],
        json!({
            "slot": 1001, "confirmations": null, "err": {"InstructionError": [0, {"Custom": 1}]},
            "status": {"Err": {"InstructionError": [0, {"Custom": 1}]}}, "confirmationStatus": "finalized",
        })
    );
    assert_eq!(v[1]["confirmationStatus"], "processed");
    assert_eq!(v[1]["confirmations"], 0);
    assert_eq!(v[2], Value::Null);
}

#[tokio::test]
async fn a_get_blocks_range_over_500000_committed_slots_is_too_large() {
    let w = world().await;
    let (block, _) = w.state.chain.write().unwrap().produce(700_000, BLOCK_TIME + 700_000, &[]);
    w.state.ledger.insert_block(std::sync::Arc::new(block));
    // Finalizing 700000 finalizes every canonical slot before it.
    for slot in [1004, 1006, 1007, 700_000] {
        for s in [SlotStatus::Processed, SlotStatus::Confirmed, SlotStatus::Finalized] {
            w.state.ledger.set_status(slot, &s);
        }
    }
    let (code, message) = w.error("getBlocks", json!([0, 600_000])).await;
    assert_eq!((code, message.as_str()), (-32602, "Slot range too large; max 500000"));
    // Without an end the range is start + 500000.
    assert_eq!(w.result("getBlocks", json!([0])).await, json!([1001, 1002, 1004, 1006, 1007]));
    assert_eq!(w.result("getBlocks", json!([200_000])).await, json!([700_000]));
}
