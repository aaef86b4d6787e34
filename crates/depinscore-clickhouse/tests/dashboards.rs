//! The Grafana dashboards in `dashboards/` against the real schemas: every ClickHouse panel query
//! runs, with the plugin's macros replaced by a fixed time range, on a database migrated from
//! `schema/clickhouse/` (ClickHouse 18.16 from Debian in CI) that holds a small sample chain, and
//! every PostgreSQL panel query (the node registry of the relational store) runs on a database
//! the relational store migrated (Debian's PostgreSQL) that holds a small sample registry, so a
//! renamed table or column breaks this test rather than a dashboard.
//!
//! The Prometheus panel (the indexer's reconnect counter) is PromQL, not SQL: it is skipped by
//! datasource type, and every ClickHouse and PostgreSQL target runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use depinscore_clickhouse::{ChConfig, ChStore};
use depinscore_localserver::{ClickHouse, Postgres};
use depinscore_sql::{NodeRecord, SqlStore};
use serde_json::Value;
use sqlx::{Column, Connection, PgConnection, Row, ValueRef};

/// The dashboard files, by name.
const DASHBOARDS: [&str; 4] =
    ["decentralization.json", "indexer-health.json", "network-overview.json", "treasury.json"];
/// The database the dashboards name (the default of `clickhouse.database`).
const DASHBOARD_DATABASE: &str = "depinscore";
/// The database the test migrates. Another name than the dashboards', so a query that names no
/// database (or a wrong one) fails here instead of reading the server's default database.
const TEST_DATABASE: &str = "dashboards_test";
/// The official ClickHouse plugin and the datasource uid provisioning gives it.
const CLICKHOUSE_TYPE: &str = "grafana-clickhouse-datasource";
const CLICKHOUSE_UID: &str = "clickhouse";
/// Grafana's built-in PostgreSQL datasource (its plugin id since Grafana 10.2.3; `postgres` is a
/// legacy alias) and the uid provisioning gives the relational store: the node registry.
const POSTGRES_TYPE: &str = "grafana-postgresql-datasource";
const POSTGRES_UID: &str = "postgres";
/// The one other datasource a panel may use: Prometheus, for what neither store records. Not
/// provisioned by `dashboards/provisioning/`.
const PROMETHEUS_TYPE: &str = "prometheus";
const PROMETHEUS_UID: &str = "prometheus";
/// The plugin macros the dashboards may use (`$__` + name).
const MACROS: [&str; 4] = ["timeFilter", "fromTime", "toTime", "interval_s"];

/// The sample chain starts at T0 (2023-11-14 22:13:20 UTC) and covers about two days; the time
/// range the macros stand for spans it, with the 30-day windows that end at `$__toTime`.
const T0: u32 = 1_700_000_000;
const FROM: u32 = T0 - 20 * 86_400;
const TO: u32 = T0 + 10 * 86_400;
/// What `$__interval_s` stands for.
const INTERVAL_S: u32 = 3_600;

