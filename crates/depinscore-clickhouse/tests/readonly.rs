//! A read-only client (what the API uses) reads everything and can change nothing.

use depinscore_clickhouse::{ChConfig, ChStore, READER_SETTINGS};
use depinscore_localserver::ClickHouse;

#[tokio::test]
async fn a_readonly_client_reads_but_cannot_insert_or_drop() {
    let server = ClickHouse::start().unwrap();
    let writer_cfg = ChConfig { url: server.http_url(), database: "ro_test".into(), ..ChConfig::default() };
    let writer = ChStore::open(&writer_cfg, 1_700_000_000).await.unwrap();
    let reader = ChStore::connect(&ChConfig { readonly: true, ..writer_cfg }).unwrap();
    reader.ping().await.unwrap();
    assert_eq!(reader.last_written_slot().await.unwrap(), None);
    let insert = reader
        .client()
        .query("INSERT INTO ro_test.slots (slot, parent_slot, block_time, block_height, blockhash, executed_transactions, indexed_transactions, indexed_at) VALUES (1, 0, 0, 1, 'h', 0, 0, 0)")
        .execute()
        .await;
    assert!(insert.is_err(), "a read-only client inserted");
    let drop = reader.client().query("DROP TABLE ro_test.slots").execute().await;
    assert!(drop.is_err(), "a read-only client dropped a table");
    assert_eq!(writer.last_written_slot().await.unwrap(), None);
    assert!(server.query("EXISTS TABLE ro_test.slots").unwrap().trim() == "1");
}

#[tokio::test]
async fn a_dedicated_readonly_user_reads_when_no_setting_is_sent_and_cannot_write() {
    let server = ClickHouse::start().unwrap();
    let writer_cfg = ChConfig { url: server.http_url(), database: "ro_user".into(), ..ChConfig::default() };
    ChStore::open(&writer_cfg, 1_700_000_000).await.unwrap();
    // How `depinscore serve` reads with `api.clickhouse_user`: that user's profile is
    // readonly = 1, which refuses any per-query setting, so none is sent.
    let reader = ChStore::connect(&ChConfig { user: "reader".into(), readonly: false, ..writer_cfg.clone() }).unwrap();
    reader.ping().await.unwrap();
    assert_eq!(reader.last_written_slot().await.unwrap(), None);
    assert!(reader.client().query("DROP TABLE ro_user.slots").execute().await.is_err());
    // Sending readonly = 2 to such a user is refused: the reason the API does not.
    let refused = ChStore::connect(&ChConfig { user: "reader".into(), readonly: true, ..writer_cfg }).unwrap();
    assert!(refused.ping().await.is_err(), "a readonly = 1 user accepted a settings change");
}

#[tokio::test]
async fn a_reader_asks_for_the_uncompressed_cache_that_the_servers_default_leaves_off() {
    let server = ClickHouse::start().unwrap();
    let writer_cfg = ChConfig { url: server.http_url(), database: "ro_cache".into(), ..ChConfig::default() };
    let writer = ChStore::open(&writer_cfg, 1_700_000_000).await.unwrap();
    let sql = "SELECT value FROM system.settings WHERE name = 'use_uncompressed_cache'";
    let cache = writer.client().query(sql).fetch_one::<String>().await.unwrap();
    assert_eq!(cache, "0", "the test server's default, as in current releases");
    let reader = ChStore::connect(&ChConfig { readonly: true, ..writer_cfg }).unwrap();
    assert_eq!(reader.client().query(sql).fetch_one::<String>().await.unwrap(), "1");
    for (name, value) in READER_SETTINGS {
        let sql = format!("SELECT value FROM system.settings WHERE name = '{name}'");
        assert_eq!(reader.client().query(&sql).fetch_one::<String>().await.unwrap(), *value, "{name}");
    }
}
