//! schema/postgres-users/readers.sh, the script docker-compose.yml gives the postgres image to
//! create Grafana's read-only role, run against a real PostgreSQL server as the image runs it
//! (as the database's owner, before `depinscore migrate` creates the tables): the role reads
//! the store's tables, including ones created after it, and can change nothing.

use std::path::Path;
use std::process::Command;

use depinscore_localserver::Postgres;
use depinscore_sql::SqlStore;

const ROLE: &str = "depinscore_grafana";

/// Runs `sql` through psql as `user` on `db`; Ok(output) or Err(psql's error).
fn psql(pg: &Postgres, user: &str, db: &str, sql: &str) -> Result<String, String> {
    let port = pg.port().expect("a local server").to_string();
    let out = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", &port, "-U", user, "-d", db])
        .args(["-c", sql])
        .output()
        .expect("running psql");
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    if out.status.success() { Ok(text(&out.stdout)) } else { Err(text(&out.stderr)) }
}

/// A server as the postgres image leaves it: a superuser `depinscore` owning database
/// `depinscore`, the readers script run, then the store migrated by its owner.
async fn deployment() -> Postgres {
    let pg = Postgres::start().expect("PostgreSQL starts");
    psql(&pg, "postgres", "postgres", "CREATE ROLE depinscore LOGIN SUPERUSER").unwrap();
    psql(&pg, "postgres", "postgres", "CREATE DATABASE depinscore OWNER depinscore").unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/postgres-users/readers.sh");
    let out = Command::new("sh")
        .arg(&script)
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", pg.port().unwrap().to_string())
        .env("POSTGRES_USER", "depinscore")
        .env("POSTGRES_DB", "depinscore")
        .env("DEPINSCORE_POSTGRES_GRAFANA_PASSWORD", "grafana-secret")
        .output()
        .expect("running readers.sh");
    assert!(out.status.success(), "readers.sh failed: {}", String::from_utf8_lossy(&out.stderr));

    let store =
        SqlStore::connect(&pg.database_url("depinscore").replacen("postgres@", "depinscore@", 1)).await.unwrap();
    store.migrate().await.expect("the owner migrates the store after the role exists");
    store.close().await;
    pg
}

#[tokio::test]
async fn grafanas_role_reads_tables_created_after_it_and_changes_nothing() {
    let pg = deployment().await;
    psql(&pg, "depinscore", "depinscore", "INSERT INTO prices (time, source, usd) VALUES (1, 'test', 0.5)").unwrap();

    // Reads a table `depinscore migrate` created after the role.
    assert_eq!(psql(&pg, ROLE, "depinscore", "SELECT count(*) FROM prices").unwrap(), "1");
    assert_eq!(psql(&pg, ROLE, "depinscore", "SELECT count(*) FROM nodes").unwrap(), "0");

    for sql in [
        "INSERT INTO prices (time, source, usd) VALUES (2, 'grafana', 0.6)",
        "UPDATE prices SET usd = 0",
        "DELETE FROM prices",
        "CREATE TABLE mine (x int)",
        "DROP TABLE prices",
        // Lifting the session's read-only default leaves it without write privileges.
        "SET default_transaction_read_only = off; INSERT INTO prices (time, source, usd) VALUES (3, 'grafana', 0.7)",
        "SET default_transaction_read_only = off; CREATE TABLE mine (x int)",
    ] {
        let refused = psql(&pg, ROLE, "depinscore", sql).expect_err(sql);
        assert!(
            refused.contains("permission denied")
                || refused.contains("read-only transaction")
                || refused.contains("must be owner"),
            "{sql}: {refused}"
        );
    }
    assert_eq!(psql(&pg, "depinscore", "depinscore", "SELECT count(*), sum(usd) FROM prices").unwrap(), "1|0.5");
}