/// A small chain, inserted with SQL so that the materialized views fill the rollups and read
/// models as the writer's inserts do: 300 slots 10 minutes apart (the first one's parent is not
/// stored), two transactions per slot (every tenth failed), 100 jobs in three markets run by
/// seven nodes (every fifth quit, the others finished and paid), emissions, claims, burns,
/// mints and staking flows on three days, stake, node (with a country), mint, pool, vault and
/// run accounts, and six quarantined instructions. `{db}` stands for the database.
const SAMPLE_CHAIN: &[&str] = &[
    r#"INSERT INTO {db}.slots
       SELECT 1000 + number, 999 + number, toDateTime(1700000000 + number * 600), 1000 + number,
           concat('hash', toString(number)), 3, 2, toDateTime(1700000000 + number * 600 + 2)
       FROM system.numbers LIMIT 300"#,
    r#"INSERT INTO {db}.transactions
       SELECT 1000 + intDiv(number, 2), toUInt32(number % 2), toDateTime(1700000000 + intDiv(number, 2) * 600),
           concat('sig', toString(number)), 'payer0', toUInt8(number % 10 != 9),
           if(number % 10 = 9, 'custom program error: 0x1771', ''), 5000, 20000, ['jobs'], 1
       FROM system.numbers LIMIT 600"#,
    r#"INSERT INTO {db}.instructions
       SELECT 1000 + number, 0, 0, 0, toDateTime(1700000000 + number * 600), concat('sig', toString(number * 2)), 1,
           'jobs', 'list', ['job'], [concat('job', toString(number))], '{}', 1
       FROM system.numbers LIMIT 100"#,
    r#"INSERT INTO {db}.job_events
       SELECT concat('job', toString(n)), 1000 + n, 0, 0, step, toDateTime(1700000000 + n * 600),
           concat('sig', toString(n * 2)), kind, concat('market', toString(n % 3)), concat('run', toString(n)),
           if(kind = 'list', '', concat('node', toString(n % 7))), concat('project', toString(n % 4)),
           concat('payer', toString(n % 4)), if(kind = 'list', toInt64(3600), NULL)
       FROM (SELECT number AS n FROM system.numbers LIMIT 100)
       ARRAY JOIN ['list', 'assign', if(n % 5 = 4, 'quit', 'finish')] AS kind, [0, 1, 2] AS step"#,
    r#"INSERT INTO {db}.token_flows
       SELECT 1000 + n, 0, 0, step, toDateTime(1700000000 + n * 600), concat('sig', toString(n * 2)), kind,
           'nosmint', 'source', 'destination',
           if(kind = 'payout', concat('node', toString(n % 7)), concat('payer', toString(n % 4))),
           concat('job', toString(n)), concat('market', toString(n % 3)), amount
       FROM (SELECT number AS n FROM system.numbers LIMIT 100)
       ARRAY JOIN ['deposit', 'fee', 'payout', 'refund'] AS kind, [1, 2, 3, 4] AS step,
           [toUInt64(360000), toUInt64(36000), toUInt64(200000 + n * 1000), toUInt64(160000 - n * 1000)] AS amount
       WHERE n % 5 != 4 OR kind IN ('deposit', 'fee')"#,
    r#"INSERT INTO {db}.token_flows
       SELECT 1000 + n * 144, 1, 0, step, toDateTime(1700000000 + n * 86400), concat('sig', toString(n * 288 + 1)),
           kind, 'nosmint', 'source', 'destination', concat('wallet', toString(step % 3)), 'pool', '',
           toUInt64(step) * 1000000
       FROM (SELECT number AS n FROM system.numbers LIMIT 3)
       ARRAY JOIN
           ['emission', 'claim', 'burn', 'mint', 'stake', 'topup', 'withdraw', 'slash', 'donation', 'pool_fund']
               AS kind,
           [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] AS step"#,
    r#"INSERT INTO {db}.account_states
       SELECT concat('stake', toString(number)), 'stake', 'staking', 1100, 1100 * 1048576 + number, 0, 1000,
           concat('staker', toString(number)), '', (number + 1) * 1000000000,
           concat('{"amount":', toString((number + 1) * 1000000000), ',"xnos":"', toString((number + 1) * 2000000000),
               '","time_unstake":0}'),
           toDateTime(1700000000)
       FROM system.numbers LIMIT 5"#,
    r#"INSERT INTO {db}.account_states
       SELECT concat('nodeaccount', toString(number)), 'node', 'nodes', 1100, 1100 * 1048576 + 10 + number, 0, 1000,
           concat('node', toString(number)), '', 0,
           concat('{"authority":"node', toString(number), '","country":', toString(if(number % 2 = 0, 840, 276)), '}'),
           toDateTime(1700000000)
       FROM system.numbers LIMIT 7"#,
    r#"INSERT INTO {db}.account_states
       SELECT 'nosmint', 'mint', 'token', 1100, 1100 * 1048576 + 20, 0, 1000, '', '', 100000000000000,
           '{"supply":100000000000000}', toDateTime(1700000000)
       UNION ALL SELECT 'pool', 'pool', 'pools', 1100, 1100 * 1048576 + 21, 0, 1000, 'treasury', '', 0,
           '{"vault":"poolvault"}', toDateTime(1700000000)
       UNION ALL SELECT 'reflection', 'reflection', 'rewards', 1100, 1100 * 1048576 + 22, 0, 1000, '', '', 0,
           '{"vault":"rewardsvault"}', toDateTime(1700000000)
       UNION ALL SELECT 'poolvault', 'token_account', 'token', 1100, 1100 * 1048576 + 23, 0, 1000, 'pool', '',
           20000000000000, '{}', toDateTime(1700000000)
       UNION ALL SELECT 'rewardsvault', 'token_account', 'token', 1100, 1100 * 1048576 + 24, 0, 1000, 'reflection', '',
           500000000000, '{}', toDateTime(1700000000)
       UNION ALL SELECT 'run99', 'run', 'jobs', 1100, 1100 * 1048576 + 25, 0, 1000, 'node1', '', 0,
           '{"job":"job99","node":"node1","time":1700060000}', toDateTime(1700000000)"#,
    r#"INSERT INTO {db}.quarantine
       SELECT 1000 + number * 10, concat('sig', toString(number * 20)), 0, 0, '', 'instruction', 'jobsprogram',
           if(number % 2 = 0, 'unknown discriminator [1, 2, 3]', 'jobs.finish needs 9 accounts, got 7'), 'raw',
           toDateTime(1700000000 + number * 6000)
       FROM system.numbers LIMIT 6"#,
];

