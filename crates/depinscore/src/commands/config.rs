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
    stores::lease_secs(settings)?;
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

/// Masks what a URL may carry as a secret: the password of `user:password@` (a user alone, as
/// providers put a token there, too), key-like query parameters (`?api-key=…`, `?token=…`), and
/// path segments that look like tokens (providers' `/v2/<KEY>`: 24+ letters, digits, `-`, `_`).
pub fn mask_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let (head, rest) = url.split_at(scheme_end);
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:{MASK}@{host}"),
            None => format!("{MASK}@{host}"),
        },
        None => authority.to_string(),
    };
    let path: Vec<String> = path
        .split('/')
        .map(|segment| {
            let token_like =
                segment.len() >= 24 && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if token_like { MASK.to_string() } else { segment.to_string() }
        })
        .collect();
    let mut out = format!("{head}{authority}{}", path.join("/"));
    if let Some(query) = query {
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_param(k) => format!("{k}={MASK}"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{out}?{}", masked.join("&"));
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
    fn tokens_in_a_providers_path_or_userinfo_are_masked_and_plain_urls_kept() {
        assert_eq!(
            mask_url("https://solana-mainnet.g.alchemy.com/v2/AbCdEf0123456789_abcdef-XYZ"),
            "https://solana-mainnet.g.alchemy.com/v2/********"
        );
        assert_eq!(mask_url("https://tok3n@rpc.example:443/"), "https://********@rpc.example:443/");
        assert_eq!(mask_url("http://127.0.0.1:8899/api"), "http://127.0.0.1:8899/api");
        assert_eq!(mask_url("sqlite://data/demo/depinscore.db"), "sqlite://data/demo/depinscore.db");
        assert_eq!(mask_url("not a url"), "not a url");
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
