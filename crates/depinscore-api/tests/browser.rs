//! A real browser: headless Chromium (Debian's `chromium`, installed by `bash .ci/test`) opens
//! the served report and the docs page. No console message may appear, the report's charts and
//! hex map must be in the rendered page, the docs page must have rendered the operations from
//! /openapi.json, a screenshot is saved, and a PDF report is a real PDF.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use depinscore_api::{ApiConfig, AppState};
use support::*;

struct Served {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: tokio::runtime::Runtime,
    _dir: TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = &self.runtime;
    }
}

fn serve(chromium: PathBuf) -> Served {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = temp_dir();
    let (port, stop) = runtime.block_on(async {
        let sql = store(&dir).await;
        for (i, s) in sample_snapshots().iter().enumerate() {
            sql.save_snapshot(&record(s, i as i64)).await.unwrap();
        }
        let cloud = depinscore_report::CloudPriceTable::parse(depinscore_report::BUILTIN_CLOUD_PRICES).unwrap();
        let config = ApiConfig { rate_limit_per_s: 0, chromium: Some(chromium), ..ApiConfig::default() };
        let state = AppState::new(sql, None, config, cloud).with_metrics(Arc::new(String::new));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(depinscore_api::serve(listener, state, async move {
            let _ = rx.await;
        }));
        (port, tx)
    });
    Served { port, stop: Some(stop), runtime, _dir: dir }
}

/// Runs Chromium headless on `url` with `extra` flags; returns (stdout, stderr).
fn chromium(browser: &PathBuf, profile: &std::path::Path, url: &str, extra: &[&str]) -> (String, String) {
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"])
        .args(["--virtual-time-budget=10000", "--window-size=1280,2400"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn console_messages(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught")).collect()
}

#[test]
fn chromium_renders_the_report_and_the_docs_with_no_console_errors() {
    let browser = depinscore_api::routes::reports::chromium(None)
        .expect("Chromium is not installed: `apt-get install chromium` (bash .ci/test does)");
    let served = serve(browser.clone());
    let profile = temp_dir();
    let base = format!("http://127.0.0.1:{}", served.port);

    let (dom, stderr) = chromium(&browser, &profile.0, &format!("{base}/v1/reports/latest"), &["--dump-dom"]);
    assert!(console_messages(&stderr).is_empty(), "console messages: {:?}", console_messages(&stderr));
    let charts = dom.matches("<svg").count();
    assert!(charts >= 6, "{charts} charts in the rendered report");
    assert!(dom.matches("<polygon").count() >= 1, "the hex map has its cells");
    assert!(dom.contains(&served_latest_id()), "the report of the latest snapshot");

    let shot =
        std::env::var_os("CARGO_TARGET_TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from).join("report.png");
    let _ = std::fs::remove_file(&shot);
    let (_, stderr) = chromium(
        &browser,
        &profile.0,
        &format!("{base}/v1/reports/latest"),
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(console_messages(&stderr).is_empty(), "{stderr}");
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a screenshot of {} bytes", png.len());
    println!("screenshot: {}", shot.display());

    // The docs page fetches /openapi.json and renders every operation, with no console error.
    let (dom, stderr) = chromium(&browser, &profile.0, &format!("{base}/docs"), &["--dump-dom"]);
    assert!(console_messages(&stderr).is_empty(), "console messages: {:?}", console_messages(&stderr));
    assert!(dom.contains("/v1/score/history") && dom.contains("/v1/admin/rescore"), "the operations were rendered");
    assert!(dom.matches("<details").count() >= 20, "one block per operation");

    // PDF through the same Chromium.
    let pdf = served.runtime.block_on(async {
        let r = reqwest::get(format!("{base}/v1/reports/latest?format=pdf")).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        r.bytes().await.unwrap()
    });
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 10_000, "a PDF of {} bytes", pdf.len());
}

fn served_latest_id() -> String {
    sample_snapshots().last().unwrap().id.clone()
}