/// Where the sample registry's nodes are, in order: (latitude, longitude, country, nodes). The
/// nodes of a place share its coordinates, and so its H3 cell: 30 nodes in five cells.
const PLACES: [(f64, f64, &str, usize); 5] = [
    (52.37, 4.9, "NL", 9),         // Amsterdam
    (40.7128, -74.006, "US", 7),   // New York
    (50.1109, 8.6821, "DE", 5),    // Frankfurt
    (-33.8688, 151.2093, "AU", 5), // Sydney
    (-23.5505, -46.6333, "BR", 4), // Sao Paulo
];

/// The operator of sample node `i` (numbered in the order of [`PLACES`]): operators 1 to 6 run
/// 10, 6, 4, 2, 1 and 1 nodes, and the last six nodes have no known operator.
fn sample_operator(i: usize) -> Option<usize> {
    match i {
        0..=9 => Some(1),
        10..=15 => Some(2),
        16..=19 => Some(3),
        20..=21 => Some(4),
        22 => Some(5),
        23 => Some(6),
        _ => None,
    }
}

/// A valid address: the 32 bytes 0, 0, ..., 0, `n` (`n` from 1 to 57), which base58 writes as
/// 31 `1`s and the digit of `n`.
fn address(n: usize) -> String {
    const DIGITS: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    format!("{}{}", "1".repeat(31), char::from(DIGITS[n]))
}

/// The sample registry: 30 nodes (addresses 1 to 30) in the five places of [`PLACES`], two of
/// them (in Frankfurt) without a country, 24 with one of six operators (addresses 41 to 46, see
/// [`sample_operator`]) and six without a known operator.
fn sample_nodes() -> Vec<NodeRecord> {
    PLACES
        .iter()
        .flat_map(|&(lat, lng, country, count)| std::iter::repeat_n((lat, lng, country), count))
        .enumerate()
        .map(|(i, (lat, lng, country))| {
            let mut node =
                NodeRecord::located(&address(i + 1), lat, lng, i64::from(T0)).expect("a sample location has a cell");
            node.country = if matches!(i, 18 | 19) { None } else { Some(country.to_string()) };
            node.operator = sample_operator(i).map(|o| address(40 + o));
            node
        })
        .collect()
}

/// One dashboard file.
struct Dashboard {
    file: String,
    json: Value,
}

/// One query of a panel.
struct Target {
    /// `file › panel title › refId`, for messages.
    place: String,
    /// The datasource's type and uid (the target's own, else its panel's).
    datasource: Option<(String, String)>,
    /// The query JSON.
    json: Value,
}

impl Target {
    /// The datasource's type.
    fn kind(&self) -> Option<&str> {
        self.datasource.as_ref().map(|(kind, _)| kind.as_str())
    }

    fn is_clickhouse(&self) -> bool {
        self.kind() == Some(CLICKHOUSE_TYPE)
    }

    fn is_postgres(&self) -> bool {
        self.kind() == Some(POSTGRES_TYPE)
    }

    fn sql(&self) -> &str {
        self.json["rawSql"].as_str().unwrap_or_default()
    }

    /// `format` 0 (time series), as opposed to 1 (table).
    fn is_time_series(&self) -> bool {
        self.json["format"].as_u64() == Some(0)
    }
}

fn dashboards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dashboards")
}

