//! The cluster variant of the schema: one shard of N replicas. Every `CREATE` and `DROP` runs
//! `ON CLUSTER` and every table engine becomes its `Replicated…` twin, keyed in Keeper (or
//! ZooKeeper) by `/clickhouse/tables/{shard}/<database>/<table>` with the server's `{replica}`
//! macro.
//!
//! Not sharded (no `Distributed` tables): the writer checks per table which slots are already
//! stored and the explorer reads with `FINAL`, both of which need every row of a slot and of a
//! key on one shard. Replicas scale reads (API replicas point at any of them) and survive the
//! loss of a server; the single writer is the stream's lease holder.

/// The engines of the schema, longest first so `MergeTree` does not match inside another.
const ENGINES: [&str; 4] = ["ReplacingMergeTree", "SummingMergeTree", "AggregatingMergeTree", "MergeTree"];

/// The DDL statements that name one object and run on every replica.
const DDL: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS ",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS ",
    "CREATE DATABASE IF NOT EXISTS ",
    "DROP TABLE IF EXISTS ",
];

/// `statement` (with the database already substituted) for `cluster`: `ON CLUSTER` after the
/// created object's name and a replicated engine. Statements that create nothing (the
/// backfills' `INSERT … SELECT`) are unchanged: they run on one replica and replicate.
pub fn for_cluster(statement: &str, cluster: &str) -> String {
    let Some(prefix) = DDL.iter().find(|p| statement.starts_with(**p)) else {
        return statement.to_string();
    };
    let name_end = statement[prefix.len()..]
        .find(|c: char| c.is_whitespace() || c == '(')
        .map_or(statement.len(), |i| prefix.len() + i);
    let name = &statement[prefix.len()..name_end];
    let mut out = format!("{} ON CLUSTER {cluster}{}", &statement[..name_end], &statement[name_end..]);
    if let Some((database, table)) = name.split_once('.') {
        out = replicated_engine(&out, database, table);
    }
    out
}

/// Replaces `ENGINE = <X>MergeTree(args)` with `ENGINE = Replicated<X>MergeTree(path, replica,
/// args)`; a statement without an engine (a view writing `TO` a table) is returned as it is.
fn replicated_engine(statement: &str, database: &str, table: &str) -> String {
    let Some(at) = statement.find("ENGINE = ") else { return statement.to_string() };
    let engine_start = at + "ENGINE = ".len();
    let rest = &statement[engine_start..];
    let Some(engine) = ENGINES.iter().find(|e| rest.starts_with(&format!("{e}("))) else {
        return statement.to_string();
    };
    let args_start = engine_start + engine.len() + 1;
    let mut depth = 1;
    let mut args_end = None;
    for (i, c) in statement[args_start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    args_end = Some(args_start + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(args_end) = args_end else { return statement.to_string() };
    let args = statement[args_start..args_end].trim();
    let keeper = format!("'/clickhouse/tables/{{shard}}/{database}/{table}', '{{replica}}'");
    let args = if args.is_empty() { keeper } else { format!("{keeper}, {args}") };
    format!("{}Replicated{engine}({args}){}", &statement[..engine_start], &statement[args_end + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{MIGRATIONS, statements};

    #[test]
    fn a_table_gets_on_cluster_and_the_replicated_twin_of_its_engine_with_its_arguments() {
        let sql = "CREATE TABLE IF NOT EXISTS d.daily_flows\n(day Date, flows UInt64)\n\
                   ENGINE = SummingMergeTree((flows, amount))\nORDER BY day";
        assert_eq!(
            for_cluster(sql, "c1"),
            "CREATE TABLE IF NOT EXISTS d.daily_flows ON CLUSTER c1\n(day Date, flows UInt64)\n\
             ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/d/daily_flows', '{replica}', \
             (flows, amount))\nORDER BY day"
        );
        let plain = "CREATE TABLE IF NOT EXISTS d.slots (slot UInt64) ENGINE = ReplacingMergeTree() ORDER BY slot";
        assert_eq!(
            for_cluster(plain, "c1"),
            "CREATE TABLE IF NOT EXISTS d.slots ON CLUSTER c1 (slot UInt64) ENGINE = \
             ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/d/slots', '{replica}') ORDER BY slot"
        );
    }

    #[test]
    fn views_drops_and_the_database_run_on_the_cluster_and_backfills_are_left_alone() {
        let view = "CREATE MATERIALIZED VIEW IF NOT EXISTS d.v TO d.t AS SELECT 1 AS x";
        assert_eq!(
            for_cluster(view, "c1"),
            "CREATE MATERIALIZED VIEW IF NOT EXISTS d.v ON CLUSTER c1 TO d.t AS SELECT 1 AS x"
        );
        assert_eq!(
            for_cluster("CREATE DATABASE IF NOT EXISTS d", "c1"),
            "CREATE DATABASE IF NOT EXISTS d ON CLUSTER c1"
        );
        assert_eq!(for_cluster("DROP TABLE IF EXISTS d.v", "c1"), "DROP TABLE IF EXISTS d.v ON CLUSTER c1");
        let backfill = "INSERT INTO d.t SELECT 1";
        assert_eq!(for_cluster(backfill, "c1"), backfill);
    }

    #[test]
    fn every_statement_of_every_migration_becomes_replicated_and_runs_on_the_cluster() {
        for m in MIGRATIONS {
            for s in statements(m.sql, "depinscore") {
                let c = for_cluster(&s, "prod");
                if s.starts_with("INSERT") {
                    assert_eq!(c, s);
                    continue;
                }
                assert!(c.contains(" ON CLUSTER prod"), "{}: {c}", m.name);
                if s.contains("ENGINE = ") {
                    let engine = &c[c.find("ENGINE = ").unwrap() + 9..];
                    assert!(engine.starts_with("Replicated"), "{}: {c}", m.name);
                    assert!(engine.contains("'/clickhouse/tables/{shard}/depinscore/"), "{}: {c}", m.name);
                }
                // Nothing else changed.
                assert_eq!(undo(&c), s, "{}", m.name);
            }
        }
    }

    /// `for_cluster` taken back: the clause, the Keeper arguments and the prefix removed.
    fn undo(c: &str) -> String {
        let mut u = c.replacen(" ON CLUSTER prod", "", 1);
        if let Some(i) = u.find("'/clickhouse/tables/") {
            let end = i + u[i..].find("'{replica}'").unwrap() + "'{replica}'".len();
            let end = if u[end..].starts_with(", ") { end + 2 } else { end };
            u.replace_range(i..end, "");
            u = u.replacen("ENGINE = Replicated", "ENGINE = ", 1);
        }
        u
    }
}
