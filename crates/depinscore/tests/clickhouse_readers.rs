//! schema/clickhouse-users/readers.xml, the read-only ClickHouse users docker-compose.yml gives
//! the API and Grafana, loaded into a real ClickHouse server the way the compose file mounts it
//! (users.d, passwords from the server's environment): each reads the depinscore database and
//! can change nothing, and Grafana's user cannot lift its read-only mode.

use std::path::{Path, PathBuf};

use depinscore_localserver::ClickHouse;

const API: (&str, &str) = ("depinscore_api", "api-secret");
const GRAFANA: (&str, &str) = ("depinscore_grafana", "grafana-secret");

fn readers_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/clickhouse-users/readers.xml")
}

/// A server with the readers file, a `depinscore` database holding one row and an `other`
/// database beside it.
fn server() -> ClickHouse {
    let ch = ClickHouse::start_with_users(
        &[&readers_file()],
        &[("DEPINSCORE_CLICKHOUSE_API_PASSWORD", API.1), ("DEPINSCORE_CLICKHOUSE_GRAFANA_PASSWORD", GRAFANA.1)],
    )
    .expect("ClickHouse starts with schema/clickhouse-users/readers.xml");
    for db in ["depinscore", "other"] {
        ch.query(&format!("CREATE DATABASE {db}")).unwrap();
        ch.query(&format!("CREATE TABLE {db}.t (x UInt8) ENGINE = MergeTree ORDER BY x")).unwrap();
        ch.query(&format!("INSERT INTO {db}.t VALUES (7)")).unwrap();
    }
    ch
}

fn as_user(
    ch: &ClickHouse,
    (user, password): (&str, &str),
    settings: &[(&str, &str)],
    sql: &str,
) -> Result<String, String> {
    let mut params = vec![("user", user), ("password", password)];
    params.extend_from_slice(settings);
    ch.query_with(&params, sql).map(|body| body.trim().to_string()).map_err(|e| e.to_string())
}

/// The statements a reader must never get through, with the table still holding its one row.
fn assert_writes_nothing(ch: &ClickHouse, user: (&str, &str), settings: &[(&str, &str)]) {
    for sql in [
        "INSERT INTO depinscore.t VALUES (8)",
        "CREATE TABLE depinscore.u (x UInt8) ENGINE = Memory",
        "DROP TABLE depinscore.t",
        "TRUNCATE TABLE depinscore.t",
        "ALTER TABLE depinscore.t DELETE WHERE x = 7",
    ] {
        let refused = as_user(ch, user, settings, sql).expect_err(sql);
        assert!(refused.contains("readonly") || refused.contains("READONLY"), "{}: {sql}: {refused}", user.0);
    }
    assert_eq!(ch.query("SELECT count(), sum(x) FROM depinscore.t").unwrap().trim(), "1\t7", "{}", user.0);
}

#[test]
fn the_api_user_reads_the_depinscore_database_and_changes_nothing() {
    let ch = server();
    assert_eq!(as_user(&ch, API, &[], "SELECT sum(x) FROM depinscore.t").unwrap(), "7");
    assert_writes_nothing(&ch, API, &[]);
    // What the API would send if it could: its profile sets it instead.
    for (name, value) in depinscore_clickhouse::READER_SETTINGS {
        let sql = format!("SELECT value FROM system.settings WHERE name = '{name}'");
        assert_eq!(as_user(&ch, API, &[], &sql).unwrap(), *value, "{name}");
    }

    // readonly = 1: not even a per-query setting, so nothing can loosen it.
    let refused = as_user(&ch, API, &[("readonly", "0")], "SELECT 1").unwrap_err();
    assert!(refused.contains("readonly"), "{refused}");
    // Only the depinscore database, and only with its password.
    assert!(as_user(&ch, API, &[], "SELECT x FROM other.t").is_err(), "the API user reads another database");
    assert!(as_user(&ch, (API.0, "wrong"), &[], "SELECT 1").is_err(), "a wrong password is accepted");
}

#[test]
fn the_grafana_user_may_limit_its_queries_but_never_writes_or_lifts_read_only() {
    let ch = server();
    // The datasource plugin's client sets max_execution_time on every query.
    let limited = [("max_execution_time", "30")];
    assert_eq!(as_user(&ch, GRAFANA, &limited, "SELECT sum(x) FROM depinscore.t").unwrap(), "7");
    assert_writes_nothing(&ch, GRAFANA, &limited);

    // readonly = 2 lets it set settings, but not `readonly` itself.
    let lifted = [("readonly", "0")];
    let refused = as_user(&ch, GRAFANA, &lifted, "SELECT 1").unwrap_err();
    assert!(refused.contains("readonly"), "{refused}");
    assert_writes_nothing(&ch, GRAFANA, &lifted);

    assert!(as_user(&ch, GRAFANA, &[], "SELECT x FROM other.t").is_err(), "the Grafana user reads another database");
    assert!(as_user(&ch, (GRAFANA.0, "wrong"), &[], "SELECT 1").is_err(), "a wrong password is accepted");
}
