//! The fault campaign's short form, as CI runs it: one minute of live stream with three
//! SIGKILLs of the indexer, a stream drop every 10 s and a 10 s ClickHouse outage, then verify;
//! ten seconds of decoder fuzzing; the API attacks and a smaller schemathesis run. The long
//! form (`depinscore faults` with its defaults) is in BENCHMARKS.md.

mod support;

use support::{BIN, run_ok};

#[test]
fn the_short_fault_campaign_passes_every_check() {
    let dir = depinscore_localserver::TempDir::new("faults-test").unwrap();
    let stdout = run_ok(
        std::process::Command::new(BIN)
            .current_dir(dir.path())
            .args(["faults", "--minutes", "1", "--history-days", "1", "--kills", "3"])
            .args(["--clickhouse-outage-secs", "10", "--fuzz-secs", "10"])
            .args(["--api-examples", "5", "--api-min-requests", "300"])
            .env("RUST_LOG", "warn"),
    );
    println!("{stdout}");
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("PASS ") || l.starts_with("FAIL ")).collect();
    assert_eq!(checks.len(), 13, "{stdout}");
    assert!(checks.iter().all(|l| l.starts_with("PASS ")), "{stdout}");
    assert!(stdout.lines().any(|l| l == "13 passed, 0 failed"), "{stdout}");
    for name in [
        "SIGKILL and restart of the indexer",
        "commits resume after a ClickHouse outage",
        "the indexer never exits on its own",
        "gRPC streams dropped and resumed",
        "verify --truth",
        "verify: every account state equals the node's",
        "every row inserted once",
        "decoders never panic",
        "admin routes refuse",
        "SQL-injection strings",
        "the attacks changed nothing",
        "schemathesis",
    ] {
        assert!(checks.iter().any(|l| l[5..].starts_with(name)), "no check `{name}`:\n{stdout}");
    }
}
