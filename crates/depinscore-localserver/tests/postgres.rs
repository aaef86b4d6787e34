//! A real PostgreSQL server started by depinscore-localserver answers queries through sqlx.

use depinscore_localserver::{EXTERNAL_URL_VAR, Postgres};
use sqlx::Connection;

#[tokio::test]
async fn a_started_postgres_answers_select_1_through_sqlx() {
    let pg = Postgres::start().expect("start PostgreSQL");
    assert!(pg.url().starts_with("postgres://postgres@127.0.0.1:"), "{}", pg.url());
    let mut conn = sqlx::PgConnection::connect(pg.url()).await.expect("connect");
    let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&mut conn).await.expect("SELECT 1");
    assert_eq!(one, 1);
    let version: String = sqlx::query_scalar("SHOW server_version").fetch_one(&mut conn).await.unwrap();
    assert!(!version.is_empty());
    conn.close().await.unwrap();
}

#[tokio::test]
async fn dropping_a_postgres_stops_it_and_removes_its_directory() {
    if std::env::var_os(EXTERNAL_URL_VAR).is_some() {
        // An external server is not ours to stop; nothing of this test applies.
        return;
    }
    let pg = Postgres::start().expect("start PostgreSQL");
    let dir = pg.dir().expect("a local server has a directory").to_path_buf();
    let port = pg.port().expect("a local server has a port");
    assert!(dir.join("data").join("PG_VERSION").is_file());
    drop(pg);
    assert!(!dir.exists(), "{} should be removed", dir.display());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} still answers");
}
