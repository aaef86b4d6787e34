//! The scenario file: the default parses, is documented key by key, and bad input is an error
//! that names the key.

use nosana_sim::scenario::DEFAULT_TOML;
use nosana_sim::{Scenario, ScenarioError, Simulation};

#[test]
fn the_default_scenario_parses_and_describes_the_mainnet_world() {
    let s = Scenario::default_scenario();
    assert_eq!(s.nodes.count, 2_800);
    assert_eq!(s.markets.len(), 17);
    let jobs_per_year: f64 = s.markets.iter().map(|m| m.jobs_per_day).sum::<f64>() * 365.0;
    assert!((900_000.0..1_100_000.0).contains(&jobs_per_year), "{jobs_per_year}");
    assert_eq!(Scenario::from_toml("").unwrap(), s);
}

#[test]
fn every_key_in_the_default_scenario_has_a_comment_above_it() {
    let lines: Vec<&str> = DEFAULT_TOML.lines().collect();
    let mut keys = 0;
    for (i, line) in lines.iter().enumerate() {
        let l = line.trim();
        let is_key = !l.is_empty() && !l.starts_with('#') && (l.starts_with('[') || l.contains(" = "));
        if !is_key {
            continue;
        }
        keys += 1;
        let above = lines[..i].iter().rev().find(|p| !p.trim().is_empty()).map(|p| p.trim());
        assert!(above.is_some_and(|p| p.starts_with('#')), "line {}: `{l}` has no comment above it", i + 1);
    }
    assert!(keys > 300, "{keys}");
}

#[test]
fn an_unknown_key_is_an_error_naming_it() {
    let e = Scenario::from_toml("[nodes]\ncolour = 3\n").unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
    let e = Scenario::from_toml("speed = 3\n").unwrap_err();
    assert!(e.to_string().contains("speed"), "{e}");
}

#[test]
fn a_wrong_type_is_an_error_naming_the_key() {
    let e = Scenario::from_toml("[nodes]\ncount = \"many\"\n").unwrap_err();
    assert!(matches!(e, ScenarioError::Parse(_)));
    assert!(e.to_string().contains("count"), "{e}");
}

#[test]
fn an_out_of_range_value_is_an_error_naming_the_key() {
    for (toml, key) in [
        ("[nodes]\nlargest_operator_share = 1.5\n", "nodes.largest_operator_share"),
        ("[nodes]\nstake_days_min = 3\n", "nodes.stake_days_min"),
        ("[chain]\nv0_fraction = -0.1\n", "chain.v0_fraction"),
        ("[jobs]\nclean_batch = 0\n", "jobs.clean_batch"),
        ("markets = []\n", "markets"),
    ] {
        let e = Scenario::from_toml(toml).unwrap_err();
        assert!(matches!(&e, ScenarioError::Invalid { key: k, .. } if k == key), "{toml}: {e}");
    }
    let mut s = Scenario::default_scenario();
    s.markets[2].mainnet_address = "not-an-address".into();
    let e = Simulation::new(&s, 1).err().expect("invalid scenario");
    assert!(e.to_string().contains("markets[2].mainnet_address"), "{e}");
}

#[test]
fn invalid_toml_is_an_error_not_a_panic() {
    assert!(matches!(Scenario::from_toml("[nodes\ncount = 1"), Err(ScenarioError::Parse(_))));
}
