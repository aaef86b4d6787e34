//! Why an off-chain import failed.

use crate::SqlError;

/// An off-chain import that could not complete. Each variant names the URL it was reading.
#[derive(Debug, thiserror::Error)]
pub enum OffchainError {
    /// The base URL cannot be used.
    #[error("bad off-chain base URL `{url}`: {reason}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// The request did not get an answer (refused, timed out, broken connection).
    #[error("GET {url} failed: {message}")]
    Http {
        /// The URL asked.
        url: String,
        /// The client's error with its causes.
        message: String,
    },
    /// The server answered with a non-success status.
    #[error("GET {url} answered HTTP {status}: {body}")]
    Status {
        /// The URL asked.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// The answer is not JSON of the expected shape.
    #[error("GET {url} did not answer the expected JSON: {reason}")]
    Json {
        /// The URL asked.
        url: String,
        /// The parser's complaint (with line and column) or what is missing.
        reason: String,
    },
    /// Storing what was read failed.
    #[error(transparent)]
    Store(#[from] SqlError),
}
