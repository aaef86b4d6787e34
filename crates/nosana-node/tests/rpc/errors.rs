//! Bad input of every kind gets the standard JSON-RPC error, never a crash or an HTTP error.

use nosana_chain::Signer;
use serde_json::{Value, json};

use crate::world::world;

fn error_of(answer: &Value) -> (i64, String) {
    (answer["error"]["code"].as_i64().unwrap(), answer["error"]["message"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn malformed_envelopes_get_parse_and_invalid_request_errors() {
    let w = world().await;
    for body in ["{", "not json", "{\"jsonrpc\": \"2.0\", \"method\": ", ""] {
        let (status, answer) = w.post(body).await;
        assert_eq!(status, 200);
        assert_eq!(
            answer,
            json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}),
            "{body:?}"
        );
    }
    let cases = [
        (json!({"jsonrpc": "1.0", "id": 7, "method": "getSlot"}), "`jsonrpc` must be \"2.0\"", json!(7)),
        (json!({"id": 7, "method": "getSlot"}), "`jsonrpc` must be \"2.0\"", json!(7)),
        (json!({"jsonrpc": "2.0", "id": 7}), "`method` must be a string", json!(7)),
        (json!({"jsonrpc": "2.0", "id": 7, "method": 5}), "`method` must be a string", json!(7)),
        (
            json!({"jsonrpc": "2.0", "id": {"x": 1}, "method": "getSlot"}),
            "`id` must be a number, a string or null",
            Value::Null,
        ),
        (json!(42), "a request must be a JSON object", Value::Null),
        (json!([]), "empty batch", Value::Null),
    ];
    for (body, why, id) in cases {
        let (status, answer) = w.post(&body.to_string()).await;
        assert_eq!(status, 200);
        assert_eq!(error_of(&answer), (-32600, format!("Invalid request: {why}")), "{body}");
        assert_eq!(answer["id"], id, "{body}");
    }
}

#[tokio::test]
async fn unknown_methods_are_method_not_found() {
    let w = world().await;
    let answer = w.call("getEverything", json!([])).await;
    assert_eq!(error_of(&answer), (-32601, "Method not found".into()));
    assert_eq!(answer["error"]["data"], "getEverything");
}

#[tokio::test]
async fn missing_and_ill_typed_params_name_the_parameter() {
    let w = world().await;
    let alice = w.alice.pubkey().to_string();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("getBlock", json!([]), "Invalid params: missing `slot` (parameter 0)"),
        ("getBlock", json!(["1001"]), "Invalid params: `slot` must be an unsigned integer, got \"1001\""),
        ("getBlock", json!([-1]), "Invalid params: `slot` must be an unsigned integer, got -1"),
        (
            "getBlock",
            json!([1001, {"encoding": "xml"}]),
            "Invalid params: unknown encoding `xml`, expected one of `json`, `jsonParsed`, `base58`, `base64`, `binary`",
        ),
        ("getBlock", json!([1001, "xml"]), "Invalid params: unknown encoding `xml`"),
        (
            "getBlock",
            json!([1001, {"transactionDetails": "most"}]),
            "Invalid params: unknown transactionDetails `most`, expected one of `full`, `signatures`, `none`, `accounts`",
        ),
        ("getBlock", json!([1001, {"rewards": "yes"}]), "Invalid params: `rewards` must be a boolean, got a string"),
        (
            "getBlock",
            json!([1001, {"maxSupportedTransactionVersion": 300}]),
            "Invalid params: `maxSupportedTransactionVersion` 300 is not a u8",
        ),
        ("getBlock", json!([1001, 7]), "Invalid params: the config (parameter 1) must be an object, got a number"),
        ("getBlock", json!([1001, {}, 3]), "Invalid params: expected at most 2 parameter(s), got 3"),
        (
            "getSlot",
            json!([{"commitment": "max"}]),
            "Invalid params: unknown commitment `max`, expected one of `processed`, `confirmed`, `finalized`",
        ),
        ("getSlot", json!({"commitment": "finalized"}), "Invalid params: `params` must be an array"),
        ("getBalance", json!([]), "Invalid params: missing `pubkey` (parameter 0)"),
        ("getBalance", json!([12]), "Invalid params: `pubkey` must be a string, got a number"),
        ("getAccountInfo", json!(["0OIl"]), "Invalid param: `pubkey` \"0OIl\" is not a base58 public key (Invalid)"),
        ("getAccountInfo", json!(["abc"]), "Invalid param: `pubkey` \"abc\" is not a base58 public key (WrongSize)"),
        (
            "getAccountInfo",
            json!([alice, {"dataSlice": {"offset": 1}}]),
            "Invalid params: `dataSlice.length` is missing",
        ),
        (
            "getMultipleAccounts",
            json!([[alice, "nope"]]),
            "Invalid param: `pubkeys[1]` \"nope\" is not a base58 public key (WrongSize)",
        ),
        ("getMultipleAccounts", json!([alice]), "Invalid params: `pubkeys` must be an array, got a string"),
        ("getTransaction", json!(["xyz"]), "Invalid param: `signature` \"xyz\" is not a base58 signature (WrongSize)"),
        ("getTransaction", json!(["0000"]), "Invalid param: `signature` \"0000\" is not a base58 signature (Invalid)"),
        ("getSignaturesForAddress", json!([alice, {"limit": 1001}]), "Invalid limit; max 1000"),
        ("getSignaturesForAddress", json!([alice, {"limit": 0}]), "Invalid limit; max 1000"),
        (
            "getSignaturesForAddress",
            json!([alice, {"before": "bad"}]),
            "Invalid param: `before` \"bad\" is not a base58 signature (WrongSize)",
        ),
        (
            "getSignaturesForAddress",
            json!([alice, {"commitment": "processed"}]),
            "Method does not support commitment below `confirmed`",
        ),
        (
            "getProgramAccounts",
            json!([alice, {"filters": [{"dataSize": 1}, {"dataSize": 2}, {"dataSize": 3}, {"dataSize": 4}, {"dataSize": 5}]}]),
            "Too many filters provided; max 4",
        ),
        (
            "getProgramAccounts",
            json!([alice, {"filters": [{"memcmp": {"offset": 0}}]}]),
            "Invalid params: `filters[0]` `memcmp.bytes` must be a string",
        ),
        (
            "getProgramAccounts",
            json!([alice, {"filters": [{"memcmp": {"offset": 0, "bytes": "0OIl"}}]}]),
            "Invalid param: `filters[0].memcmp.bytes` is not base58 (provided string contained invalid character '0' at byte 0)",
        ),
        (
            "getProgramAccounts",
            json!([alice, {"filters": [{"memcmp": {"offset": 0, "bytes": "1".repeat(176)}}]}]),
            "Invalid param: Base58DataTooLarge",
        ),
        (
            "getProgramAccounts",
            json!([alice, {"filters": [{"owner": 1}]}]),
            "Invalid params: `filters[0]` has unknown filter `owner`",
        ),
        (
            "getProgramAccounts",
            json!([alice, {"filters": {"dataSize": 1}}]),
            "Invalid params: `filters` must be an array, got an object",
        ),
        (
            "getSignatureStatuses",
            json!([["bad"]]),
            "Invalid param: `signatures[0]` \"bad\" is not a base58 signature (WrongSize)",
        ),
        ("getBlocks", json!([1, "2"]), "Invalid params: `end_slot` must be an unsigned integer, got a string"),
        (
            "getMinimumBalanceForRentExemption",
            json!([u64::MAX]),
            "Invalid param: data length 18446744073709551615 exceeds the limit of 10485760",
        ),
        ("getVersion", json!([1]), "Invalid params: expected at most 0 parameter(s), got 1"),
    ];
    for (method, params, message) in cases {
        let (code, got) = w.error(method, params.clone()).await;
        assert_eq!((code, got.as_str()), (-32602, message), "{method} {params}");
    }
}

