//! Logs: tracing to stderr, as text for people or JSON lines for collectors (`log.format`),
//! filtered by `RUST_LOG` when set, else by `log.level`.

use tracing_subscriber::EnvFilter;

use crate::settings::LogSettings;

/// Checks `log.format` and `log.level`.
pub fn check(log: &LogSettings) -> anyhow::Result<()> {
    anyhow::ensure!(matches!(log.format.as_str(), "text" | "json"), "log.format: `{}` is not text or json", log.format);
    EnvFilter::try_new(&log.level).map_err(|e| anyhow::anyhow!("log.level: `{}`: {e}", log.level))?;
    Ok(())
}

/// Installs the global subscriber.
pub fn init(log: &LogSettings) -> anyhow::Result<()> {
    check(log)?;
    let filter = EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(&log.level))?;
    // Colours only for a terminal: log files and collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let installed = if log.format == "json" { builder.json().try_init() } else { builder.try_init() };
    installed.map_err(|e| anyhow::anyhow!("installing the log subscriber: {e}"))
}
