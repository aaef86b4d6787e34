//! The cluster variant of the schema against a real ClickHouse: every rewritten statement
//! parses, names a cluster the server knows, and every replicated engine gets arguments the
//! server accepts. (Without Keeper the server can go no further: the cluster itself is
//! documented in schema/README.md.)

use depinscore_clickhouse::{MIGRATIONS, for_cluster, statements};
use depinscore_localserver::ClickHouse;

/// The one-replica cluster of depinscore-localserver's config.
const CLUSTER: &str = "depinscore_test";

#[test]
fn every_cluster_statement_parses_and_every_replicated_engine_is_accepted_up_to_keeper() {
    let server = ClickHouse::start().unwrap();
    server.query("CREATE DATABASE IF NOT EXISTS depinscore").unwrap();
    let mut failures = Vec::new();
    for m in MIGRATIONS {
        for statement in statements(m.sql, "depinscore") {
            if statement.starts_with("INSERT") {
                continue;
            }
            let on_cluster = for_cluster(&statement, CLUSTER);
            // Parsed: only the distributed DDL queue (it needs Keeper) is missing.
            match server.query(&on_cluster) {
                Err(e) if e.to_string().contains("DDL background thread is not initialized") => {}
                other => failures.push(format!("{}: {other:?}\n{on_cluster}", m.name)),
            }
            // The replicated engine and its arguments, on this server alone.
            if on_cluster.contains("ENGINE = Replicated") {
                let local = on_cluster.replace(&format!(" ON CLUSTER {CLUSTER}"), "");
                match server.query(&local) {
                    Err(e) if e.to_string().contains("without ZooKeeper") => {}
                    other => failures.push(format!("{}: {other:?}\n{local}", m.name)),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
