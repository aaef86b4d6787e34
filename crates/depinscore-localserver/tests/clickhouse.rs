//! A real ClickHouse server started by depinscore-localserver: queries, users, stop/kill/restart.

use depinscore_localserver::ClickHouse;

#[test]
fn a_started_clickhouse_answers_select_version() {
    let ch = ClickHouse::start().expect("start ClickHouse");
    let version = ch.query("SELECT version()").expect("SELECT version()");
    assert!(version.trim().split('.').count() >= 3, "version {version:?}");
    assert!(ch.http_url().starts_with("http://127.0.0.1:"));
}

#[test]
fn the_reader_user_can_select_but_not_write() {
    let ch = ClickHouse::start().expect("start ClickHouse");
    assert_eq!(ch.query_as("reader", "SELECT 1 + 1").unwrap().trim(), "2");
    let refused = ch.query_as("reader", "CREATE TABLE t (x UInt8) ENGINE = Memory").unwrap_err();
    assert!(refused.to_string().contains("readonly"), "{refused}");
}

#[test]
fn a_restarted_clickhouse_keeps_a_tables_rows() {
    let mut ch = ClickHouse::start().expect("start ClickHouse");
    ch.query("CREATE TABLE kept (id UInt64, name String) ENGINE = MergeTree ORDER BY id").unwrap();
    ch.query("INSERT INTO kept VALUES (1, 'a'), (2, 'b'), (3, 'c')").unwrap();
    let url = ch.http_url();

    ch.restart().expect("restart");
    assert_eq!(ch.http_url(), url, "same ports after a restart");
    assert_eq!(ch.query("SELECT count(), sum(id) FROM kept").unwrap().trim(), "3\t6");

    ch.stop().expect("graceful stop");
    assert!(!ch.is_running());
    assert!(ch.query("SELECT 1").is_err(), "a stopped server does not answer");
    ch.restart().expect("start after a stop");
    ch.query("INSERT INTO kept VALUES (4, 'd')").unwrap();

    ch.kill().expect("kill");
    ch.restart().expect("start after a kill");
    assert_eq!(
        ch.query("SELECT groupArray(name) FROM (SELECT name FROM kept ORDER BY id)").unwrap().trim(),
        "['a','b','c','d']"
    );
}

#[test]
fn dropping_a_clickhouse_kills_it_and_removes_its_directory() {
    let ch = ClickHouse::start().expect("start ClickHouse");
    let (dir, port) = (ch.dir().to_path_buf(), ch.http_port());
    assert!(dir.join("config.xml").is_file());
    drop(ch);
    assert!(!dir.exists(), "{} should be removed", dir.display());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} still answers");
}

#[test]
fn a_kept_clickhouse_leaves_its_data_on_drop_and_finds_it_on_the_next_start() {
    let dir = depinscore_localserver::TempDir::new("kept-clickhouse").unwrap();
    let data = dir.path().join("clickhouse");
    {
        let ch = ClickHouse::start_in(&data).expect("start a kept ClickHouse");
        ch.query("CREATE TABLE kept (id UInt64) ENGINE = MergeTree ORDER BY id").unwrap();
        ch.query("INSERT INTO kept VALUES (1), (2)").unwrap();
    }
    // Dropped: stopped gracefully, its directory still there.
    assert!(data.join("data").is_dir(), "the data directory was removed");
    let again = ClickHouse::start_in(&data).expect("start it again");
    assert_eq!(again.query("SELECT count(), sum(id) FROM kept").unwrap().trim(), "2\t3");
}
