//! docker-compose.yml, checked without a Docker engine: docker-compose 1.29 (Debian's
//! `docker-compose` package, which `bash .ci/test` installs) validates it against the Compose
//! schema and prints the resolved configuration (anchors merged, variables interpolated)
//! without talking to a daemon. Every service that runs this binary must pass a command and
//! settings the binary accepts, and the services of the deployment must be there with health
//! checks and named volumes.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Map, Value};

const BIN: &str = env!("CARGO_BIN_EXE_depinscore");

/// Variables the compose file interpolates: unset, so the test sees the file's own defaults.
const INTERPOLATED: [&str; 6] = [
    "DEPINSCORE_CLICKHOUSE_PASSWORD",
    "DEPINSCORE_CLICKHOUSE_API_PASSWORD",
    "DEPINSCORE_CLICKHOUSE_GRAFANA_PASSWORD",
    "DEPINSCORE_POSTGRES_PASSWORD",
    "DEPINSCORE_POSTGRES_GRAFANA_PASSWORD",
    "GRAFANA_ADMIN_PASSWORD",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn compose_file() -> PathBuf {
    root().join("docker-compose.yml")
}

fn settings_template() -> PathBuf {
    root().join("crates/depinscore/settings-template.toml")
}

/// The validator on PATH; its absence is a failure that says how to get it, never a skip.
fn docker_compose() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join("docker-compose")).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "docker-compose is not installed: `bash .ci/test` installs it \
             (apt-get install --no-install-recommends docker-compose); it validates \
             docker-compose.yml without a Docker engine"
        )
    })
}

