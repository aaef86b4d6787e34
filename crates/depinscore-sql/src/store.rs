//! The connection: URL parsing, SQLite file creation, the pool.

use std::path::Path;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

use crate::SqlError;

/// Which database a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file or an in-memory SQLite database.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The relational store: a connection pool to SQLite or Postgres. Cheap to clone (the pool is
/// shared). Call [`migrate`](SqlStore::migrate) once before using the tables.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    backend: Backend,
}

impl SqlStore {
    /// Connects to `url`:
    ///
    /// - `sqlite:PATH`, `sqlite://PATH` (relative) or `sqlite:///ABSOLUTE/PATH`: the file and
    ///   its parent directory are created if missing; the file is put in WAL mode.
    /// - `sqlite::memory:`: a private in-memory database (one connection, kept open).
    /// - `postgres://…` or `postgresql://…`.
    ///
    /// Anything else is [`SqlError::BadUrl`]; a database that still refuses connections after
    /// 10 s is [`SqlError::Connect`] (a server that is starting up gets that long).
    pub async fn connect(url: &str) -> Result<SqlStore, SqlError> {
        SqlStore::connect_with_timeout(url, Duration::from_secs(10)).await
    }

    /// [`connect`](SqlStore::connect), giving up after `timeout` (also the pool's wait for a
    /// free connection later).
    pub async fn connect_with_timeout(url: &str, timeout: Duration) -> Result<SqlStore, SqlError> {
        sqlx::any::install_default_drivers();
        let target = Target::parse(url)?;
        let shown = redact(url);
        let mut options = AnyPoolOptions::new().acquire_timeout(timeout);
        options = match &target {
            // Each connection to `:memory:` is its own database: keep exactly one, forever.
            Target::SqliteMemory => options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None),
            Target::SqliteFile { .. } => options.max_connections(4),
            Target::Postgres => options.max_connections(8),
        };
        let connect_url = match &target {
            Target::SqliteFile { path, url } => {
                if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|source| SqlError::CreateDir { path: parent.display().to_string(), source })?;
                }
                url.clone()
            }
            _ => url.trim().to_string(),
        };
        let pool = options.connect(&connect_url).await.map_err(|source| SqlError::Connect { url: shown, source })?;
        let backend = if matches!(target, Target::Postgres) { Backend::Postgres } else { Backend::Sqlite };
        if matches!(target, Target::SqliteFile { .. }) {
            sqlx::raw_sql("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(SqlError::query("switching the SQLite file to WAL mode"))?;
        }
        Ok(SqlStore { pool, backend })
    }

    /// SQLite or Postgres.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool, for queries this crate does not wrap.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Rows in each of [`TABLES`]: a fingerprint of the whole store (the fault campaign
    /// compares one taken before an attack with one taken after).
    pub async fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, SqlError> {
        let mut out = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&self.pool)
                .await
                .map_err(SqlError::query("counting rows"))?;
            out.push((table, sqlx::Row::try_get::<i64, _>(&row, "n").map_err(SqlError::query("counting rows"))?));
        }
        Ok(out)
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Every table the migrations create.
pub const TABLES: [&str; 11] = [
    "schema_migrations",
    "checkpoints",
    "nodes",
    "markets",
    "prices",
    "imports",
    "score_snapshots",
    "api_keys",
    "published_reports",
    "rubric_evidence",
    "stream_leases",
];

/// What a URL points at.
#[derive(Debug, PartialEq)]
enum Target {
    SqliteMemory,
    /// `path` as given; `url` as `sqlite:PATH?…&mode=rwc` (so the driver creates the file, and
    /// no `//` lets URL parsing take the first path segment for a host and lowercase it).
    SqliteFile {
        path: String,
        url: String,
    },
    Postgres,
}

impl Target {
    fn parse(url: &str) -> Result<Target, SqlError> {
        let url = url.trim();
        let bad = || SqlError::BadUrl { url: redact(url) };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres);
        }
        let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).ok_or_else(bad)?;
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        if path == ":memory:" || query.is_some_and(|q| q.split('&').any(|kv| kv == "mode=memory")) {
            return Ok(Target::SqliteMemory);
        }
        if path.is_empty() {
            return Err(bad());
        }
        let url = match query {
            Some(q) if q.split('&').any(|kv| kv.starts_with("mode=")) => format!("sqlite:{path}?{q}"),
            Some(q) => format!("sqlite:{path}?{q}&mode=rwc"),
            None => format!("sqlite:{path}?mode=rwc"),
        };
        Ok(Target::SqliteFile { path: path.to_string(), url })
    }
}

/// The URL with any password replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return url.to_string() };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end], &rest[at..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_classified_and_sqlite_files_are_opened_for_creation() {
        assert_eq!(Target::parse("sqlite::memory:").unwrap(), Target::SqliteMemory);
        assert_eq!(Target::parse("sqlite://x.db?mode=memory").unwrap(), Target::SqliteMemory);
        assert_eq!(Target::parse("postgres://u@h/db").unwrap(), Target::Postgres);
        assert_eq!(Target::parse(" postgresql://h/db ").unwrap(), Target::Postgres);
        let file = |path: &str, url: &str| Target::SqliteFile { path: path.into(), url: url.into() };
        assert_eq!(Target::parse("sqlite:data/a.db").unwrap(), file("data/a.db", "sqlite:data/a.db?mode=rwc"));
        assert_eq!(Target::parse("sqlite:///var/a.db").unwrap(), file("/var/a.db", "sqlite:/var/a.db?mode=rwc"));
        assert_eq!(
            Target::parse("sqlite://A.db?cache=shared").unwrap(),
            file("A.db", "sqlite:A.db?cache=shared&mode=rwc")
        );
        assert_eq!(Target::parse("sqlite://a.db?mode=ro").unwrap(), file("a.db", "sqlite:a.db?mode=ro"));
    }

    #[test]
    fn other_urls_are_refused_with_the_password_hidden() {
        for url in ["mysql://root:hunter2@h/db", "", "sqlite:", "sqlite://", "/tmp/a.db", "http://x"] {
            let e = Target::parse(url).unwrap_err();
            assert!(matches!(e, SqlError::BadUrl { .. }), "{url}: {e}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }
}
