//! Settings: one TOML file (optional) overlaid by `DEPINSCORE__SECTION__KEY` environment
//! variables. Every key, its default and meaning is in `settings-template.toml`.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub reference: ReferenceSettings,
}

/// The bundled reference program.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSettings {
    /// `JOB_FEE_FRACTION`: network fee = deposit / fraction; 0 = no fee (mainnet since 2026-05).
    #[serde(default)]
    pub fee_fraction: u64,
}

impl Settings {
    /// Reads `file` (when given) and the environment. A broken file or value is an error that
    /// names the file and the key.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            anyhow::ensure!(path.is_file(), "settings file {} does not exist", path.display());
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
        }
        builder = builder.add_source(config::Environment::with_prefix("DEPINSCORE").separator("__").try_parsing(true));
        let raw = builder.build().context("reading settings")?;
        raw.try_deserialize().context("invalid settings")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(contents: &str) -> tempfile_path::TempPath {
        tempfile_path::TempPath::with(contents)
    }

    /// A minimal temporary file, removed on drop (no extra dependency for one test helper).
    mod tempfile_path {
        pub struct TempPath(pub std::path::PathBuf);
        impl TempPath {
            pub fn with(contents: &str) -> Self {
                let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
                let p = std::env::temp_dir().join(format!("depinscore-settings-{}-{n}.toml", std::process::id()));
                std::fs::write(&p, contents).unwrap();
                TempPath(p)
            }
        }
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn no_file_gives_the_defaults() {
        assert_eq!(Settings::load(None).unwrap(), Settings::default());
    }

    #[test]
    fn the_template_is_valid_and_holds_the_defaults() {
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("settings-template.toml");
        assert_eq!(Settings::load(Some(&template)).unwrap(), Settings::default());
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_naming_the_key() {
        let f = write("[reference]\nfee_fraction = \"ten\"\n");
        let err = format!("{:#}", Settings::load(Some(&f.0)).unwrap_err());
        assert!(err.contains("fee_fraction"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let f = write("[reference]\nfee_fractoin = 10\n");
        let err = format!("{:#}", Settings::load(Some(&f.0)).unwrap_err());
        assert!(err.contains("fee_fractoin"), "{err}");
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = Settings::load(Some(Path::new("/nonexistent/depinscore.toml"))).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/depinscore.toml"), "{err}");
    }
}
