//! `depinscore demo` as a newcomer runs it: no settings file, no ClickHouse of their own. It
//! must index, score, report and serve, stop everything on Ctrl-C, and reuse its data on the
//! next run.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod support;

use depinscore_localserver::{TempDir, free_port};
use serde_json::Value;
use support::BIN;

/// A small world, so the history takes seconds.
const SCENARIO: &str = "[nodes]\ncount = 60\noperators = 15\nlargest_operator_share = 0.25\n\
                        [projects]\ncount = 8\n[stakers]\ncount = 10\n";

struct Demo {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Demo {
    fn start(dir: &Path, api_port: u16, extra: &[&str], env: &[(&str, &str)]) -> Demo {
        let mut child = Command::new(BIN)
            .current_dir(dir)
            .arg("demo")
            .args(extra)
            .env("DEPINSCORE__DEMO__SCENARIO", "small.toml")
            .env("DEPINSCORE__DEMO__HISTORY_DAYS", "3")
            .env("DEPINSCORE__API__LISTEN", format!("127.0.0.1:{api_port}"))
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        Demo { child, lines, seen: Vec::new() }
    }

    /// Waits for a line containing `text`; returns it.
    fn wait_for(&mut self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        if let Some(line) = self.seen.iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!("no line with `{text}` within {within:?}; output:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Waits for the process to exit; returns whether it succeeded, with all its output.
    fn wait(mut self, within: Duration) -> (bool, String) {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the demo did not exit; output:\n{}", self.seen.join("\n"));
            std::thread::sleep(Duration::from_millis(100));
        };
        // The readers end with the pipes.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(line);
        }
        (status.success(), self.seen.join("\n"))
    }
}

impl Drop for Demo {
    /// A failed assertion must not leave the demo (and its ClickHouse) running.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(60);
            while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(needle) {
                found.push(cmdline);
            }
        }
    }
    found
}

fn get(port: u16, path: &str) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let r = reqwest::get(format!("http://127.0.0.1:{port}{path}")).await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    })
}

#[test]
fn the_demo_indexes_scores_reports_and_serves_stops_on_ctrl_c_and_a_second_run_reuses_its_data() {
    let dir = TempDir::new("demo").unwrap();
    std::fs::write(dir.path().join("small.toml"), SCENARIO).unwrap();
    let api = free_port().unwrap();

    // First run: the history is indexed, scored and reported; then it follows live.
    let mut demo = Demo::start(dir.path(), api, &[], &[]);
    demo.wait_for("history indexed through slot", Duration::from_secs(300));
    let score_line = demo.wait_for("builder score", Duration::from_secs(120));
    let id = score_line.split("snapshot ").nth(1).unwrap().split(',').next().unwrap().to_string();
    demo.wait_for("following the live chain", Duration::from_secs(120));
    let out = dir.path().join("reports/out");
    for ext in ["html", "md", "json"] {
        assert!(out.join(format!("nosana-builder-score-{id}.{ext}")).is_file(), "no .{ext} report for {id}");
    }
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join(format!("nosana-builder-score-{id}.json"))).unwrap()).unwrap();
    assert!(report.is_object());

    // The API serves that score and the indexed chain.
    let (status, score) = get(api, "/v1/score");
    assert_eq!(status, 200, "{score}");
    assert_eq!(score["id"].as_str(), Some(id.as_str()), "{score}");
    let (status, jobs) = get(api, "/v1/jobs?limit=5");
    assert_eq!(status, 200, "{jobs}");
    assert!(!jobs["items"].as_array().unwrap().is_empty(), "{jobs}");

    // Ctrl-C stops everything, the managed ClickHouse included.
    let live = demo.wait_for("live: node at slot", Duration::from_secs(30));
    assert!(live.contains("indexed through"), "{live}");
    Command::new("kill").args(["-INT", &demo.child.id().to_string()]).status().unwrap();
    let (ok, output) = demo.wait(Duration::from_secs(90));
    assert!(ok, "{output}");
    assert!(output.contains("stopped cleanly"), "{output}");
    let clickhouse_dir = dir.path().join("data/demo/clickhouse");
    assert_eq!(processes_mentioning(&clickhouse_dir.display().to_string()), Vec::<String>::new());
    let resumed_from = |output: &str| -> u64 {
        let line = output.lines().find(|l| l.contains("history already indexed")).unwrap_or_else(|| panic!("{output}"));
        line.split("checkpoint at slot ")
            .nth(1)
            .unwrap()
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap()
    };

    // Second run: the data is there; it scores at once and stops after the report.
    let (ok, output) = Demo::start(dir.path(), api, &["--exit-after-report"], &[]).wait(Duration::from_secs(300));
    assert!(ok, "{output}");
    let history_last = 1 + 3 * 86_400 / 400;
    assert!(resumed_from(&output) >= history_last, "{output}");
    assert!(output.contains("builder score"), "{output}");
    assert!(!output.contains("indexing 3 days of history"), "{output}");

    // A run on other terms would mix two chains in one store: it is refused, naming the way out.
    let (ok, output) = Demo::start(dir.path(), api, &["--exit-after-report"], &[("DEPINSCORE__DEMO__SEED", "2")])
        .wait(Duration::from_secs(120));
    assert!(!ok, "{output}");
    assert!(output.contains("other demo settings") && output.contains("data/demo"), "{output}");
}
