//! Errors of scenario loading and world building. Each names the scenario key at fault.

/// A scenario that cannot be used: bad TOML, an unknown key, a wrong type or a value out of
/// range. The message always names the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not TOML, or a key is unknown or of the wrong type.
    #[error("scenario: {0}")]
    Parse(String),
    /// A value is out of its allowed range.
    #[error("scenario key `{key}`: {message}")]
    /// A value out of its allowed range.
    Invalid {
        /// The scenario key at fault, e.g. `nodes.count` or `markets[3].price`.
        key: String,
        /// What is wrong with its value.
        message: String,
    },
}

impl ScenarioError {
    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid { key: key.into(), message: message.into() }
    }
}

/// The world could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    /// The scenario is invalid.
    Scenario(#[from] ScenarioError),
    /// A genesis step failed (a bug or an impossible combination of settings).
    #[error("genesis: {0}")]
    Genesis(String),
}
