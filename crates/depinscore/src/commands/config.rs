//! `depinscore config check`: validate the settings (file and environment) as every command
//! would, and print the effective settings with secrets masked.

use anyhow::Context;

use crate::commands::rules::LoadedRules;
use crate::commands::{serve, stores};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Check every setting and print the effective ones (TOML, secrets masked); non-zero exit
    /// with an error naming the key when one is wrong.
    Check,
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    match args.action {
        Action::Check => {
            check(settings)?;
            print!("{}", effective(settings)?);
            eprintln!("settings are valid");
            Ok(())
        }
    }
}

/// Everything the commands check when they start, without connecting to anything.
pub fn check(settings: &Settings) -> anyhow::Result<()> {
    stores::stream_config(settings)?;
    stores::commit_config(settings)?;
    serve::api_config(settings)?;
    serve::cloud_prices(settings)?;
    LoadedRules::load(&settings.score, None)?;
    let db = &settings.database.url;
    anyhow::ensure!(
        db.starts_with("sqlite:") || db.starts_with("postgres://") || db.starts_with("postgresql://"),
        "database.url: `{}` is neither sqlite:… nor postgres://…",
        mask_url(db)
    );
    for (key, url) in [
        ("clickhouse.url", &settings.clickhouse.url),
        ("indexer.grpc", &settings.indexer.grpc),
        ("indexer.rpc", &settings.indexer.rpc),
        ("offchain.url", &settings.offchain.url),
    ] {
        anyhow::ensure!(
            url.starts_with("http://") || url.starts_with("https://"),
            "{key}: `{}` is not an http(s) URL",
            mask_url(url)
        );
    }
    crate::logging::check(&settings.log)?;
    let demo = &settings.demo;
    anyhow::ensure!(demo.history_days > 0, "demo.history_days must be positive");
    anyhow::ensure!(demo.compression > 0, "demo.compression must be positive");
    Ok(())
}

/// The settings as TOML with passwords, tokens and URL credentials masked.
pub fn effective(settings: &Settings) -> anyhow::Result<String> {
    let mut s = settings.clone();
    for secret in [&mut s.clickhouse.password, &mut s.api.clickhouse_password, &mut s.indexer.x_token] {
        if !secret.is_empty() {
            *secret = MASK.into();
        }
    }
    for url in
        [&mut s.database.url, &mut s.clickhouse.url, &mut s.indexer.grpc, &mut s.indexer.rpc, &mut s.offchain.url]
    {
        *url = mask_url(url);
    }
    toml::to_string(&s).context("printing the settings")
}

const MASK: &str = "********";

/// `scheme://user:password@host…` → `scheme://user:********@host…`; a provider key in the query
/// (`?api-key=…`, `?token=…`) is masked too.
pub fn mask_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..].find('/').map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon + 1..rest_start + at, MASK);
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_param(k) => format!("{k}={MASK}"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", masked.join("&"));
    }
    out
}

fn is_secret_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["key", "token", "password", "secret"].iter().any(|s| k.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_the_check() {
        check(&Settings::default()).unwrap();
    }

    #[test]
    fn passwords_tokens_and_url_credentials_are_masked() {
        let mut s = Settings::default();
        s.clickhouse.password = "hunter2".into();
        s.indexer.x_token = "tok-123".into();
        s.database.url = "postgres://app:s3cret@db:5432/depinscore".into();
        s.indexer.rpc = "https://rpc.example/?api-key=abc&cluster=main".into();
        let text = effective(&s).unwrap();
        for secret in ["hunter2", "tok-123", "s3cret", "abc&"] {
            assert!(!text.contains(secret), "{secret} leaked:\n{text}");
        }
        assert!(text.contains("postgres://app:********@db:5432/depinscore"), "{text}");
        assert!(text.contains("api-key=********&cluster=main"), "{text}");
    }

    #[test]
    fn the_printed_settings_load_back_as_the_same_settings() {
        let s = Settings::default();
        let back: Settings = toml::from_str(&effective(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn a_wrong_value_is_an_error_naming_its_key() {
        let mut s = Settings::default();
        s.indexer.commitment = "soon".into();
        assert!(format!("{:#}", check(&s).unwrap_err()).contains("indexer.commitment"));
        let mut s = Settings::default();
        s.database.url = "mysql://x".into();
        assert!(format!("{:#}", check(&s).unwrap_err()).contains("database.url"));
        let mut s = Settings::default();
        s.log.format = "xml".into();
        assert!(format!("{:#}", check(&s).unwrap_err()).contains("log.format"));
    }
}
