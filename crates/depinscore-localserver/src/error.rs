//! What can go wrong starting or driving a test server.

use std::path::PathBuf;

/// A test server could not be started, stopped or queried.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The server's binaries are not on this machine.
    #[error("{what} is not installed ({detail}): run `bash .ci/test`, which installs it")]
    NotInstalled {
        /// `PostgreSQL`, `ClickHouse`.
        what: &'static str,
        /// What was looked for.
        detail: String,
    },
    /// A file-system or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A helper command (initdb, kill, …) exited unsuccessfully.
    #[error("`{command}` failed ({status}):\n{output}")]
    Command {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// The end of what it printed.
        output: String,
    },
    /// The server process exited while starting.
    #[error("{what} exited while starting ({status}); log {log}:\n{tail}")]
    Exited {
        /// `PostgreSQL`, `ClickHouse`.
        what: &'static str,
        /// Its exit status.
        status: String,
        /// The log file read for `tail`.
        log: PathBuf,
        /// The end of the server's log.
        tail: String,
    },
    /// The server did not become ready in time.
    #[error("{what} did not accept connections within {seconds} s; log {log}:\n{tail}")]
    StartTimeout {
        /// `PostgreSQL`, `ClickHouse`.
        what: &'static str,
        /// How long we waited.
        seconds: u64,
        /// The log file read for `tail`.
        log: PathBuf,
        /// The end of the server's log.
        tail: String,
    },
    /// An HTTP exchange with a server failed or answered an error.
    #[error("HTTP {method} {url}: {message}")]
    Http {
        /// `GET`, `POST`.
        method: &'static str,
        /// The URL asked.
        url: String,
        /// What went wrong, with the server's answer when there was one.
        message: String,
    },
    /// The operation needs a server this handle does not run (e.g. an external URL).
    #[error("{0}")]
    Unsupported(String),
}

impl ServerError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServerError {
        let context = context.into();
        move |source| ServerError::Io { context, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_server_says_how_to_install_it() {
        let e = ServerError::NotInstalled {
            what: "PostgreSQL",
            detail: "no /usr/lib/postgresql/<version>/bin/initdb".into(),
        };
        assert_eq!(
            e.to_string(),
            "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run `bash .ci/test`, which installs it"
        );
    }
}
