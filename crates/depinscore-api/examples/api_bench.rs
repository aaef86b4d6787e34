//! Serves one real snapshot for load tests and times report rendering.
//!
//! ```sh
//! cargo run --release -p depinscore-api --example api_bench -- [SNAPSHOT.json] [PORT]
//! wrk -t2 -c64 -d15s --latency http://127.0.0.1:PORT/v1/score
//! ```
//! The snapshot defaults to the engine snapshot the report tests keep
//! (`crates/depinscore-report/tests/golden/snapshot.json`). The server runs until Ctrl-C;
//! before it starts, report rendering (build + HTML, build + Markdown) is timed and printed.

use std::sync::Arc;
use std::time::Instant;

use depinscore_api::{ApiConfig, AppState};
use depinscore_report::{BUILTIN_CLOUD_PRICES, CloudPriceTable, Report, ReportInput};
use depinscore_sql::{SnapshotRecord, SqlStore};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../depinscore-report/tests/golden/snapshot.json").to_string()
    });
    let port: u16 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(8088);
    let body = std::fs::read_to_string(&path)?;
    let v: serde_json::Value = serde_json::from_str(&body)?;
    let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES)?;

    let mut times = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let input =
            ReportInput { snapshot_json: &body, markets: &[], cloud_prices: &cloud, generated_for: Some("bench") };
        let html = Report::build(&input)?.to_html()?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(html);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "report render (build + HTML, {} KB snapshot): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over 50",
        body.len() / 1024,
        times[25],
        times[49],
        times[49]
    );

    let dir = std::env::temp_dir().join(format!("depinscore-api-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sql = SqlStore::connect(&format!("sqlite://{}", dir.join("bench.db").display())).await?;
    sql.migrate().await?;
    let f = |p: &str| v.pointer(p).and_then(serde_json::Value::as_i64).unwrap_or(0);
    sql.save_snapshot(&SnapshotRecord {
        id: v["id"].as_str().unwrap_or_default().to_string(),
        created_at: 0,
        as_of: f("/metrics/as_of"),
        last_slot: f("/provenance/chain/last_slot").max(0) as u64,
        methodology_version: v.pointer("/provenance/methodology_version").and_then(|x| x.as_str()).unwrap_or("").into(),
        composite: v.pointer("/score/composite").and_then(serde_json::Value::as_f64).unwrap_or(0.0),
        input_hash: v.pointer("/provenance/input_hash").and_then(|x| x.as_str()).unwrap_or("").into(),
        body,
    })
    .await?;
    let config = ApiConfig { rate_limit_per_s: 0, ..ApiConfig::default() };
    let state = AppState::new(sql, None, config, cloud).with_metrics(Arc::new(String::new));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("serving {} on http://{}", v["id"], listener.local_addr()?);
    depinscore_api::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