/// Every `*.json` in `dashboards/`, by file name.
fn dashboards() -> Vec<Dashboard> {
    let dir = dashboards_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())).path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push(Dashboard { file, json });
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    let files: Vec<&str> = out.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, DASHBOARDS, "the dashboards in {}", dir.display());
    out
}

/// Every panel of a dashboard: top level and inside rows (a collapsed row keeps its panels).
fn panels(dashboard: &Value) -> Vec<&Value> {
    fn walk<'a>(list: &'a Value, out: &mut Vec<&'a Value>) {
        for panel in list.as_array().into_iter().flatten() {
            out.push(panel);
            if let Some(nested) = panel.get("panels") {
                walk(nested, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&dashboard["panels"], &mut out);
    out
}

fn datasource_of(value: Option<&Value>) -> Option<(String, String)> {
    let ds = value?;
    let kind = ds.get("type")?.as_str()?;
    let uid = ds.get("uid")?.as_str()?;
    Some((kind.to_string(), uid.to_string()))
}

/// Every target of every panel; `problems` gets each panel that is neither a row nor a text
/// panel but has no target.
fn targets(dashboards: &[Dashboard], problems: &mut Vec<String>) -> Vec<Target> {
    let mut out = Vec::new();
    for d in dashboards {
        for panel in panels(&d.json) {
            let kind = panel["type"].as_str().unwrap_or_default();
            let title = panel["title"].as_str().unwrap_or_default();
            let list = panel["targets"].as_array().map(Vec::as_slice).unwrap_or_default();
            if kind == "row" || kind == "text" {
                continue;
            }
            if list.is_empty() {
                problems.push(format!("{} › {title}: a {kind} panel without a target", d.file));
            }
            for t in list {
                let ref_id = t["refId"].as_str().unwrap_or("?");
                out.push(Target {
                    place: format!("{} › {title} › {ref_id}", d.file),
                    datasource: datasource_of(t.get("datasource")).or_else(|| datasource_of(panel.get("datasource"))),
                    json: t.clone(),
                });
            }
        }
    }
    out
}

/// The macro name of `text` (which starts with `$`) and what follows it: `$__name`, the name
/// being ASCII letters, digits and `_`. None when `text` does not start with a macro.
fn macro_at(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix("$__")?;
    let end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
    if end == 0 { None } else { Some((&body[..end], &body[end..])) }
}

/// The argument of `(…)` at the start of `text`, trimmed, and what follows the `)`.
fn call_argument(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_prefix('(')?;
    let mut depth = 1usize;
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((inner[..i].trim(), &inner[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// What a `$` starts, for messages: the macro token, or the text up to the next space.
fn token_at(text: &str) -> String {
    match macro_at(text) {
        Some((name, _)) => format!("$__{name}"),
        None => text.split_whitespace().next().unwrap_or("$").chars().take(40).collect(),
    }
}

/// `sql` with the plugin's macros replaced as the plugin does for the range `FROM..=TO`:
/// `$__timeFilter(c)` → `c >= toDateTime(FROM) AND c <= toDateTime(TO)`, `$__fromTime` →
/// `toDateTime(FROM)`, `$__toTime` → `toDateTime(TO)`, `$__interval_s` → whole seconds.
fn expand_macros(sql: &str) -> Result<String, String> {
    let mut out = String::with_capacity(sql.len() + 512);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let text = &rest[at..];
        let Some((name, after)) = macro_at(text) else {
            return Err(format!("`{}` is not a macro", token_at(text)));
        };
        rest = match name {
            "timeFilter" => {
                let (column, after) =
                    call_argument(after).ok_or_else(|| "`$__timeFilter` without `(column)`".to_string())?;
                out.push_str(&format!("{column} >= toDateTime({FROM}) AND {column} <= toDateTime({TO})"));
                after
            }
            "fromTime" => {
                out.push_str(&format!("toDateTime({FROM})"));
                after
            }
            "toTime" => {
                out.push_str(&format!("toDateTime({TO})"));
                after
            }
            "interval_s" => {
                out.push_str(&INTERVAL_S.to_string());
                after
            }
            other => return Err(format!("`$__{other}` is not one of the allowed macros")),
        };
    }
    out.push_str(rest);
    Ok(out)
}

/// (type, uid) of every datasource a provisioning file declares: the `type:` and `uid:` keys of
/// each `- ` list item at the item's own indentation (not keys nested deeper, as in jsonData).
/// Enough YAML for the files of `dashboards/provisioning/datasources/`.
fn provisioned_datasources(yaml: &str) -> Vec<(String, String)> {
    struct Item {
        column: usize,
        kind: Option<String>,
        uid: Option<String>,
    }
    let mut items: Vec<Item> = Vec::new();
    for line in yaml.lines() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let (column, entry) = match trimmed.strip_prefix("- ") {
            Some(rest) => {
                items.push(Item { column: indent + 2, kind: None, uid: None });
                (indent + 2, rest)
            }
            None => (indent, trimmed),
        };
        let Some(item) = items.last_mut().filter(|item| item.column == column) else {
            continue;
        };
        let Some((key, value)) = entry.split_once(':') else {
            continue;
        };
        let value = value.split(" #").next().unwrap_or_default().trim().trim_matches(['"', '\'']).to_string();
        match key.trim() {
            "type" => item.kind = Some(value),
            "uid" => item.uid = Some(value),
            _ => {}
        }
    }
    items.into_iter().filter_map(|item| Some((item.kind?, item.uid?))).collect()
}

#[test]
fn every_dashboard_is_a_grafana_model_whose_panels_query_the_provisioned_datasources() {
    let dashboards = dashboards();
    let mut problems = Vec::new();
    let mut uids = BTreeSet::new();
    for d in &dashboards {
        let uid = d.json["uid"].as_str().unwrap_or_default();
        if uid.is_empty() || !uids.insert(uid.to_string()) {
            problems.push(format!("{}: missing or repeated uid {uid:?}", d.file));
        }
        if d.json["title"].as_str().unwrap_or_default().is_empty() {
            problems.push(format!("{}: no title", d.file));
        }
        if d.json["schemaVersion"].as_u64().unwrap_or(0) < 39 {
            problems.push(format!("{}: schemaVersion below 39", d.file));
        }
        if d.json["time"]["from"] != "now-90d" || d.json["time"]["to"] != "now" {
            problems.push(format!("{}: the default range is not the last 90 days", d.file));
        }
        if !matches!(&d.json["refresh"], Value::String(s) if s.is_empty()) && d.json["refresh"] != false {
            problems.push(format!("{}: refresh is not off", d.file));
        }
        for panel in panels(&d.json) {
            if panel["title"].as_str().unwrap_or_default().is_empty() {
                problems.push(format!("{}: a panel without a title", d.file));
            }
        }
    }
    let targets = targets(&dashboards, &mut problems);
    for t in &targets {
        match t.datasource.as_ref().map(|(kind, uid)| (kind.as_str(), uid.as_str())) {
            Some((CLICKHOUSE_TYPE, CLICKHOUSE_UID)) => {
                let format = t.json["format"].as_u64();
                let query_type = t.json["queryType"].as_str();
                if t.json["editorType"] != "sql" {
                    problems.push(format!("{}: editorType is not \"sql\"", t.place));
                }
                if !matches!((format, query_type), (Some(0), Some("timeSeries")) | (Some(1), Some("table"))) {
                    problems.push(format!("{}: format {format:?} with queryType {query_type:?}", t.place));
                }
                if t.sql().trim().is_empty() {
                    problems.push(format!("{}: no rawSql", t.place));
                }
                if t.sql().contains(';') {
                    problems.push(format!("{}: a `;` in rawSql", t.place));
                }
            }
            Some((POSTGRES_TYPE, POSTGRES_UID)) => {
                if t.json["editorMode"] != "code" {
                    problems.push(format!("{}: editorMode is not \"code\"", t.place));
                }
                if t.json["format"] != "table" {
                    problems.push(format!("{}: format {} is not \"table\"", t.place, t.json["format"]));
                }
                if t.sql().trim().is_empty() {
                    problems.push(format!("{}: no rawSql", t.place));
                }
                if t.sql().contains(';') {
                    problems.push(format!("{}: a `;` in rawSql", t.place));
                }
                // The registry panels are snapshots of the relational store, not series over the
                // time range: no `$__` macro of the Postgres datasource, and no variable.
                if let Some(at) = t.sql().find('$') {
                    problems.push(format!(
                        "{}: `{}` in a Postgres query, which uses no macro or variable",
                        t.place,
                        token_at(&t.sql()[at..])
                    ));
                }
            }
            Some((PROMETHEUS_TYPE, PROMETHEUS_UID)) => {
                if t.json["expr"].as_str().unwrap_or_default().is_empty() {
                    problems.push(format!("{}: a Prometheus target without expr", t.place));
                }
            }
            Some((kind, uid)) => problems.push(format!("{}: unexpected datasource {kind}/{uid}", t.place)),
            None => problems.push(format!("{}: no datasource on the target or its panel", t.place)),
        }
    }
    assert!(targets.iter().any(Target::is_clickhouse), "no ClickHouse target at all");
    assert!(targets.iter().any(Target::is_postgres), "no Postgres target at all");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_sql_datasources_the_panels_use_are_provisioned_with_the_same_uid_and_type() {
    let dir = dashboards_dir().join("provisioning/datasources");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    let mut provisioned = BTreeSet::new();
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())).path();
        if path.extension().is_none_or(|e| e != "yaml" && e != "yml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        provisioned.extend(provisioned_datasources(&text));
    }
    let dashboards = dashboards();
    let mut problems = Vec::new();
    let targets = targets(&dashboards, &mut problems);
    let used: BTreeSet<(String, String)> =
        targets.iter().filter(|t| t.is_clickhouse() || t.is_postgres()).filter_map(|t| t.datasource.clone()).collect();
    for (kind, uid) in &used {
        if !provisioned.contains(&(kind.clone(), uid.clone())) {
            problems.push(format!("{kind}/{uid}: used by panels, not provisioned in {}", dir.display()));
        }
    }
    assert_eq!(used.len(), 2, "the SQL datasources the panels use: {used:?}");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn clickhouse_panel_queries_use_only_the_four_plugin_macros() {
    let dashboards = dashboards();
    let mut problems = Vec::new();
    let targets = targets(&dashboards, &mut problems);
    let mut used = BTreeSet::new();
    for t in targets.iter().filter(|t| t.is_clickhouse()) {
        let sql = t.sql();
        for (at, _) in sql.match_indices('$') {
            let text = &sql[at..];
            match macro_at(text) {
                Some((name, after)) if MACROS.contains(&name) => {
                    used.insert(name);
                    if name == "timeFilter" && call_argument(after).is_none() {
                        problems.push(format!("{}: `$__timeFilter` without `(column)`", t.place));
                    }
                }
                _ => problems.push(format!(
                    "{}: `{}` is not one of $__timeFilter(column), $__fromTime, $__toTime, $__interval_s",
                    t.place,
                    token_at(text)
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(!used.is_empty(), "no ClickHouse query uses a macro: the time picker would change nothing");
}

/// Runs a ClickHouse target's SQL, macros expanded and the database renamed, on the sample
/// chain: what is wrong with it (nothing when it runs and answers as its format needs).
fn run_clickhouse(server: &ClickHouse, t: &Target) -> Vec<String> {
    let sql = match expand_macros(t.sql()) {
        Ok(sql) => sql.replace(&format!("{DASHBOARD_DATABASE}."), &format!("{TEST_DATABASE}.")),
        Err(e) => return vec![format!("{}: {e}", t.place)],
    };
    // Names and types first, so a time series can be checked for its `time` column.
    let body = match server.query(&format!("{sql}\nFORMAT TabSeparatedWithNamesAndTypes")) {
        Ok(body) => body,
        Err(e) => return vec![format!("{}: {e}\n    {}", t.place, sql.replace('\n', "\n    "))],
    };
    // An exception thrown after the first block arrives in a 200 answer's body.
    if body.contains("DB::Exception") {
        return vec![format!("{}: {}", t.place, body.trim())];
    }
    let lines: Vec<&str> = body.lines().collect();
    let (names, types) = match (lines.first(), lines.get(1)) {
        (Some(names), Some(types)) => (names.split('\t').collect::<Vec<_>>(), types.split('\t').collect::<Vec<_>>()),
        _ => return vec![format!("{}: no header in the answer {body:?}", t.place)],
    };
    let mut problems = Vec::new();
    if t.is_time_series()
        && (names.first() != Some(&"time") || !types.first().is_some_and(|ty| ty.starts_with("DateTime")))
    {
        problems.push(format!(
            "{}: a time series whose first column is {:?} {:?}, not `time` DateTime",
            t.place,
            names.first(),
            types.first()
        ));
    }
    // The sample chain has something for every panel: no rows means a filter that matches
    // nothing (a renamed kind, a wrong column in a condition).
    if lines.len() == 2 {
        problems.push(format!("{}: no rows on the sample chain", t.place));
    }
    problems
}

/// A PostgreSQL server holding a database that the relational store migrated and filled with
/// [`sample_nodes`], and a connection to that database. Dropping the server stops it.
async fn sample_registry() -> (Postgres, PgConnection) {
    let server = Postgres::start().expect("PostgreSQL starts");
    let mut admin = PgConnection::connect(server.url()).await.expect("connecting to PostgreSQL");
    // Its own database, also on an external server (DEPINSCORE_TEST_POSTGRES_URL).
    let name = format!("{TEST_DATABASE}_{}", std::process::id());
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("CREATE DATABASE");
    admin.close().await.expect("closing the admin connection");
    let url = server.database_url(&name);
    let store = SqlStore::connect(&url).await.expect("the relational store connects");
    store.migrate().await.expect("the relational schema migrates");
    let nodes = sample_nodes();
    assert_eq!(store.upsert_nodes(&nodes).await.expect("the sample nodes are stored"), nodes.len());
    store.close().await;
    let conn = PgConnection::connect(&url).await.expect("connecting to the migrated database");
    (server, conn)
}

/// Runs a Postgres target's SQL as Grafana sends it (there is no macro to expand) on the sample
/// registry: what is wrong with it (nothing when it runs, returns rows, and its first row has
/// no NULL: every figure of the registry panels is defined on the sample).
async fn run_postgres(conn: &mut PgConnection, t: &Target) -> Vec<String> {
    let sql = t.sql();
    let rows = match sqlx::query(sql).fetch_all(&mut *conn).await {
        Ok(rows) => rows,
        Err(e) => return vec![format!("{}: {e}\n    {}", t.place, sql.replace('\n', "\n    "))],
    };
    let Some(first) = rows.first() else {
        return vec![format!("{}: no rows on the sample registry", t.place)];
    };
    first
        .columns()
        .iter()
        .filter(|column| first.try_get_raw(column.ordinal()).is_ok_and(|value| value.is_null()))
        .map(|column| format!("{}: `{}` is NULL in the first row on the sample registry", t.place, column.name()))
        .collect()
}

#[tokio::test]
async fn every_sql_panel_query_runs_against_the_migrated_stores() {
    let dashboards = dashboards();
    let mut failures = Vec::new();
    let targets = targets(&dashboards, &mut failures);

    let server = ClickHouse::start().expect("ClickHouse starts");
    let config = ChConfig { url: server.http_url(), database: TEST_DATABASE.into(), ..ChConfig::default() };
    ChStore::open(&config, T0).await.expect("the schema migrates");
    for statement in SAMPLE_CHAIN {
        let sql = statement.replace("{db}", TEST_DATABASE);
        server.query(&sql).unwrap_or_else(|e| panic!("loading the sample chain: {e}\n{sql}"));
    }
    let (_postgres, mut registry) = sample_registry().await;

    let (mut clickhouse_ran, mut postgres_ran, mut skipped) = (0usize, 0usize, Vec::new());
    for t in &targets {
        match t.kind() {
            Some(CLICKHOUSE_TYPE) => {
                clickhouse_ran += 1;
                failures.extend(run_clickhouse(&server, t));
            }
            Some(POSTGRES_TYPE) => {
                postgres_ran += 1;
                failures.extend(run_postgres(&mut registry, t).await);
            }
            // PromQL: nothing either store could run.
            Some(PROMETHEUS_TYPE) => skipped.push(t.place.clone()),
            other => failures.push(format!("{}: no store runs the datasource {other:?}", t.place)),
        }
    }
    registry.close().await.expect("closing the registry connection");
    assert!(clickhouse_ran > 0, "no ClickHouse target ran");
    assert!(postgres_ran > 0, "no Postgres target ran");
    assert!(
        failures.is_empty(),
        "{} problems in {clickhouse_ran} ClickHouse and {postgres_ran} Postgres queries ({} Prometheus targets \
         skipped: {}):\n{}",
        failures.len(),
        skipped.len(),
        skipped.join(", "),
        failures.join("\n")
    );
}