#[tokio::test]
async fn a_batch_answers_each_request_in_order_and_skips_notifications() {
    let w = world().await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "getSlot"},
        {"jsonrpc": "2.0", "id": "two", "method": "nope"},
        {"jsonrpc": "2.0", "method": "getSlot"},
        {"jsonrpc": "2.0", "id": 3, "method": "getBalance", "params": ["bad"]},
        17,
        {"jsonrpc": "2.0", "id": null, "method": "getHealth"},
    ]);
    let (status, answer) = w.post(&batch.to_string()).await;
    assert_eq!(status, 200);
    let list = answer.as_array().expect("a batch answer");
    assert_eq!(list.len(), 5, "the notification gets no answer: {answer}");
    assert_eq!(list[0], json!({"jsonrpc": "2.0", "result": 1002, "id": 1}));
    assert_eq!((list[1]["id"].clone(), list[1]["error"]["code"].clone()), (json!("two"), json!(-32601)));
    assert_eq!((list[2]["id"].clone(), list[2]["error"]["code"].clone()), (json!(3), json!(-32602)));
    assert_eq!((list[3]["id"].clone(), list[3]["error"]["code"].clone()), (Value::Null, json!(-32600)));
    assert_eq!(list[4], json!({"jsonrpc": "2.0", "result": "ok", "id": null}));
    // Only notifications: nothing comes back.
    let (status, answer) = w.post(&json!({"jsonrpc": "2.0", "method": "getSlot"}).to_string()).await;
    assert_eq!((status, answer), (200, Value::Null));
}

#[tokio::test]
async fn the_server_keeps_serving_after_any_garbage() {
    let w = world().await;
    for body in
        ["[[]]", "[{}]", "null", "\"x\"", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBlock\",\"params\":[null]}"]
    {
        let (status, answer) = w.post(body).await;
        assert_eq!(status, 200, "{body}");
        assert!(answer.is_object() || answer.is_array(), "{body}: {answer}");
    }
    assert_eq!(w.result("getSlot", json!([])).await, 1002);
}
