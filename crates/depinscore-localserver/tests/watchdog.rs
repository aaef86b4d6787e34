//! The watchdog: a test process that exits without dropping its server (a `static`, an
//! abort) leaves nothing behind.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use depinscore_localserver::ClickHouse;

const CHILD: &str = "DEPINSCORE_TESTKIT_WATCHDOG_CHILD";
const NAME: &str = "a_server_outlived_by_nothing_when_its_test_process_exits_without_dropping_it";

#[test]
fn a_server_outlived_by_nothing_when_its_test_process_exits_without_dropping_it() {
    if std::env::var_os(CHILD).is_some() {
        // The child: start a server, report it, and exit without running any destructor.
        let ch = ClickHouse::start().expect("start ClickHouse");
        println!("LEAKED {} {}", ch.http_port(), ch.dir().display());
        std::process::exit(0);
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("run the child test process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find_map(|l| l.split_once("LEAKED ").map(|(_, rest)| rest)).unwrap_or_else(|| {
        panic!("the child did not start a server:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let (port, dir) = line.split_once(' ').unwrap();
    let (port, dir): (u16, PathBuf) = (port.parse().unwrap(), dir.into());
    let deadline = Instant::now() + Duration::from_secs(20);
    while (dir.exists() || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!dir.exists(), "{} is still there", dir.display());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} still answers");
}
