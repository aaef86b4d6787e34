//! The API half of the campaign, against `depinscore serve` over the campaign's data: admin
//! routes without a valid key, SQL-injection strings in every parameter of every read route
//! (each must be a 400 naming the parameter), a fingerprint of both stores before and after
//! (nothing may change), then schemathesis with an admin key (no 5xx, every answer as the
//! OpenAPI document says).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use depinscore_localserver::ClickHouse;
use serde_json::Value;

use super::chain::Ports;
use super::{Args, Report};
use crate::commands::procs::Runner;

/// What an attacker tries in a parameter.
const INJECTIONS: [&str; 5] = [
    "' OR 1=1 --",
    "1; DROP TABLE depinscore.transactions",
    "\" OR \"\"=\"",
    "') UNION SELECT name FROM system.tables --",
    "1 OR sleep(3)",
];

/// The authorisations an admin route must refuse.
const BAD_AUTH: [Option<&str>; 4] = [None, Some("Bearer dsk_wrong"), Some("Basic YWRtaW46YWRtaW4="), Some("Bearer ")];

pub(crate) fn campaign(
    args: &Args,
    runner: &Runner,
    clickhouse: &ClickHouse,
    ports: &Ports,
    report: &mut Report,
) -> anyhow::Result<()> {
    eprintln!("scoring the campaign's chain and serving it");
    runner.spawn("import", &["import"])?.finish("import")?;
    runner.spawn("score", &["score"])?.finish("score")?;
    let out = runner
        .command(&["api-key", "create", "--name", "fault-campaign"])?
        .stdout(std::process::Stdio::piped())
        .output()?;
    anyhow::ensure!(out.status.success(), "api-key create failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let secret = stdout.lines().find_map(|l| l.strip_prefix("secret:")).map(str::trim).context("no secret printed")?;
    // The campaign's chain stopped at its last slot, so `/ready` would rightly answer 503 once
    // the checkpoint is two minutes old; what is attacked here is the API, not its readiness.
    let mut serve = runner.spawn_with("serve", &["serve"], &[("DEPINSCORE__API__READY_MAX_LAG_SECS", "0")])?;
    let base = format!("http://127.0.0.1:{}", ports.api);
    let http = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let up = Instant::now() + Duration::from_secs(60);
    while http.block_on(async { client.get(format!("{base}/health")).send().await }).is_err() {
        anyhow::ensure!(Instant::now() < up, "the API did not start:\n{}", runner.log("serve"));
        std::thread::sleep(Duration::from_millis(100));
    }
    let document: Value =
        http.block_on(async { client.get(format!("{base}/openapi.json")).send().await?.json().await })?;
    let before = fingerprint(&http, clickhouse, &runner.dir.join("state.db"))?;

    // Admin routes without a valid key.
    let mut refused = 0;
    let mut let_in = Vec::new();
    for (method, path) in operations(&document).into_iter().filter(|(_, p)| p.contains("/admin/")) {
        let uri = fill_path(&path, "0000000000000000");
        for auth in BAD_AUTH {
            let mut request = client.request(method.parse()?, format!("{base}{uri}")).body("[]");
            if let Some(a) = auth {
                request = request.header("authorization", a);
            }
            let status = http.block_on(async { request.send().await })?.status().as_u16();
            if status == 401 {
                refused += 1;
            } else {
                let_in.push(format!("{method} {uri} with {auth:?}: {status}"));
            }
        }
    }
    report.check(
        "admin routes refuse requests without a valid key",
        refused > 0 && let_in.is_empty(),
        if let_in.is_empty() { format!("{refused} requests refused with 401") } else { let_in.join("; ") },
    );

    // SQL injection in every parameter of every read route.
    let mut answered_400 = 0;
    let mut wrong = Vec::new();
    for (path, parameter, location) in read_parameters(&document) {
        for evil in INJECTIONS {
            let encoded: String = url_encode(evil);
            let uri = match location.as_str() {
                "path" => fill_path(&path, &encoded),
                // Path parameters get well-formed values, so a 400 names this query parameter.
                _ => format!("{}?{parameter}={encoded}", fill_path_with(&path, well_formed)),
            };
            let response = http.block_on(async { client.get(format!("{base}{uri}")).send().await })?;
            let status = response.status().as_u16();
            let body: Value = http.block_on(response.json()).unwrap_or(Value::Null);
            let named = body["parameter"].as_str() == Some(parameter.as_str());
            if status == 400 && named {
                answered_400 += 1;
            } else {
                wrong.push(format!("GET {uri}: {status} {}", body["parameter"]));
            }
        }
    }
    report.check(
        "SQL-injection strings in every parameter are a 400",
        answered_400 > 0 && wrong.is_empty(),
        if wrong.is_empty() {
            format!("{answered_400} requests, each refused naming its parameter")
        } else {
            wrong.into_iter().take(10).collect::<Vec<_>>().join("; ")
        },
    );
    let after = fingerprint(&http, clickhouse, &runner.dir.join("state.db"))?;
    report.check(
        "the attacks changed nothing",
        before == after,
        if before == after {
            format!("{} tables counted before and after", before.len())
        } else {
            changed(&before, &after)
        },
    );

    // Generated requests, with a key, against the whole document.
    let outcome = schemathesis(&runner.dir, &base, secret, args.api_examples);
    let ok = matches!(&outcome, Ok((true, n, _)) if *n >= args.api_min_requests);
    report.check(
        "schemathesis: no 5xx, every answer as documented",
        ok,
        match outcome {
            Ok((passed, n, _)) if passed => {
                format!("{n} generated requests passed (at least {} wanted)", args.api_min_requests)
            }
            Ok((_, n, tail)) => format!("{n} generated requests; {tail}"),
            Err(e) => format!("{e:#}"),
        },
    );
    serve.stop();
    Ok(())
}

/// Every documented `(method, path)`.
fn operations(document: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// `(path, parameter, location)` of every path or query parameter of every GET route.
fn read_parameters(document: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for p in item["get"]["parameters"].as_array().into_iter().flatten() {
            let (Some(name), Some(location)) = (p["name"].as_str(), p["in"].as_str()) else { continue };
            if location == "path" || location == "query" {
                out.push((path.clone(), name.to_string(), location.to_string()));
            }
        }
    }
    out
}

/// `path` with every `{parameter}` replaced by `value`.
fn fill_path(path: &str, value: &str) -> String {
    fill_path_with(path, |_| value.to_string())
}

/// `path` with each `{parameter}` replaced by `value(parameter)`.
fn fill_path_with(path: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.push_str(&rest[..open]);
        out.push_str(&value(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A value the API accepts as well-formed for a path parameter of this name.
fn well_formed(parameter: &str) -> String {
    match parameter {
        // The system program: a valid 32-byte base58 address.
        "address" => "11111111111111111111111111111111".into(),
        // 64 zero bytes in base58.
        "signature" => "1".repeat(64),
        "name" => "arr_usd".into(),
        _ => "0000000000000000".into(),
    }
}

/// Percent-encodes everything but unreserved characters.
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Rows in every table of both stores, by `store.table` (deduplicated in ClickHouse).
fn fingerprint(
    http: &tokio::runtime::Runtime,
    clickhouse: &ClickHouse,
    db: &Path,
) -> anyhow::Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    // Deduplicated counts: background merges change raw counts of these engines, not these.
    let tables = clickhouse.query(
        "SELECT name, engine FROM system.tables WHERE database = 'depinscore' AND engine LIKE '%MergeTree' ORDER BY name",
    )?;
    for line in tables.lines().filter(|l| !l.is_empty()) {
        let (table, engine) = line.split_once('\t').unwrap_or((line, ""));
        let final_ = if engine == "MergeTree" { "" } else { " FINAL" };
        let n = clickhouse.query(&format!("SELECT count() FROM depinscore.`{table}`{final_}"))?;
        out.push((format!("clickhouse.{table}"), n.trim().parse()?));
    }
    let counts = http.block_on(async {
        let store = depinscore_sql::SqlStore::connect(&format!("sqlite://{}", db.display())).await?;
        let counts = store.table_counts().await;
        store.close().await;
        counts
    })?;
    out.extend(counts.into_iter().map(|(t, n)| (format!("sql.{t}"), n)));
    Ok(out)
}

fn changed(before: &[(String, i64)], after: &[(String, i64)]) -> String {
    let lines: Vec<String> = after
        .iter()
        .filter(|row| !before.contains(row))
        .map(|(t, n)| {
            let was = before.iter().find(|(b, _)| b == t).map_or("absent".to_string(), |(_, n)| n.to_string());
            format!("{t}: {was} → {n}")
        })
        .collect();
    lines.join("; ")
}

/// Runs schemathesis: whether it passed, how many requests it generated, and the end of its
/// output.
fn schemathesis(dir: &Path, base: &str, secret: &str, examples: u32) -> anyhow::Result<(bool, u64, String)> {
    let mut command = match Command::new("st").arg("--version").output() {
        Ok(o) if o.status.success() => Command::new("st"),
        _ => {
            let mut c = Command::new("python3");
            c.args(["-m", "schemathesis.cli"]);
            c
        }
    };
    let out = command
        .args(["run", &format!("{base}/openapi.json")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--max-examples", &examples.to_string(), "--seed", "20261207", "--no-color", "--workers", "1"])
        .args(["--generation-database", "none", "--request-timeout", "30", "--phases", "examples,coverage,fuzzing"])
        .args(["--header", &format!("Authorization: Bearer {secret}")])
        .current_dir(dir)
        .output()
        .context("running schemathesis (pip install schemathesis==4.32.5)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    std::fs::write(dir.join("schemathesis.log"), text.as_bytes())?;
    // "  2519 generated, 2519 passed"
    let generated = generated_count(&text);
    Ok((out.status.success(), generated, failures(&text)))
}

/// schemathesis's FAILURES section (operation, check, status, body, reproduction), or the end
/// of its output when it has none.
fn failures(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let section: Vec<&str> = lines
        .iter()
        .skip_while(|l| !l.contains("FAILURES"))
        .skip(1)
        .take_while(|l| !l.starts_with("====="))
        .take(20)
        .copied()
        .collect();
    if section.is_empty() {
        lines.iter().rev().take(12).rev().copied().collect::<Vec<_>>().join(" | ")
    } else {
        section.join(" | ")
    }
}

/// `N` of schemathesis's `N generated, M passed` line (0 without one).
fn generated_count(text: &str) -> u64 {
    text.lines().find_map(|l| l.trim().split_once(" generated, ")?.0.parse().ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_count_is_read_from_the_summary_line_only() {
        let text = "Schema validation mismatch: 1 operation mostly rejected generated data\n\
                    Test cases:\n  1391 generated, 1391 passed\n";
        assert_eq!(generated_count(text), 1391);
        assert_eq!(generated_count("nothing here"), 0);
    }

    #[test]
    fn a_failure_is_reported_by_its_section() {
        let text = "== FAILURES ==\n___ GET /ready ___\n- ST101 Server error\n[503] Service Unavailable\n\
                    ===== WARNINGS =====\nx\n  1 generated, 1 found 1 unique failure\n";
        assert_eq!(failures(text), "___ GET /ready ___ | - ST101 Server error | [503] Service Unavailable");
    }

    #[test]
    fn path_parameters_are_filled_and_values_percent_encoded() {
        assert_eq!(fill_path("/v1/jobs/{address}", "x"), "/v1/jobs/x");
        assert_eq!(fill_path("/v1/admin/reports/{id}/publish", "0"), "/v1/admin/reports/0/publish");
        assert_eq!(fill_path("/v1/score", "x"), "/v1/score");
        assert_eq!(fill_path_with("/v1/metrics/{name}", well_formed), "/v1/metrics/arr_usd");
        assert_eq!(fill_path_with("/v1/reports/{id}", well_formed), "/v1/reports/0000000000000000");
        assert_eq!(url_encode("' OR 1=1 --"), "%27%20OR%201%3D1%20--");
    }

    #[test]
    fn read_parameters_come_from_get_operations_only() {
        let doc = serde_json::json!({"paths": {
            "/v1/jobs/{address}": {"get": {"parameters": [{"name": "address", "in": "path"}]}},
            "/v1/jobs": {"get": {"parameters": [{"name": "limit", "in": "query"}, {"name": "x", "in": "header"}]}},
            "/v1/admin/rescore": {"post": {"parameters": [{"name": "at", "in": "query"}]}},
        }});
        let mut found = read_parameters(&doc);
        found.sort();
        assert_eq!(
            found,
            vec![
                ("/v1/jobs".to_string(), "limit".to_string(), "query".to_string()),
                ("/v1/jobs/{address}".to_string(), "address".to_string(), "path".to_string()),
            ]
        );
        assert_eq!(operations(&doc).len(), 3);
    }
}
