//! Snapshots of `cargo testrail check`, text and `--json`: a working setup, and each
//! problem it names (no URL, a URL without scheme, credentials TestRail refuses, an address
//! nothing answers at, an unknown project or suite, a login page instead of the API), and
//! the errors of settings from a file, the environment and flags.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use common::World;
use snapshot_cli::assert_cli;
use testrail_sim::{FaultKind, FaultRule};

/// `cargo testrail check <args>` with `env` on top of the world's settings.
fn check(world: &World, name: &str, env: &[(&str, &str)], args: &[&str]) -> common::Ran {
    let args = [&["check"], args].concat();
    let mut command = world.command(&args);
    for (key, value) in env {
        command.env(key, value);
    }
    let ran = common::run(&mut command);
    let secrets: Vec<&str> = env
        .iter()
        .filter(|(key, _)| *key == "TESTRAIL_API_KEY")
        .map(|(_, value)| *value)
        .filter(|value| !value.is_empty())
        .collect();
    assert_cli(world, name, &args, &ran, &secrets);
    ran
}

#[test]
fn check_ok() {
    let world = World::new();
    let ran = check(&world, "check_ok", &[], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = check(&world, "check_ok_json", &[], &["--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = check(&world, "check_ok_suites", &[], &["--suites", "Web Shop,2"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn check_bad_urls() {
    let world = World::new();
    check(&world, "check_missing_url", &[("TESTRAIL_URL", "")], &[]);
    check(
        &world,
        "check_missing_url_json",
        &[("TESTRAIL_URL", "")],
        &["--json"],
    );
    check(
        &world,
        "check_url_without_scheme",
        &[("TESTRAIL_URL", "acme.testrail.io")],
        &[],
    );
    check(
        &world,
        "check_url_with_credentials",
        &[(
            "TESTRAIL_URL",
            "https://ci:hunter2-secret@acme.testrail.io/",
        )],
        &[],
    );
}

#[test]
fn check_401_never_shows_the_key() {
    let world = World::new();
    let ran = check(
        &world,
        "check_401",
        &[("TESTRAIL_API_KEY", "wrong-key-8c1f")],
        &[],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    check(
        &world,
        "check_401_json",
        &[("TESTRAIL_API_KEY", "wrong-key-8c1f")],
        &["--json"],
    );
}

#[test]
fn check_unreachable() {
    let world = World::new();
    let ran = check(
        &world,
        "check_unreachable",
        &[("TESTRAIL_URL", "http://127.0.0.1:9")],
        &[],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    check(
        &world,
        "check_unreachable_json",
        &[("TESTRAIL_URL", "http://127.0.0.1:9")],
        &["--json"],
    );
}

#[test]
fn check_unknown_project_and_suite() {
    let world = World::new();
    check(
        &world,
        "check_unknown_project",
        &[],
        &["--project", "Shopp"],
    );
    check(
        &world,
        "check_unknown_suite",
        &[],
        &["--suites", "Web Shop,Desktop"],
    );
}

#[test]
fn check_login_page() {
    let world = World::new();
    world
        .sim
        .add_fault(FaultRule::new(FaultKind::LoginPage).on("get_current_user"));
    check(&world, "check_login_page", &[], &[]);
    check(&world, "check_login_page_json", &[], &["--json"]);
}

#[test]
fn settings_errors() {
    let world = World::new();
    let config = |name: &str, text: &str| {
        let path = world.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let unknown = config("unknown.toml", "project = \"Shop\"\nprojekt = \"Shop\"\n");
    check(
        &world,
        "settings_unknown_key",
        &[("TESTRAIL_CONFIG", &unknown)],
        &[],
    );
    let env_only = config("env-only.toml", "dir = \"target/elsewhere\"\n");
    check(
        &world,
        "settings_env_only_key_in_file",
        &[("TESTRAIL_CONFIG", &env_only)],
        &[],
    );
    let bad = config("bad.toml", "batch_size = \"big\"\n");
    check(
        &world,
        "settings_bad_value_in_file",
        &[("TESTRAIL_CONFIG", &bad)],
        &[],
    );
    let broken = config("broken.toml", "project = \"Shop\nbatch_size = 0\n");
    check(
        &world,
        "settings_not_toml",
        &[("TESTRAIL_CONFIG", &broken)],
        &[],
    );
    let key = config("key.toml", "api_key = \"in-the-file-1234\"\n");
    check(
        &world,
        "settings_api_key_in_file",
        &[("TESTRAIL_CONFIG", &key)],
        &[],
    );
    check(
        &world,
        "settings_bad_value_in_env",
        &[("TESTRAIL_BATCH_SIZE", "lots")],
        &[],
    );
    check(
        &world,
        "settings_bad_value_in_flag",
        &[],
        &["--batch-size", "lots"],
    );
    check(
        &world,
        "settings_missing_config_file",
        &[("TESTRAIL_CONFIG", "/definitely/not/here.toml")],
        &[],
    );
}
