//! The store's errors: each names what was being done and the value that was wrong.

/// Anything the store can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// The URL is neither SQLite nor Postgres.
    #[error("unsupported database URL `{url}`: expected `sqlite:PATH`, `sqlite::memory:` or `postgres://…`")]
    BadUrl {
        /// The URL, password hidden.
        url: String,
    },
    /// The SQLite file's parent directory could not be created.
    #[error("cannot create {path}, the directory of the SQLite file: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The database did not accept a connection.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The URL, password hidden.
        url: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A statement failed.
    #[error("{context}: {source}")]
    Query {
        /// What the statement was for.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The database records a migration this build does not embed.
    #[error(
        "the database has migration {version} (`{name}`), which this build does not know: \
         it was migrated by a newer depinscore"
    )]
    UnknownMigration {
        /// Its version.
        version: i64,
        /// Its recorded name.
        name: String,
    },
    /// An applied migration's SQL differs from the embedded one.
    #[error(
        "migration {version} (`{name}`) was changed after it was applied \
         (checksum {recorded} in the database, {embedded} in this build): add a new migration instead"
    )]
    ModifiedMigration {
        /// Its version.
        version: i64,
        /// Its name.
        name: String,
        /// The checksum the database recorded.
        recorded: String,
        /// The checksum of the embedded SQL.
        embedded: String,
    },
    /// A migration is pending although a later one is applied.
    #[error("migration {version} (`{name}`) is pending but the later migration {applied} is already applied")]
    MigrationOutOfOrder {
        /// The pending version.
        version: i64,
        /// Its name.
        name: String,
        /// The newest applied version.
        applied: i64,
    },
    /// A migration's SQL failed (nothing of it was kept).
    #[error("migration {version} (`{name}`) failed: {source}")]
    Migration {
        /// Its version.
        version: i64,
        /// Its name.
        name: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A checkpoint save with a lower slot than the stored one.
    #[error("the checkpoint of stream `{stream}` cannot move backwards from slot {stored} to slot {attempted}")]
    CheckpointBackwards {
        /// The stream.
        stream: String,
        /// The stored slot.
        stored: u64,
        /// The refused slot.
        attempted: u64,
    },
    /// A value that cannot be stored.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What the value is (`node 7Xj…`, `price point at 1735000000`).
        what: String,
        /// Why it is refused.
        reason: String,
    },
}

impl SqlError {
    pub(crate) fn query(context: &'static str) -> impl FnOnce(sqlx::Error) -> SqlError {
        move |source| SqlError::Query { context, source }
    }

    pub(crate) fn invalid(what: impl Into<String>, reason: impl Into<String>) -> SqlError {
        SqlError::Invalid { what: what.into(), reason: reason.into() }
    }
}