fn compose(args: &[&str]) -> Output {
    let mut c = Command::new(docker_compose());
    c.current_dir(root()).arg("--file").arg(compose_file()).args(args);
    for name in INTERPOLATED {
        c.env_remove(name);
    }
    c.output().expect("running docker-compose")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The interpreter on the `#!` line of a Python entry point (docker-compose 1.x), which has
/// PyYAML since docker-compose itself needs it; None for Compose v2, a Go binary.
fn python_of(exe: &Path) -> Option<Command> {
    let mut head = Vec::new();
    std::fs::File::open(exe).ok()?.take(256).read_to_end(&mut head).ok()?;
    let first = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(first).ok()?.strip_prefix("#!")?;
    if !line.contains("python") {
        return None;
    }
    let mut words = line.split_whitespace();
    let mut c = Command::new(words.next()?);
    c.args(words);
    Some(c)
}

/// The resolved configuration as JSON: what Compose itself makes of the file.
fn compose_config() -> Value {
    let out = compose(&["config"]);
    assert!(
        out.status.success(),
        "docker-compose rejects docker-compose.yml:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let json = match python_of(&docker_compose()) {
        Some(mut python) => {
            let mut child = python
                .args(["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starting docker-compose's Python");
            let mut stdin = child.stdin.take().expect("stdin is piped");
            let yaml = out.stdout;
            let writer = std::thread::spawn(move || stdin.write_all(&yaml));
            let converted = child.wait_with_output().expect("converting the configuration to JSON");
            assert!(converted.status.success(), "YAML to JSON failed: {}", text(&converted.stderr));
            writer.join().expect("the writer thread panicked").expect("writing the configuration");
            converted.stdout
        }
        None => {
            let out = compose(&["config", "--format", "json"]);
            assert!(out.status.success(), "docker-compose config --format json: {}", text(&out.stderr));
            out.stdout
        }
    };
    serde_json::from_slice(&json).expect("the resolved configuration is JSON")
}

fn services(config: &Value) -> &Map<String, Value> {
    config["services"].as_object().expect("docker-compose.yml has services")
}

/// The services that run this project's image, the one the Dockerfile builds.
fn depinscore_services(config: &Value) -> Vec<(&String, &Value)> {
    services(config)
        .iter()
        .filter(|(_, s)| s.get("build").is_some() || s["image"].as_str().is_some_and(|i| i.starts_with("depinscore")))
        .collect()
}

/// A service's command as the list of arguments after the `depinscore` entrypoint.
fn command(name: &str, service: &Value) -> Vec<String> {
    let args = service["command"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: `command` must be a list of arguments (one per item)"));
    args.iter()
        .map(|a| match a {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// A service's environment with the values Compose would pass (variables without a value
/// come from the caller's environment and are left out).
fn environment(service: &Value) -> Vec<(String, String)> {
    let Some(env) = service["environment"].as_object() else {
        return Vec::new();
    };
    env.iter()
        .filter_map(|(k, v)| match v {
            Value::Null => None,
            Value::String(s) => Some((k.clone(), s.clone())),
            other => Some((k.clone(), other.to_string())),
        })
        .collect()
}

/// (source, target) of each mount, in the short syntax of 1.x or the long one of v2.
fn mounts(service: &Value) -> Vec<(String, String)> {
    service["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| match m {
            Value::String(s) => {
                let mut parts = s.split(':');
                Some((parts.next()?.to_string(), parts.next()?.to_string()))
            }
            Value::Object(o) => Some((o.get("source")?.as_str()?.to_string(), o.get("target")?.as_str()?.to_string())),
            _ => None,
        })
        .collect()
}

/// The health check's command, if the service has one that is not disabled.
fn health_check(service: &Value) -> Option<Vec<String>> {
    let check = service.get("healthcheck")?;
    if check["disable"] == Value::Bool(true) {
        return None;
    }
    let test: Vec<String> = match &check["test"] {
        Value::String(s) => vec!["CMD-SHELL".to_string(), s.clone()],
        Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => return None,
    };
    (test.len() >= 2 && test[0] != "NONE").then_some(test)
}

fn run_binary(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().expect("running depinscore");
    assert!(out.status.success(), "depinscore {args:?} failed: {}", text(&out.stderr));
    text(&out.stdout)
}

/// The subcommands `depinscore --help` lists.
fn subcommands() -> BTreeSet<String> {
    let help = run_binary(&["--help"]);
    let names: BTreeSet<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(names.contains("index"), "no subcommands found in `depinscore --help`:\n{help}");
    names
}

/// Every `--flag` a help text mentions.
fn documented_flags(help: &str) -> BTreeSet<String> {
    help.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.len() > 2 && w.starts_with("--"))
        .map(str::to_string)
        .collect()
}

/// (section, key) of every setting in the template, lower case as the settings are.
fn template_keys() -> BTreeSet<(String, String)> {
    let template = std::fs::read_to_string(settings_template()).expect("reading settings-template.toml");
    let mut section = String::new();
    let mut keys = BTreeSet::new();
    for line in template.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
        } else if let Some((key, _)) = line.split_once('=') {
            keys.insert((section.clone(), key.trim().to_string()));
        }
    }
    keys
}

#[test]
fn the_compose_file_is_valid_compose() {
    let out = compose(&["config", "--quiet"]);
    assert!(
        out.status.success(),
        "docker-compose rejects docker-compose.yml:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn every_depinscore_service_command_is_accepted_by_the_binary() {
    let config = compose_config();
    let ours = depinscore_services(&config);
    let names: BTreeSet<&str> = ours.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["node", "migrate", "indexer", "api"] {
        assert!(names.contains(expected), "`{expected}` does not run the depinscore image (those that do: {names:?})");
    }
    let subcommands = subcommands();
    let template = template_keys();
    for (name, service) in ours {
        let args = command(name, service);
        let sub = args.first().unwrap_or_else(|| panic!("{name}: empty command"));
        assert!(subcommands.contains(sub), "{name}: `{sub}` is not a depinscore subcommand ({subcommands:?})");

        // clap reads the arguments in order, checking each flag and parsing each value as it
        // meets them, so a `--help` after the last one prints the help only if all were valid.
        let out = Command::new(BIN).args(&args).arg("--help").output().expect("running depinscore");
        let usage = |l: &str| l.starts_with("Usage:") && l.split_whitespace().nth(2) == Some(sub.as_str());
        assert!(
            out.status.success() && text(&out.stdout).lines().any(usage),
            "{name}: depinscore rejects `{}`:\n{}{}",
            args.join(" "),
            text(&out.stdout),
            text(&out.stderr)
        );
        let flags = documented_flags(&run_binary(&[sub.as_str(), "--help"]));
        for flag in args.iter().filter(|a| a.starts_with("--")) {
            let flag = flag.split('=').next().unwrap_or(flag.as_str());
            assert!(flags.contains(flag), "{name}: `depinscore {sub} --help` does not list {flag} ({flags:?})");
        }

        // Every DEPINSCORE__SECTION__KEY names a setting of the template ...
        let env = environment(service);
        for (key, _) in env.iter().filter(|(k, _)| k.starts_with("DEPINSCORE__")) {
            let (section, setting) = key["DEPINSCORE__".len()..]
                .split_once("__")
                .unwrap_or_else(|| panic!("{name}: {key} is not DEPINSCORE__<SECTION>__<KEY>"));
            let wanted = (section.to_lowercase(), setting.to_lowercase());
            assert!(
                template.contains(&wanted),
                "{name}: {key} is not a setting: settings-template.toml has no `{}` in [{}]",
                wanted.1,
                wanted.0
            );
        }
        // ... and the binary accepts the whole environment over the template, as the image
        // reads them, with every value checked as the commands check it when they start.
        let out = Command::new(BIN)
            .args(["config", "check"])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("DEPINSCORE_CONFIG", settings_template())
            .stdout(Stdio::null())
            .output()
            .expect("running depinscore");
        assert!(out.status.success(), "{name}: depinscore rejects the service's settings: {}", text(&out.stderr));
    }
}

#[test]
fn the_services_the_issue_names_are_all_present_with_health_checks() {
    let config = compose_config();
    let services = services(&config);
    for name in ["clickhouse", "postgres", "grafana", "node", "migrate", "indexer", "api"] {
        assert!(services.contains_key(name), "docker-compose.yml has no `{name}` service");
    }

    // Everything but the one-shot jobs runs until stopped and says whether it is healthy.
    let healthy: BTreeSet<&str> =
        services.iter().filter(|(_, s)| health_check(s).is_some()).map(|(n, _)| n.as_str()).collect();
    for (name, service) in services {
        let one_shot = service["restart"].as_str() == Some("no");
        assert!(one_shot || healthy.contains(name.as_str()), "{name} runs until stopped but has no health check");
    }

    // The health checks of the depinscore image use what its runtime stage installs.
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).expect("reading the Dockerfile");
    let runtime = dockerfile.rsplit("\nFROM ").next().unwrap_or_default();
    for (name, service) in depinscore_services(&config) {
        if let Some(test) = health_check(service).filter(|t| t[0] == "CMD") {
            let program = &test[1];
            assert!(
                runtime.contains(&format!(" {program}")),
                "{name}: the health check runs {program}, which the Dockerfile's runtime stage does not install"
            );
        }
    }

    // Every store keeps its data in a named volume.
    let volumes: BTreeSet<&str> =
        config["volumes"].as_object().map(|v| v.keys().map(String::as_str).collect()).unwrap_or_default();
    for (name, data) in [
        ("clickhouse", "/var/lib/clickhouse"),
        ("postgres", "/var/lib/postgresql/data"),
        ("grafana", "/var/lib/grafana"),
    ] {
        let mounted = mounts(&services[name]);
        assert!(
            mounted.iter().any(|(source, target)| target == data && volumes.contains(source.as_str())),
            "{name} keeps {data} in no named volume ({mounted:?})"
        );
    }

    // Bind mounts (Grafana's provisioning and dashboards) point at files of the repository.
    for (name, service) in services {
        for (source, _) in mounts(service).iter().filter(|(s, _)| s.starts_with('/') || s.starts_with('.')) {
            assert!(Path::new(source).exists(), "{name} mounts {source}, which does not exist");
        }
    }

    // Start-up order: a health condition waits for a health check, a completion for a one-shot job.
    for (name, service) in services {
        let Some(depends) = service["depends_on"].as_object() else { continue };
        for (dependency, how) in depends {
            let target = services.get(dependency).unwrap_or_else(|| panic!("{name} depends on unknown {dependency}"));
            match how["condition"].as_str() {
                Some("service_healthy") => {
                    assert!(healthy.contains(dependency.as_str()), "{name} waits for {dependency} to be healthy")
                }
                Some("service_completed_successfully") => assert_eq!(
                    target["restart"].as_str(),
                    Some("no"),
                    "{name} waits for {dependency} to complete, which it restarts"
                ),
                _ => {}
            }
        }
    }
}

/// The value a service's environment gives `name`, if any.
fn env_var(service: &Value, name: &str) -> Option<String> {
    environment(service).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Whether `service` mounts the repository file ending in `source` somewhere under `target_dir`,
/// keeping its extension.
fn mounts_file(service: &Value, source: &str, target_dir: &str) -> bool {
    let ext = Path::new(source).extension().and_then(|e| e.to_str()).unwrap_or_default();
    mounts(service)
        .iter()
        .any(|(s, t)| s.ends_with(source) && t.starts_with(target_dir) && t.ends_with(&format!(".{ext}")))
}

/// The value of `key:` on a line of a provisioning file (the files are flat enough to read
/// without a YAML parser).
fn yaml_value(yaml: &str, key: &str) -> String {
    let prefix = format!("{key}:");
    yaml.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("no `{key}:` line"))
}

#[test]
fn the_api_and_grafana_read_clickhouse_as_the_read_only_users_the_server_is_given() {
    let config = compose_config();
    let services = services(&config);
    let readers = std::fs::read_to_string(root().join("schema/clickhouse-users/readers.xml")).unwrap();
    let clickhouse_var = |name: &str| -> String {
        env_var(&services["clickhouse"], name).unwrap_or_else(|| {
            panic!("the clickhouse service does not set {name}, which the readers' users file reads")
        })
    };

    // The users file is where the server merges users, with every password it reads.
    assert!(
        mounts_file(&services["clickhouse"], "schema/clickhouse-users/readers.xml", "/etc/clickhouse-server/users.d/"),
        "schema/clickhouse-users/readers.xml is not mounted into the server's users.d"
    );
    let password_vars: Vec<&str> =
        readers.split("from_env=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    assert_eq!(password_vars.len(), 2, "the readers file reads two passwords");
    for var in &password_vars {
        assert!(!clickhouse_var(var).is_empty(), "{var} is empty");
    }

    // The API: the API user, with the password the server has for it.
    let api = &services["api"];
    assert_eq!(env_var(api, "DEPINSCORE__API__CLICKHOUSE_USER").as_deref(), Some("depinscore_api"));
    assert!(readers.contains("<depinscore_api>"), "the readers file defines no depinscore_api");
    assert_eq!(
        env_var(api, "DEPINSCORE__API__CLICKHOUSE_PASSWORD"),
        Some(clickhouse_var("DEPINSCORE_CLICKHOUSE_API_PASSWORD"))
    );

    // Grafana: the Grafana user, with the password the server has for it, and no writer's.
    let datasource =
        std::fs::read_to_string(root().join("dashboards/provisioning/datasources/clickhouse.yaml")).unwrap();
    let user = yaml_value(&datasource, "username");
    assert_eq!(user, "depinscore_grafana");
    assert!(readers.contains(&format!("<{user}>")), "the readers file defines no {user}");
    let password = yaml_value(&datasource, "password");
    let var = password.strip_prefix('$').expect("the datasource's password comes from the environment");
    let grafana = &services["grafana"];
    assert_eq!(
        env_var(grafana, var),
        Some(clickhouse_var("DEPINSCORE_CLICKHOUSE_GRAFANA_PASSWORD")),
        "Grafana's {var}"
    );
    assert_eq!(
        env_var(grafana, "DEPINSCORE_CLICKHOUSE_PASSWORD"),
        None,
        "Grafana is given the ClickHouse writer's password"
    );
}

#[test]
fn grafana_reads_postgres_as_the_read_only_role_the_server_creates() {
    let config = compose_config();
    let services = services(&config);
    let script = std::fs::read_to_string(root().join("schema/postgres-users/readers.sh")).unwrap();
    let grafana = &services["grafana"];

    // The script runs when the volume is first initialised, with the password it reads.
    assert!(
        mounts_file(&services["postgres"], "schema/postgres-users/readers.sh", "/docker-entrypoint-initdb.d/"),
        "schema/postgres-users/readers.sh is not mounted into /docker-entrypoint-initdb.d"
    );
    let password = env_var(&services["postgres"], "DEPINSCORE_POSTGRES_GRAFANA_PASSWORD")
        .expect("postgres sets the role's password");
    assert!(script.contains("DEPINSCORE_POSTGRES_GRAFANA_PASSWORD") && !password.is_empty());

    // Grafana signs in as that role, with that password, and is given no writer's password.
    let datasource = std::fs::read_to_string(root().join("dashboards/provisioning/datasources/postgres.yaml")).unwrap();
    let user = yaml_value(&datasource, "user");
    assert!(script.contains(&format!("CREATE ROLE {user} ")), "the script creates no role {user}");
    let from = yaml_value(&datasource, "password");
    let name = from.strip_prefix('$').expect("the datasource's password comes from the environment");
    assert_eq!(env_var(grafana, name), Some(password), "Grafana's {name}");
    assert_eq!(env_var(grafana, "DEPINSCORE_POSTGRES_PASSWORD"), None, "Grafana is given the store owner's password");
}

#[test]
fn the_server_fails_a_silent_insert_body_within_the_indexers_default_lease_margin() {
    let config = compose_config();
    let services = services(&config);
    // The indexer's lease (15 s by default) fences writes its fifth (3 s) before it ends; the
    // server must have failed a paused writer's INSERT by then (crates/depinscore-clickhouse
    // `ChStore::fenced`).
    assert!(
        mounts_file(
            &services["clickhouse"],
            "schema/clickhouse-users/insert-timeout.xml",
            "/etc/clickhouse-server/users.d/"
        ),
        "schema/clickhouse-users/insert-timeout.xml is not mounted into the server's users.d"
    );
    let file = std::fs::read_to_string(root().join("schema/clickhouse-users/insert-timeout.xml")).unwrap();
    let secs: u64 = file
        .split("<http_receive_timeout>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|v| v.trim().parse().ok())
        .expect("the file sets http_receive_timeout in seconds");
    let default_lease = default_lease_secs();
    assert!((secs + 1) * 2 <= default_lease, "http_receive_timeout {secs} s is too long for a {default_lease} s lease");
}

/// `indexer.lease_secs` in the settings template users start from.
fn default_lease_secs() -> u64 {
    let template = std::fs::read_to_string(root().join("crates/depinscore/settings-template.toml")).unwrap();
    template
        .lines()
        .find_map(|l| l.strip_prefix("lease_secs = "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the settings template sets lease_secs")
}
